import json

import numpy as np
import pytest

from sshn_keras.experiments import ExperimentConfig, run_experiment
from sshn_keras.experiments.config import PRESETS


def _smoke(**changes):
    config = ExperimentConfig.from_dict(PRESETS["synthetic_smoke"].to_dict())
    for k, v in changes.items():
        setattr(config, k, v)
    return config


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    """A smoke experiment interrupted after one model, then resumed (shared: later tests work on copies)."""
    path = tmp_path_factory.mktemp("runner") / "exp"
    config = _smoke(seeds={"sshn": [0], "film": [0]}, fixed_grid=(0.5,))
    first = run_experiment(config, str(path), max_jobs=1, verbose=0)  # interrupted after one model
    stamp = (path / "jobs" / "sshn_seed0.json").stat().st_mtime_ns
    results = run_experiment(config, str(path), verbose=0)  # resumes: only the missing two are trained
    return config, path, first, stamp, results


@pytest.mark.slow
def test_runner_trains_caches_resumes_and_plots(experiment):
    config, path, first, stamp, results = experiment
    assert list(first["jobs"]) == ["sshn_seed0"] and len(first["missing"]) == 2
    assert (path / "jobs" / "sshn_seed0.json").stat().st_mtime_ns == stamp
    assert set(results["jobs"]) == {"sshn_seed0", "film_seed0", "fixed_phi0.50_seed0"} and results["missing"] == []
    assert len(results["jobs"]["sshn_seed0"]["rows"]) == 10  # phi 0.05 ... 0.5
    assert results["jobs"]["fixed_phi0.50_seed0"]["train_seconds"] > 0
    assert (path / "dice_vs_phi.png").exists() and (path / "dice_vs_gflops.png").exists()
    saved = json.loads((path / "results.json").read_text())
    assert saved["summary"]["dice_at_phi0.5"]["sshn"]["seeds"] == 1


def test_folder_of_another_configuration_is_refused(tmp_path):
    folder = str(tmp_path / "exp")
    from sshn_keras.experiments.runner import check_folder

    check_folder(_smoke(), folder)
    before = (tmp_path / "exp" / "config.json").read_text()
    with pytest.raises(ValueError, match="different configuration .*learning_rate"):
        run_experiment(_smoke(learning_rate=0.1), folder)
    assert (tmp_path / "exp" / "config.json").read_text() == before


def test_more_seeds_extend_a_folder_and_fewer_are_refused(tmp_path):
    folder = str(tmp_path / "exp")
    from sshn_keras.experiments.runner import check_folder

    check_folder(_smoke(), folder)
    (tmp_path / "exp" / "jobs" / "sshn_seed0.json").write_text("{}")  # a finished job stays
    more = _smoke(seeds={"sshn": [0, 1], "stochastic": [0], "film": [0]}, fixed_seeds={"0.25": [0, 1]})
    check_folder(more, folder)
    saved = ExperimentConfig.from_dict(json.loads((tmp_path / "exp" / "config.json").read_text()))
    assert saved.differences(more) == [] and (tmp_path / "exp" / "jobs" / "sshn_seed0.json").exists()
    with pytest.raises(ValueError, match=r"differs in: fixed_seeds, seeds; it would drop jobs \['fixed_phi0.25_seed1', 'sshn_seed1'\]"):
        check_folder(_smoke(), folder)
    with pytest.raises(ValueError, match="differs in: learning_rate, seeds\\)"):
        check_folder(_smoke(seeds={"sshn": [0, 1, 2], "stochastic": [0], "film": [0]}, fixed_seeds={"0.25": [0, 1]},
                            learning_rate=0.1), folder)
    assert ExperimentConfig.from_dict(json.loads((tmp_path / "exp" / "config.json").read_text())).differences(more) == []


def test_job_order_puts_first_seeds_first():
    keys = [j.key for j in PRESETS["wbc_paper"].jobs()]
    assert keys[:5] == ["sshn_seed0", "stochastic_seed0", "film_seed0", "fixed_phi0.50_seed0", "fixed_phi0.45_seed0"]
    assert len(keys) == 3 + 1 + 1 + 3 * 10
    assert keys.count("fixed_phi0.50_seed1") == 1 and keys.index("sshn_seed1") < keys.index("fixed_phi0.05_seed1")


