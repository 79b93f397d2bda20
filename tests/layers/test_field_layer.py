"""`FieldLayer`: the shared checks of `VecInt` and `RescaleTransform` (one vector field, not a list)."""

import keras
import numpy as np
import pytest

from sshn_keras.layers import RescaleTransform, VecInt


@pytest.mark.parametrize("layer, field", [(VecInt(int_steps=1), "velocity"), (RescaleTransform(2.0), "displacement")])
def test_one_field_of_ndims_channels_is_required(layer, field):
    name = type(layer).__name__
    flow = np.zeros((1, 8, 8, 2), "float32")
    with pytest.raises(ValueError, match=rf"{name} takes a single {field} tensor, not a list. Received shapes"):
        layer.build([(1, 8, 8, 2), (1, 8, 8, 2)])
    with pytest.raises(ValueError, match=rf"{name} takes a single {field} tensor, not a list"):
        layer([flow, flow])
    with pytest.raises(ValueError, match=rf"{name} expects a {field} field .* Received shape \(1, 8, 8, 3\)"):
        layer(np.zeros((1, 8, 8, 3), "float32"))
    assert tuple(layer(flow).shape[-1:]) == (2,)


def test_rescale_transform_also_takes_an_affine_matrix():
    affine = keras.ops.convert_to_tensor(np.arange(6, dtype="float32").reshape(1, 2, 3))
    out = keras.ops.convert_to_numpy(RescaleTransform(2.0)(affine))
    np.testing.assert_allclose(out, [[[0, 1, 4], [3, 4, 10]]])  # the translation column doubles
