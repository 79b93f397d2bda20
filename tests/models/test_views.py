"""Model attributes that are read-only views of the spec and the method options (stored once)."""

import pytest

from sshn_keras.models import FiLMUNet, SSHNUNet


def test_attributes_read_the_spec_and_the_options_and_cannot_be_set():
    model = SSHNUNet(input_shape=(16, 16, 1), num_classes=3, filters=[2, 3], num_stages=2, convs_per_stage=1,
                     kernel_size=5, negative_slope=0.1, hyper_units=(4,), head_rank=2)
    assert (model.image_shape, model.num_stages, model.ndims, model.num_classes) == ((16, 16, 1), 2, 2, 3)
    assert (model.filters, model.convs_per_stage, model.kernel_size, model.negative_slope) == ([2, 3], 1, 5, 0.1)
    assert (model.hyper_units, model.normalize_embedding, model.head_rank) == ((4,), True, 2)
    assert FiLMUNet(input_shape=(16, 16, 1), num_classes=2, filters=2, num_stages=2, film_units=(3,)).film_units == (3,)
    assert SSHNUNet.num_stages.__doc__ == "Resolution levels of the architecture."
    with pytest.raises(AttributeError):
        model.num_stages = 3