def test_bad_config():
    with pytest.raises(ValueError, match="dataset"):
        ExperimentConfig(dataset="mnist")
    with pytest.raises(ValueError, match="fixed_grid"):
        ExperimentConfig(fixed_grid=(0.0, 0.5))


def test_phi_models_validate_on_the_grid_with_their_own_patience(tmp_path, monkeypatch):
    import sshn_keras.training.job as training_job

    calls = []
    real = training_job.fit_resumable

    def spy(model, *args, **kwargs):
        calls.append((model.name, kwargs["epochs"], kwargs["validation_data"] is None,
                      [type(c).__name__ for c in kwargs["callbacks"]],
                      [c.patience for c in kwargs["callbacks"] if hasattr(c, "patience")]))
        return real(model, *args, **kwargs)

    monkeypatch.setattr(training_job, "fit_resumable", spy)
    config = _smoke(seeds={"sshn": [0]}, fixed_grid=(0.5,), validation_phis=(0.25, 0.5), phi_patience=3,
                    phi_max_epochs=2, max_epochs=1)
    results = run_experiment(config, str(tmp_path / "exp"), verbose=0)
    (sshn, sshn_epochs, sshn_noval, sshn_cbs, sshn_pat), (_, fixed_epochs, fixed_noval, fixed_cbs, fixed_pat) = calls
    assert sshn_cbs == ["PhiGridValidation", "EarlyStopping"] and sshn_noval and sshn_pat == [3] and sshn_epochs == 2
    assert fixed_cbs == ["EarlyStopping"] and not fixed_noval and fixed_pat == [1] and fixed_epochs == 1
    assert results["jobs"]["sshn_seed0"]["epochs"] == 2
    history = json.loads((tmp_path / "exp" / "jobs" / "sshn_seed0.json").read_text())["history"]  # per epoch
    assert {"loss", "val_loss", "val_loss_phi0.25", "val_dice_phi0.5"} <= set(history)
    assert all(len(v) == 2 for v in history.values())
    assert len(results["jobs"]["fixed_phi0.50_seed0"]["history"]["val_loss"]) == 1


def test_bad_phi_training_config():
    with pytest.raises(ValueError, match="validation_phis"):
        ExperimentConfig(validation_phis=(0.0, 0.5))
    with pytest.raises(ValueError, match="phi_patience"):
        ExperimentConfig(phi_patience=0)


def test_methods_filter_trains_only_those_jobs_and_head_rank_reaches_sshn(tmp_path):
    from sshn_keras.saving import load_model

    folder = tmp_path / "exp"
    config = _smoke(seeds={"sshn": [0]}, fixed_grid=(0.5,), head_rank=2, max_epochs=1)
    results = run_experiment(config, str(folder), verbose=0, methods=["sshn"])
    assert list(results["jobs"]) == ["sshn_seed0"] and results["missing"] == ["fixed_phi0.50_seed0"]
    assert load_model(str(folder / "models" / "sshn_seed0.keras")).head_rank == 2
    with pytest.raises(ValueError, match="methods"):
        run_experiment(config, str(folder), methods=["unet"])


def test_jobs_filter_trains_only_the_named_jobs_and_unknown_names_are_refused(tmp_path):
    folder = tmp_path / "exp"
    config = _smoke(seeds={"sshn": [0]}, fixed_grid=(0.5,), fixed_seeds={"0.5": [0, 1]}, max_epochs=1)
    with pytest.raises(ValueError, match="Unknown: \\['fixed_phi0.50_seed7'\\].*fixed_phi0.50_seed1"):
        run_experiment(config, str(folder), only=["fixed_phi0.50_seed7"])
    assert not folder.exists()  # refused before anything was written
    results = run_experiment(config, str(folder), verbose=0, only=["fixed_phi0.50_seed1"])
    assert list(results["jobs"]) == ["fixed_phi0.50_seed1"]
    assert results["missing"] == ["sshn_seed0", "fixed_phi0.50_seed0"]


def test_compact_head_preset_has_no_fixed_jobs():
    config = PRESETS["wbc_compact_head"]
    assert [j.key for j in config.jobs()] == ["sshn_seed0"] and config.head_rank == 8
    paper = PRESETS["wbc_paper"].to_dict()
    # trained exactly as the paper experiment's SSHN, except for the head
    assert {k for k, v in config.to_dict().items() if paper[k] != v} == {"head_rank", "seeds", "fixed_grid", "fixed_seeds"}


