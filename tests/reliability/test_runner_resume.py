"""The experiment runner resumes a model interrupted mid-training from its backup."""

import json

import numpy as np
import pytest

from sshn_keras.experiments import ExperimentConfig, run_experiment
from sshn_keras.experiments.config import PRESETS
from sshn_keras.resumable import ResumableBackup
from sshn_keras.saving import load_model


def _config():
    config = ExperimentConfig.from_dict(PRESETS["synthetic_smoke"].to_dict())
    config.seeds, config.fixed_grid, config.max_epochs, config.patience = {"sshn": [0]}, (), 3, 5
    config.sweep = (0.25, 0.5, 0.25)
    return config


@pytest.mark.slow
def test_runner_resumes_an_interrupted_model(tmp_path, monkeypatch):
    config = _config()
    run_experiment(config, str(tmp_path / "a"), verbose=0)

    save = ResumableBackup.save

    def save_then_die(self, finished):
        save(self, finished)
        if self.epoch == 2:
            raise KeyboardInterrupt("killed after epoch 2")

    monkeypatch.setattr(ResumableBackup, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(config, str(tmp_path / "b"), verbose=0)
    assert (tmp_path / "b" / "backup" / "sshn_seed0" / "state.json").exists()
    assert not (tmp_path / "b" / "models" / "sshn_seed0.keras").exists()
    monkeypatch.setattr(ResumableBackup, "save", save)
    run_experiment(config, str(tmp_path / "b"), verbose=0)

    assert not (tmp_path / "b" / "backup" / "sshn_seed0").exists()  # deleted once the model was saved
    a = load_model(tmp_path / "a" / "models" / "sshn_seed0.keras").get_weights()
    b = load_model(tmp_path / "b" / "models" / "sshn_seed0.keras").get_weights()
    for wa, wb in zip(a, b):
        np.testing.assert_array_equal(wa, wb)
    job_a = json.loads((tmp_path / "a" / "jobs" / "sshn_seed0.json").read_text())
    job_b = json.loads((tmp_path / "b" / "jobs" / "sshn_seed0.json").read_text())
    assert job_b["epochs"] == job_a["epochs"] == 3

    def dice(job):
        return [(r["phi"], r["dice_mean"], r["dice_per_label"]) for r in job["rows"]]  # not the timings

    assert dice(job_b) == dice(job_a)
