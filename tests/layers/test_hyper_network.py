import numpy as np
import pytest

from sshn_keras.layers import HyperNetwork


def test_shape_and_fixed_norm():
    h = HyperNetwork()
    for phi in (0.01, 0.3, 1.0):
        e = np.asarray(h(np.array([[phi]] * 4, "float32")))
        assert e.shape == (1, 100)
        np.testing.assert_allclose(np.sum(e**2), 1 / 100, rtol=1e-4)


def test_default_layers_are_kaiming_with_zero_bias():
    h = HyperNetwork(units=(10, 100))
    h.build((None, 1))
    assert [d.units for d in h.dense_layers] == [10, 100]
    for d in h.dense_layers:
        assert np.all(d.bias.numpy() == 0)
    # Kaiming fan-in variance for LeakyReLU(0.2) on the 10-unit layer: 2 / (1.04 * 10)
    w = h.dense_layers[1].kernel.numpy()
    assert abs(w.var() - 2 / (1.04 * 10)) < 0.05


def test_unnormalised_output_is_linear_in_input_norm():
    h = HyperNetwork(normalize=False)
    e0 = np.asarray(h(np.array([[0.0]], "float32")))
    e1 = np.asarray(h(np.array([[1.0]], "float32")))
    assert np.sum(e0**2) > 0 and np.sum(e1**2) > 0  # [0, 1] and [1, 0] both give an embedding


def test_config_round_trip():
    h = HyperNetwork(units=(8, 16), negative_slope=0.1, normalize=False, name="h")
    clone = HyperNetwork.from_config(h.get_config())
    assert clone.get_config() == h.get_config()


def test_bad_units():
    with pytest.raises(ValueError, match="units"):
        HyperNetwork(units=(10, 0))
