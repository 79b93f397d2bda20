"""Mixed precision: convolutions in bfloat16 / float16, hypernetwork, kernels, phi and outputs in float32."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.export import export_saved_model, load_saved_model
from sshn_keras.layers import ResizeByFactor, scaled_size
from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.models import FiLMUNet, SSHNUNet, StochasticUNet, build_unet

ARCH = dict(input_shape=(32, 32, 1), num_classes=4, filters=4, num_stages=3)


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


def _fit(model, x, y, steps=2):
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    history = model.fit(x[: 4 * steps], y[: 4 * steps], batch_size=4, epochs=1, verbose=0)
    return history.history["loss"][-1]


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
def test_resize_computes_sizes_from_float32_phi(policy):
    # bfloat16(0.35) = 0.3496: 10 * 0.3496 would round to 3 instead of 4
    assert scaled_size(10, 0.35) == 4
    out = ResizeByFactor()([tf.ones((1, 10, 10, 2)), tf.constant([[0.35]])])
    assert tuple(out.shape) == (1, 4, 4, 2) and out.dtype == tf.bfloat16


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
def test_sshn_dtypes_under_mixed_bfloat16(policy):
    model = SSHNUNet(**ARCH)
    network = model.network
    assert {v.dtype for v in model.weights} == {"float32"}
    assert network.get_layer("hypernetwork").output.dtype == "float32"
    conv = network.get_layer("enc1_conv0")
    assert conv.compute_dtype == "bfloat16" and conv.output.dtype == "bfloat16"
    assert network.get_layer("enc1_resize").output.dtype == "bfloat16"
    assert network.output.dtype == "float32"  # the softmax
    embedding = network.get_layer("hypernetwork")(np.array([[0.3]], "float32"))
    kernel, bias = conv.predict_weights(embedding)
    assert kernel.dtype == "float32" and bias.dtype == "float32"


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
def test_sshn_fits_materializes_exports_and_reloads_under_bfloat16(policy, tiny_data, tmp_path):
    x, y = tiny_data
    model = SSHNUNet(**ARCH)
    assert np.isfinite(_fit(model, x, y))
    probs = model.predict(x[:3], phi=0.35, verbose=0)
    assert probs.dtype == np.float32 and np.all(np.isfinite(probs))
    unet = model.materialize(0.35)
    np.testing.assert_allclose(unet.predict(x[:3], verbose=0), probs, atol=0.02)

    whole = load_saved_model(export_saved_model(model, tmp_path / "whole")).signatures["serving_default"]
    out = whole(image=tf.constant(x[:3], tf.float32), phi=tf.constant(0.35))
    assert out["probabilities"].dtype == tf.float32
    np.testing.assert_allclose(out["probabilities"].numpy(), probs, atol=0.02)
    fixed = load_saved_model(export_saved_model(model, tmp_path / "at_phi", phi=0.35)).signatures["serving_default"]
    assert fixed.structured_input_signature[1]["image"].dtype == tf.float32
    np.testing.assert_allclose(fixed(image=tf.constant(x[:3]))["probabilities"].numpy(), probs, atol=0.02)

    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(reloaded.predict(x[:3], phi=0.35, verbose=0), probs, atol=1e-6)


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
@pytest.mark.parametrize("cls", [FiLMUNet, StochasticUNet])
def test_baselines_fit_and_materialize_under_bfloat16(policy, cls, tiny_data):
    x, y = tiny_data
    model = cls(**ARCH)
    assert np.isfinite(_fit(model, x, y))
    probs = model.predict(x[:3], phi=0.3, verbose=0)
    np.testing.assert_allclose(model.materialize(0.3).predict(x[:3], verbose=0), probs, atol=0.02)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"], indirect=True)
def test_fixed_unet_and_sshn_train_under_each_policy(policy, tiny_data):
    x, y = tiny_data
    unet = build_unet(**ARCH, phi=0.5)
    assert np.isfinite(_fit(unet, x, y, steps=1))
    model = SSHNUNet(**ARCH)
    assert np.isfinite(_fit(model, x, y, steps=1))
    if policy == "mixed_float16":
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)  # Keras adds loss scaling
