"""SSHN with compact (factorised) hypernetwork heads: size, initial scale, training, saving."""

import keras
import numpy as np
import pytest

from sshn_keras.layers import HyperConv2D, HyperNetwork
from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.models import SSHNUNet
from sshn_keras.saving import load_model


def _head_weights(model):
    return sum(int(np.prod(v.shape)) for v in model.network.trainable_variables if "head" in v.path)


def test_head_is_smaller_by_about_embedding_over_rank():
    arch = dict(input_shape=(32, 32, 1), num_classes=4, filters=[16, 32, 64], num_stages=3)
    full = _head_weights(SSHNUNet(**arch, head_rank=None))
    compact = _head_weights(SSHNUNet(**arch, head_rank=8))
    assert 100 / 8 * 0.8 < full / compact < 100 / 8 * 1.2  # kernel heads dominate; bias heads stay full


def test_starts_as_one_he_initialised_kernel_for_every_phi():
    keras.utils.set_random_seed(0)
    hyper = HyperNetwork()
    layer = HyperConv2D(64, 3, head_rank=8, init_gain=2.0)
    layer.build([(None, 8, 8, 64), (1, 100)])
    kernels = []
    for phi in (0.05, 0.5, 1.0):
        kernel, bias = layer.predict_weights(hyper(np.array([[phi]], "float32")))
        kernels.append(np.asarray(kernel))
        assert np.all(np.asarray(bias) == 0)
    np.testing.assert_array_equal(kernels[0], kernels[1])
    np.testing.assert_array_equal(kernels[0], kernels[2])
    assert float(np.var(kernels[0])) * (9 * 64) / 2.0 == pytest.approx(1.0, rel=0.05)  # He: 36864 draws
    # the phi-dependent factor is live: e @ U has about unit norm
    e = np.asarray(hyper(np.array([[0.3]], "float32")))
    assert 0.2 < float(np.sum((e @ np.asarray(layer.kernel_head_in)) ** 2)) < 4


def test_compact_sshn_trains_materializes_and_round_trips(tmp_path, tiny_data, tiny_arch):
    x, y = tiny_data
    model = SSHNUNet(**tiny_arch, head_rank=4)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=SegmentationCrossEntropy())
    before = model.evaluate(x, y, phi=0.25, verbose=0)
    model.fit(x, y, batch_size=8, epochs=4, verbose=0)
    after = model.evaluate(x, y, phi=0.25, verbose=0)
    assert after < 0.8 * before
    low, high = model.predicted_weights(0.1), model.predicted_weights(0.5)
    assert any(not np.allclose(low[k][0], high[k][0]) for k in low)  # kernels learned to depend on phi
    unet = model.materialize(0.3)
    np.testing.assert_allclose(unet.predict(x[:4], verbose=0), model.predict(x[:4], phi=0.3, verbose=0), atol=1e-5)
    path = str(tmp_path / "compact.keras")
    model.save(path)
    loaded = load_model(path)
    assert loaded.head_rank == 4
    np.testing.assert_allclose(loaded.predict(x[:4], phi=0.3, verbose=0), model.predict(x[:4], phi=0.3, verbose=0),
                               atol=1e-6)


@pytest.mark.parametrize("rank", [0, -2, True, 2.5, "8"])
def test_bad_head_rank(rank):
    with pytest.raises(ValueError, match="head_rank"):
        HyperConv2D(4, 3, head_rank=rank)


def test_head_rank_excludes_a_full_head_initializer():
    with pytest.raises(ValueError, match="kernel_head_initializer"):
        HyperConv2D(4, 3, head_rank=4, kernel_head_initializer="zeros")


@pytest.mark.parametrize("head_rank", [None, 4])
def test_hypernetwork_size_counts_the_built_model(head_rank, tiny_arch):
    from sshn_keras.models.hyper_size import hypernetwork_size

    arch = dict(tiny_arch, filters=[4, 8, 16])
    model = SSHNUNet(**arch, head_rank=head_rank)
    size = hypernetwork_size(head_rank=head_rank, **arch)
    assert size["total"] == sum(int(np.prod(v.shape)) for v in model.network.trainable_variables)
    assert size["primary"] == sum(int(np.prod(w.shape)) for w in model.materialize(0.5).trainable_weights)


def test_doubling_widths_need_the_compact_head():
    from sshn_keras.models.hyper_size import hypernetwork_size

    arch = dict(input_shape=(None, None, 1), num_classes=25, filters=[32, 64, 128, 256, 512])
    full, compact = hypernetwork_size(**arch), hypernetwork_size(head_rank=8, **arch)
    assert full["primary"] > 7e6 and full["heads"] > 100 * full["primary"]  # > 0.7G weights
    assert full["heads"] / compact["heads"] > 10