def test_recipe_preset_is_the_compact_head_on_a_fixed_budget():
    config = PRESETS["wbc_recipe"]
    assert [j.key for j in config.jobs()] == ["sshn_seed0", "sshn_seed1", "sshn_seed2"]
    assert config.phi_patience == config.phi_max_epochs == 150  # never stops early; restores the best epoch
    compact = PRESETS["wbc_compact_head"].to_dict()
    assert {k for k, v in config.to_dict().items() if compact[k] != v} == {"seeds", "phi_patience"}


def test_cosine_lever_is_the_recipe_with_a_decaying_learning_rate_over_a_shorter_budget():
    import keras

    from sshn_keras.experiments.runner import learning_rate

    cosine, recipe = PRESETS["wbc_recipe_cosine"], PRESETS["wbc_recipe"]
    assert sorted(cosine.differences(recipe)) == ["lr_schedule", "phi_max_epochs", "phi_patience"]
    assert "lr_schedule" not in recipe.to_dict()  # configs written before the field existed stay the same
    assert ExperimentConfig.from_dict(cosine.to_dict()).differences(cosine) == []
    x = np.zeros((20, 4, 4, 1))
    schedule = learning_rate(cosine, {"train": (x, x), "epochs": 60})
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert schedule.decay_steps == 3 * 60 and float(schedule(0)) == pytest.approx(1e-3)  # 20 images, batch 8: 3 steps
    assert float(schedule(180)) == pytest.approx(5e-5)
    assert learning_rate(cosine, {"train": None, "steps_per_epoch": 7, "epochs": 2}).decay_steps == 14
    assert learning_rate(recipe, {"train": (x, x), "epochs": 60}) == 1e-3
    with pytest.raises(ValueError, match="lr_schedule"):
        _smoke(lr_schedule="linear").__post_init__()


def test_fixed_long_preset_differs_from_the_paper_only_in_stopping():
    config = PRESETS["wbc_fixed_long"]
    assert [j.key for j in config.jobs()] == ["fixed_phi0.50_seed0"]
    paper = PRESETS["wbc_paper"]
    assert (config.patience, config.max_epochs) == (paper.phi_patience, paper.phi_max_epochs)
    assert (config.learning_rate, config.global_clipnorm, config.filters, config.batch_size) == (
        paper.learning_rate, paper.global_clipnorm, paper.filters, paper.batch_size)


@pytest.mark.parametrize("name", ["wbc_paper", "wbc_compact_head", "wbc_fixed_long", "wbc_recipe"])
def test_presets_match_their_committed_experiment_folders(name):
    import pathlib

    path = pathlib.Path(__file__).parents[2] / "experiments" / name / "config.json"
    assert ExperimentConfig.from_dict(json.loads(path.read_text())).differences(PRESETS[name]) == []


@pytest.mark.slow
def test_missing_model_file_is_retrained_on_request_and_a_rerun_rewrites_nothing(experiment, tmp_path):
    import shutil

    from sshn_keras.experiments.runner import load_job_model

    config, path, _, _, _ = experiment
    folder = tmp_path / "exp"
    shutil.copytree(path, folder)  # a finished experiment
    stamps = {p.name: p.stat().st_mtime_ns for p in (folder / "results.json", folder / "dice_vs_phi.png")}
    (folder / "models" / "sshn_seed0.keras").unlink()  # a fresh clone: results committed, models git-ignored
    run_experiment(config, str(folder), verbose=0)  # nothing new: results and plots untouched
    assert {p.name: p.stat().st_mtime_ns for p in (folder / "results.json", folder / "dice_vs_phi.png")} == stamps
    with pytest.raises(FileNotFoundError, match=r"sshn-keras experiment --preset .* --folder .* --ensure-models sshn_seed0"):
        load_job_model(config, str(folder), "sshn_seed0")
    with pytest.raises(ValueError, match="key"):
        load_job_model(config, str(folder), "fixed_phi0.50_seed9")
    model = load_job_model(config, str(folder), "sshn_seed0", train_if_missing=True, verbose=0)
    assert (folder / "models" / "sshn_seed0.keras").exists() and model.count_params() > 0
    assert {p.name: p.stat().st_mtime_ns for p in (folder / "results.json", folder / "dice_vs_phi.png")} == stamps
