import keras
import numpy as np
import pytest

from sshn_keras.layers import HyperConv2D, HyperConv3D, HyperNetwork


def _with_kernel(layer, x, e, kernel, bias):
    layer.build([x.shape, e.shape])
    layer.kernel_head.assign(np.zeros(layer.kernel_head.shape, "float32"))
    layer.kernel_head_bias.assign(kernel.ravel())
    layer.bias_head.assign(np.zeros(layer.bias_head.shape, "float32"))
    layer.bias_head_bias.assign(bias)


@pytest.mark.parametrize("padding, strides, dilation", [("same", 1, 1), ("valid", 1, 1), ("same", 2, 1), ("valid", 1, 2)])
def test_equals_conv2d_given_same_kernel(padding, strides, dilation):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 11, 10, 3)).astype("float32")
    e = rng.normal(size=(1, 7)).astype("float32")
    kernel = rng.normal(size=(3, 3, 3, 5)).astype("float32")
    bias = rng.normal(size=(5,)).astype("float32")
    hyper = HyperConv2D(5, 3, padding=padding, strides=strides, dilation_rate=dilation, activation="relu")
    _with_kernel(hyper, x, e, kernel, bias)
    conv = keras.layers.Conv2D(5, 3, padding=padding, strides=strides, dilation_rate=dilation, activation="relu")
    conv.build(x.shape)
    conv.set_weights([kernel, bias])
    ours = np.asarray(hyper([x, e]))
    np.testing.assert_allclose(ours, np.asarray(conv(x)), atol=1e-5)
    assert tuple(ours.shape) == tuple(hyper.compute_output_shape([x.shape, e.shape]))


def test_equals_conv3d_given_same_kernel():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 6, 7, 5, 2)).astype("float32")
    e = rng.normal(size=(1, 4)).astype("float32")
    kernel = rng.normal(size=(3, 3, 3, 2, 4)).astype("float32")
    bias = rng.normal(size=(4,)).astype("float32")
    hyper = HyperConv3D(4, 3)
    _with_kernel(hyper, x, e, kernel, bias)
    conv = keras.layers.Conv3D(4, 3, padding="same")
    conv.build(x.shape)
    conv.set_weights([kernel, bias])
    np.testing.assert_allclose(np.asarray(hyper([x, e])), np.asarray(conv(x)), atol=1e-5)


def test_kernel_is_linear_in_embedding():
    layer = HyperConv2D(3, 3)
    x = np.ones((1, 8, 8, 2), "float32")
    e1 = np.random.default_rng(2).normal(size=(1, 10)).astype("float32")
    e2 = np.random.default_rng(3).normal(size=(1, 10)).astype("float32")
    layer([x, e1])
    layer.kernel_head_bias.assign(np.zeros(layer.kernel_head_bias.shape, "float32"))
    k1, _ = layer.predict_weights(e1)
    k2, _ = layer.predict_weights(e2)
    k12, _ = layer.predict_weights(e1 + 2 * e2)
    np.testing.assert_allclose(np.asarray(k12), np.asarray(k1) + 2 * np.asarray(k2), atol=1e-5)


def test_predicted_kernels_start_at_he_scale_for_every_phi():
    h = HyperNetwork()
    layer = HyperConv2D(64, 3, init_gain=2.0)
    x = np.ones((1, 8, 8, 64), "float32")
    for phi in (0.01, 0.25, 0.5, 1.0):
        e = h(np.array([[phi]], "float32"))
        if not layer.built:
            layer([x, e])
        kernel, bias = layer.predict_weights(e)
        he_var = 2.0 / (9 * 64)
        assert abs(float(np.var(np.asarray(kernel))) / he_var - 1) < 0.05
        assert np.all(np.asarray(bias) == 0)


def test_config_round_trip_and_serialization():
    layer = HyperConv2D(6, (3, 5), strides=2, padding="valid", activation="relu", init_gain=1.5, name="hc")
    config = layer.get_config()
    clone = HyperConv2D.from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(HyperConv3D(2)))
    assert isinstance(restored, HyperConv3D) and restored.kernel_size == (3, 3, 3)


@pytest.mark.parametrize("kwargs, match", [(dict(filters=0), "filters"), (dict(filters=4, padding="full"), "padding"), (dict(filters=4, kernel_size=(3, 3, 3)), "kernel_size")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HyperConv2D(**kwargs)
