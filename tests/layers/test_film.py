import keras
import numpy as np

from sshn_keras.layers import FiLM


def test_identity_at_initialisation_and_affine_after():
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 3)).astype("float32")
    e = np.ones((1, 4), "float32")
    layer = FiLM()
    np.testing.assert_allclose(np.asarray(layer([x, e])), x)
    layer.gamma_bias.assign([1.0, 0.0, -0.5])
    layer.beta_bias.assign([0.0, 2.0, 0.0])
    np.testing.assert_allclose(np.asarray(layer([x, e])), x * [2.0, 1.0, 0.5] + [0.0, 2.0, 0.0], atol=1e-6)


def test_config_round_trip():
    layer = FiLM(name="f")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, FiLM) and restored.get_config() == layer.get_config()
