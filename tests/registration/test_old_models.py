"""Registration models saved by the package before VoxelMorph's layout became the default still load, unchanged.

The fixtures (`tests/fixtures/old_registration/`, written by
`tests/fixtures/make_old_registration_fixtures.py` with the older package)
are tiny SSHN and FiLM models and a Fixed network on the U-Net layout
(argument names `input_shape`, `filters`, `num_stages`, ...), their
configs, and their outputs on fixed inputs.
"""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from sshn_keras.architectures import UNetSpec
from sshn_keras.registration import FiLMVxmDense, SSHNVxmDense

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "old_registration"
CLASSES = {"sshn": SSHNVxmDense, "film": FiLMVxmDense}


@pytest.fixture(scope="module")
def saved():
    return dict(np.load(FIXTURES / "outputs.npz")), json.loads((FIXTURES / "configs.json").read_text())


@pytest.mark.parametrize("name", ["sshn", "film", "fixed"])
def test_old_keras_files_load_and_give_the_same_outputs(name, saved):
    outputs, _ = saved
    model = keras.saving.load_model(FIXTURES / f"{name}.keras", safe_mode=True)
    kwargs = {"phi": 0.3} if name != "fixed" else {}
    moved, flow = model.predict([outputs["moving"], outputs["fixed"]], verbose=0, **kwargs)
    diff = max(np.max(np.abs(moved - outputs[f"{name}_moved"])), np.max(np.abs(flow - outputs[f"{name}_flow"])))
    print(f"old {name}.keras: max abs diff of moved and flow {diff:.2e}")
    assert diff <= 1e-6 and np.abs(outputs[f"{name}_flow"]).max() > 0.01
    if name != "fixed":
        assert isinstance(model, CLASSES[name]) and isinstance(model.spec, UNetSpec)


@pytest.mark.parametrize("name", ["sshn", "film"])
def test_old_configs_build_the_old_layout(name, saved):
    outputs, configs = saved
    config = configs[name]
    assert "filters" in config and "inshape" not in config  # the old argument names
    model = CLASSES[name].from_config(config)
    assert isinstance(model.spec, UNetSpec) and model.spec.filters == config["filters"]
    assert model.int_steps == config["int_steps"] and model.get_config() == config  # the same keys, round trip
    model.set_weights(keras.saving.load_model(FIXTURES / f"{name}.keras").get_weights())
    moved, flow = model.predict([outputs["moving"], outputs["fixed"]], phi=0.3, verbose=0)
    np.testing.assert_allclose(flow, outputs[f"{name}_flow"], atol=1e-6)
    np.testing.assert_allclose(moved, outputs[f"{name}_moved"], atol=1e-6)
