"""Safe files: `.keras` files load with `safe_mode`, writes are atomic, nothing is written outside its target."""

import os
import re
from pathlib import Path

import keras
import numpy as np
import pytest

import sshn_keras
from sshn_keras import cli
from sshn_keras.atomic import atomic_save_model, atomic_write, atomic_write_json, remove_stale_temporaries
from sshn_keras.export import export_saved_model
from sshn_keras.models import FiLMUNet, SSHNUNet, StochasticUNet, build_unet
from sshn_keras.saving import load_model

ARCH = dict(input_shape=(32, 32, 1), num_classes=3, filters=2, num_stages=3)
PACKAGE_MODELS = {
    "sshn": lambda: SSHNUNet(**ARCH),
    "sshn_3d": lambda: SSHNUNet(input_shape=(8, 8, 8, 1), num_classes=2, filters=2, num_stages=2),
    "stochastic": lambda: StochasticUNet(**ARCH),
    "film": lambda: FiLMUNet(**ARCH),
    "fixed": lambda: build_unet(**ARCH, phi=0.25),
    "materialized": lambda: SSHNUNet(**ARCH).materialize(0.3),
}


def _layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _layers(layer)


@pytest.mark.parametrize("name", list(PACKAGE_MODELS))
def test_every_package_model_round_trips_with_safe_mode(name, tmp_path):
    model = PACKAGE_MODELS[name]()
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in _layers(model))
    x = np.random.default_rng(0).uniform(size=(2, *model.inputs[0].shape[1:]) if not hasattr(model, "image_shape")
                                         else (2, *model.image_shape)).astype("float32")
    path = atomic_save_model(model, tmp_path / f"{name}.keras")
    loaded = load_model(path, safe_mode=True)
    kwargs = {"phi": 0.3} if hasattr(model, "image_shape") else {}
    np.testing.assert_allclose(loaded.predict(x, verbose=0, **kwargs), model.predict(x, verbose=0, **kwargs), atol=1e-6)


def test_no_lambda_layer_in_the_package_source():
    root = Path(sshn_keras.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py") if re.search(r"\bLambda\s*\(", p.read_text())]
    assert offenders == []


def test_safe_mode_refuses_a_lambda_model(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2)(inputs))
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match=r"lambda\.keras.*(safe_mode|Lambda)"):
        load_model(tmp_path / "lambda.keras")


def test_atomic_write_keeps_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "state.json"
    atomic_write_json(target, {"epoch": 1})

    def half_write(tmp):
        with open(tmp, "w") as f:
            f.write('{"epoch": 2, "weig')
        raise KeyboardInterrupt  # killed mid-write

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half_write)
    assert target.read_text().replace(" ", "").replace("\n", "") == '{"epoch":1}'
    assert os.listdir(tmp_path) == ["state.json"]  # no temporary left behind


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    dead = tmp_path / "ckpt-00003.tmp-999999999-abcd1234.weights.h5"
    mine = tmp_path / f"model.tmp-{os.getpid()}-abcd1234.keras"
    other = tmp_path / "model.keras"
    for p in (dead, mine, other):
        p.write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path) == [str(dead)]
    assert sorted(os.listdir(tmp_path)) == sorted([mine.name, other.name])
    with pytest.raises(ValueError, match="must end with '.keras'"):
        atomic_save_model(build_unet(**ARCH), tmp_path / "model.h5")


def _snapshot(root):
    return {p for p in root.rglob("*")}


@pytest.mark.slow
def test_training_and_export_write_only_inside_their_targets(tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = _snapshot(tmp_path)
    out = tmp_path / "run"
    argv = ["train", "--output", str(out), "--num-images", "10", "--size", "32", "--filters", "2", "--num-stages", "3",
            "--epochs", "2", "--batch-size", "4", "--verbose", "0"]
    assert cli.main(argv) == 0
    created = _snapshot(tmp_path) - before
    assert created and all(out in p.parents or p == out for p in created), sorted(created)
    assert sorted(p.name for p in out.iterdir()) == ["best.keras", "config.json", "history.json", "model.keras"]
    assert cli.main(argv) == 0  # a rerun of a finished run changes nothing
    assert _snapshot(tmp_path) - before == created

    before = _snapshot(tmp_path)
    export_saved_model(load_model(out / "model.keras"), tmp_path / "served", phi=0.25)
    assert all((tmp_path / "served") in p.parents or p == tmp_path / "served" for p in _snapshot(tmp_path) - before)


@pytest.mark.slow
def test_load_model_in_a_fresh_interpreter_registers_the_package_classes(tmp_path):
    import subprocess
    import sys

    SSHNUNet(**ARCH).save(tmp_path / "sshn.keras")
    code = "import sys; from sshn_keras.saving import load_model; print(type(load_model(sys.argv[1])).__name__)"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "sshn.keras")], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("SSHNUNet"), proc.stderr[-2000:]
