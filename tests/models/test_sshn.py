import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.metrics import DiceScore
from sshn_keras.models import FiLMUNet, SSHNUNet, StochasticUNet, build_unet


def _compiled(cls, arch, **kwargs):
    model = cls(**arch, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=SegmentationCrossEntropy(), metrics=[DiceScore()])
    return model


@pytest.fixture(scope="module")
def trained(shared_tiny):
    """One model of each phi-conditioned class trained for 4 epochs on the tiny data, shared by this module's tests.
    `trained(cls)` returns (model, loss before, loss after); later tests may train it further or save it, never rely
    on its exact weights."""
    arch, x, y = shared_tiny
    cache = {}

    def get(cls):
        if cls not in cache:
            keras.utils.set_random_seed(1234)
            kwargs = dict(prior=(0.1, 0.45)) if cls is SSHNUNet else {}  # the SSHN's prior is checked after saving
            model = _compiled(cls, arch, **kwargs)
            before = model.evaluate(x, y, phi=0.25, verbose=0)[0]
            model.fit(x, y, batch_size=8, epochs=4, verbose=0)
            cache[cls] = model, before, model.evaluate(x, y, phi=0.25, verbose=0)[0]
        return cache[cls]

    return get


@pytest.mark.parametrize("cls", [SSHNUNet, StochasticUNet, FiLMUNet])
def test_fit_lowers_loss_on_synthetic_data(cls, trained):
    _, before, after = trained(cls)
    assert after < 0.8 * before


def test_fit_on_tf_data(tiny_data, trained):
    x, y = tiny_data
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    model, _, _ = trained(SSHNUNet)
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_one_phi_per_step_from_prior_and_deterministic(tiny_arch):
    model = _compiled(SSHNUNet, tiny_arch, prior=(0.1, 0.4), seed=7)
    model.optimizer.build(model.trainable_variables)
    draws = []
    for step in range(20):
        model.optimizer.iterations.assign(step)
        draws.append(float(model.sample_phi()))
    assert all(0.1 <= d <= 0.4 for d in draws)
    assert len(set(draws)) == 20
    again = _compiled(SSHNUNet, tiny_arch, prior=(0.1, 0.4), seed=7)
    again.optimizer.build(again.trainable_variables)
    again.optimizer.iterations.assign(5)
    assert float(again.sample_phi()) == draws[5]


def test_training_step_is_traced_once_and_never_uses_xla(tiny_data, tiny_arch, monkeypatch):
    x, y = tiny_data

    class CountingSSHN(SSHNUNet):
        traces = 0

        def train_step(self, data):  # Python code here runs only while tracing
            CountingSSHN.traces += 1
            return super().train_step(data)

    model = _compiled(CountingSSHN, tiny_arch)
    assert model.jit_compile is False
    model.fit(x[:16], y[:16], batch_size=1, epochs=1, verbose=0)
    first = CountingSSHN.traces  # TF may trace twice on a first call that creates variables
    model.fit(x[:16], y[:16], batch_size=1, epochs=1, verbose=0)  # 16 more steps, 16 different phi
    assert first <= 2 and CountingSSHN.traces == first
    # "auto" turns XLA on for TensorFlow on a GPU; an SSHN must stay off.
    real = tf.config.list_physical_devices
    fake_gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda *a: real(*a) + [fake_gpu])
    sshn = SSHNUNet(**tiny_arch)
    sshn.compile(optimizer="adam", loss=SegmentationCrossEntropy(), jit_compile="auto")
    assert sshn.jit_compile is False
    fixed = build_unet(**{k: v for k, v in tiny_arch.items()}, phi=0.5)
    fixed.compile(optimizer="adam", loss=SegmentationCrossEntropy(), jit_compile="auto")
    assert fixed.jit_compile is True  # the check above could fail: a static-phi U-Net does get XLA


@pytest.mark.parametrize("cls", [SSHNUNet, StochasticUNet, FiLMUNet])
def test_materialized_equals_model_at_phi(cls, tiny_data, trained):
    x, _ = tiny_data
    model, _, _ = trained(cls)
    for phi in (0.05, 0.17, 0.3, 0.5, 1.0):
        unet = model.materialize(phi)
        assert not any("hyper" in type(l).__name__.lower() for l in unet.layers)
        np.testing.assert_allclose(unet.predict(x[:8], verbose=0), model.predict(x[:8], phi=phi, verbose=0), atol=1e-5)


def test_predict_with_dict_input_and_different_phis_differ(tiny_data, tiny_arch):
    x, _ = tiny_data
    model = SSHNUNet(**tiny_arch)
    a = np.asarray(model({"image": x[:4], "phi": np.array([[0.2]], "float32")}))
    b = model.predict(x[:4], phi=0.2, verbose=0)
    c = model.predict(x[:4], phi=0.6, verbose=0)
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert np.abs(b - c).max() > 1e-4


def test_save_and_load_keras_file(tmp_path, tiny_data, trained):
    x, _ = tiny_data
    model, _, _ = trained(SSHNUNet)  # trained, with prior (0.1, 0.45)
    path = tmp_path / "sshn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode=True by default: no Lambda layers
    assert isinstance(loaded, SSHNUNet) and loaded.prior.low == 0.1
    for phi in (0.1, 0.4):
        np.testing.assert_allclose(loaded.predict(x[:4], phi=phi, verbose=0), model.predict(x[:4], phi=phi, verbose=0), atol=1e-6)
    unet = model.materialize(0.3)
    unet.save(tmp_path / "unet.keras")
    reloaded = keras.saving.load_model(tmp_path / "unet.keras")
    np.testing.assert_allclose(reloaded.predict(x[:4], verbose=0), unet.predict(x[:4], verbose=0), atol=1e-6)


def test_config_round_trip(tiny_arch):
    model = SSHNUNet(**tiny_arch, prior=(0.0, 0.3), hyper_units=(8, 32), seed=3)
    clone = SSHNUNet.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert clone.network.get_layer("hypernetwork").units == (8, 32)


def test_3d_model_runs_and_materializes():
    model = SSHNUNet(input_shape=(8, 8, 8, 1), num_classes=3, filters=2, num_stages=2)
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 8, 1)).astype("float32")
    p = model.predict(x, phi=0.5, verbose=0)
    assert p.shape == (2, 8, 8, 8, 3)
    np.testing.assert_allclose(model.materialize(0.5).predict(x, verbose=0), p, atol=1e-5)
