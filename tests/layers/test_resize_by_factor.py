import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.layers import ResizeByFactor


def _linear_1d(x, axis, n_out):
    """Reference half-pixel-centre linear resize along one axis (numpy)."""
    n_in = x.shape[axis]
    scale = n_in / n_out
    pos = (np.arange(n_out) + 0.5) * scale - 0.5
    pos = np.clip(pos, 0, n_in - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    w = pos - lo
    xl = np.take(x, lo, axis=axis)
    xh = np.take(x, hi, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = n_out
    return xl * (1 - w.reshape(shape)) + xh * w.reshape(shape)


@pytest.mark.parametrize("shape, phi, expected", [((2, 5, 7, 3), 0.5, (2, 3, 4, 3)), ((1, 9, 11, 2), 0.3, (1, 3, 3, 2))])
def test_constant_factor_shapes_follow_rounding_rule(shape, phi, expected):
    layer = ResizeByFactor(phi)
    y = layer(np.ones(shape, "float32"))
    assert tuple(y.shape) == expected
    assert layer.compute_output_shape(shape) == expected
    assert layer.compute_output_shape((None, None, 7, 3)) == (None, None, round(phi * 7 + 1e-9), 3)


def test_tensor_phi_gives_same_result_as_constant():
    x = np.random.default_rng(0).normal(size=(2, 13, 17, 3)).astype("float32")
    for phi in (0.1, 0.35, 0.5, 0.77):
        a = ResizeByFactor(phi)(x)
        b = ResizeByFactor()([x, np.array([[phi], [phi]], "float32")])
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_factor_two_equals_keras_upsampling_bilinear():
    x = np.random.default_rng(1).normal(size=(2, 6, 5, 3)).astype("float32")
    ours = ResizeByFactor(2.0)(x)
    ref = keras.layers.UpSampling2D(2, interpolation="bilinear")(x)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(ref), atol=1e-6)


def test_bilinear_matches_numpy_reference():
    x = np.random.default_rng(2).normal(size=(1, 11, 9, 2)).astype("float32")
    y = np.asarray(ResizeByFactor(0.45)(x))  # 11 -> 5, 9 -> 4
    ref = _linear_1d(_linear_1d(x, 1, 5), 2, 4)
    np.testing.assert_allclose(y, ref, atol=1e-5)


def test_trilinear_3d_matches_numpy_reference():
    x = np.random.default_rng(3).normal(size=(2, 7, 9, 6, 2)).astype("float32")
    y = np.asarray(ResizeByFactor(0.5)(x))
    assert y.shape == (2, 4, 5, 3, 2)
    ref = _linear_1d(_linear_1d(_linear_1d(x, 1, 4), 2, 5), 3, 3)
    np.testing.assert_allclose(y, ref, atol=1e-5)


def test_reference_mode_takes_skip_size():
    x = np.ones((2, 3, 4, 5), "float32")
    ref = np.ones((2, 7, 9, 1), "float32")
    layer = ResizeByFactor(mode="reference")
    assert tuple(layer([x, ref]).shape) == (2, 7, 9, 5)
    assert layer.compute_output_shape([(None, 3, 4, 5), (None, 7, 9, 1)]) == (None, 7, 9, 5)


def test_tensor_phi_shape_is_dynamic_and_layer_opts_out_of_xla():
    layer = ResizeByFactor()
    assert not layer.supports_jit
    assert ResizeByFactor(0.5).supports_jit
    assert layer.compute_output_shape([(None, 32, 32, 4), (None, 1)]) == (None, None, None, 4)


def test_gradient_flows_through_resize():
    x = tf.Variable(np.random.default_rng(4).normal(size=(1, 8, 8, 2)).astype("float32"))
    with tf.GradientTape() as tape:
        y = ResizeByFactor()([x, tf.constant([[0.3]])])
        loss = tf.reduce_sum(y**2)
    g = tape.gradient(loss, x)
    assert g is not None and float(tf.reduce_sum(tf.abs(g))) > 0


def test_config_round_trip():
    for layer in (ResizeByFactor(0.25, name="r"), ResizeByFactor(mode="reference"), ResizeByFactor()):
        config = layer.get_config()
        clone = ResizeByFactor.from_config(config)
        assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(ResizeByFactor(0.3)))
    assert isinstance(restored, ResizeByFactor) and restored.factor == 0.3


@pytest.mark.parametrize("kwargs", [dict(factor=0.0), dict(factor=-1.0), dict(factor=float("nan")), dict(factor="half"), dict(mode="nearest"), dict(factor=0.5, mode="reference")])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="factor|mode"):
        ResizeByFactor(**kwargs)


def test_wrong_call_signature_is_explained():
    with pytest.raises(ValueError, match=r"\[x, phi\]"):
        ResizeByFactor()(np.ones((1, 4, 4, 1), "float32"))
