"""One `PhiModel` for every architecture x method x task: graph, materialisation, FLOPs, config, saving."""

import numpy as np
import pytest

import keras

from sshn_keras.architectures import UNetSpec, VxmDenseSpec, count_flops
from sshn_keras.models import PhiModel
from sshn_keras.tasks import RegistrationTask, SegmentationTask

SPECS = {
    "unet": UNetSpec((16, 16, 1), filters=[2, 3], num_stages=2, convs_per_stage=1),
    "vxm_dense": VxmDenseSpec(inshape=(16, 16), nb_unet_features=[[2, 3], [3, 2, 2]]),
}
TASKS = {"segmentation": SegmentationTask(3), "registration": RegistrationTask(int_steps=2, int_downsize=2)}
METHODS = ("sshn", "stochastic", "film")
PHI = 0.3


def _inputs(spec, task, batch=2, seed=0):
    rng = np.random.default_rng(seed)
    shape = (batch, *spec.input_shape)
    if isinstance(task, SegmentationTask):
        return rng.random(shape, dtype=np.float32)
    return [rng.random(shape, dtype=np.float32), rng.random(shape, dtype=np.float32)]


def _outputs(out):
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _max_diff(a, b):
    return max(float(np.max(np.abs(x - y))) for x, y in zip(_outputs(a), _outputs(b)))


def _perturb(model):
    """Move every weight away from its initial value (FiLM starts as the identity, heads near zero)."""
    rng = np.random.default_rng(1)
    for w in model.trainable_weights:
        w.assign(np.asarray(w) + 0.05 * rng.standard_normal(w.shape).astype("float32"))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("task_name", list(TASKS))
@pytest.mark.parametrize("spec_name", list(SPECS))
def test_materialised_network_equals_the_model_at_phi(spec_name, task_name, method):
    spec, task = SPECS[spec_name], TASKS[task_name]
    model = PhiModel(spec, method, task)
    _perturb(model)
    x = _inputs(spec, task)
    plain = model.materialize(PHI)
    assert not any("hyper" in type(layer).__name__.lower() or "film" in layer.name for layer in plain.layers)
    diff = _max_diff(model.predict(x, phi=PHI, verbose=0), plain(x))
    assert diff <= 1e-5, diff
    assert model.flops(PHI) == count_flops(plain)


@pytest.mark.parametrize("method", METHODS)
def test_config_round_trip_and_keras_file(method, tmp_path):
    spec, task = SPECS["vxm_dense"], TASKS["registration"]
    options = {"head_rank": 2} if method == "sshn" else {}
    model = PhiModel(spec, method, task, method_options=options, prior=(0.1, 0.6), seed=3, name=f"m_{method}")
    _perturb(model)
    x = _inputs(spec, task)
    expected = model.predict(x, phi=PHI, verbose=0)

    clone = PhiModel.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    clone.set_weights(model.get_weights())
    assert _max_diff(clone.predict(x, phi=PHI, verbose=0), expected) == 0.0

    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is PhiModel and loaded.spec == spec and loaded.task == task and loaded.method == method
    assert _max_diff(loaded.predict(x, phi=PHI, verbose=0), expected) == 0.0


def test_3d_registration_on_voxelmorph_layout():
    spec = VxmDenseSpec(inshape=(8, 8, 8), nb_unet_features=[[2], [2, 2]])
    model = PhiModel(spec, "sshn", RegistrationTask(int_steps=1, int_downsize=2))
    _perturb(model)
    x = _inputs(spec, model.task, batch=1)
    moved, flow = model.predict(x, phi=0.5, verbose=0)
    assert moved.shape == (1, 8, 8, 8, 1) and flow.shape == (1, 4, 4, 4, 3)
    assert _max_diff(model.predict(x, phi=0.5, verbose=0), model.materialize(0.5)(x)) <= 1e-5
    assert model.register(*x, phi=0.5).shape == (1, 8, 8, 8, 3)


def test_register_is_for_registration_models():
    model = PhiModel(SPECS["unet"], "stochastic", TASKS["segmentation"])
    with pytest.raises(TypeError, match="registration"):
        model.register(np.zeros((1, 16, 16, 1)), np.zeros((1, 16, 16, 1)))
