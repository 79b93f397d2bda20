"""Reading a finished experiment with `run_experiment` loads no data and rewrites nothing."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from sshn_keras.experiments import ExperimentConfig, run_experiment
from sshn_keras.experiments import runner

COMMITTED = Path(__file__).resolve().parents[2] / "experiments" / "wbc_paper"


def _digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".sshn_keras.lock"}


def test_reading_a_committed_experiment_loads_no_images(tmp_path, monkeypatch):
    folder = tmp_path / "wbc_paper"
    shutil.copytree(COMMITTED, folder, ignore=shutil.ignore_patterns("models", "backup", "protocol1"))
    before = _digest(folder)

    def no_data(config):
        raise AssertionError("run_experiment loaded the dataset although no job had to run")

    monkeypatch.setattr(runner, "load_data", no_data)
    config = ExperimentConfig.from_dict(json.loads((folder / "config.json").read_text()))
    results = run_experiment(config, str(folder), max_jobs=0, verbose=0)
    assert len(results["jobs"]) == len(list((folder / "jobs").glob("*.json"))) > 0
    assert _digest(folder) == before
    next(iter((folder / "jobs").glob("*.json"))).unlink()
    with pytest.raises(AssertionError, match="loaded the dataset"):
        run_experiment(config, str(folder), verbose=0)  # a missing job does need the data
