"""Nothing lost: every committed experiment still loads, is guarded, and re-aggregates to its committed results.

Model files are not committed (`models/` is git-ignored), so no Dice can be
re-measured without retraining. What is checked from the committed JSON:

* `config.json` loads with the current `ExperimentConfig` and writes back
  unchanged, and a preset reproduces it (up to added seeds);
* the folder's config guard accepts that preset and refuses a changed one;
* every `jobs/*.json` is a job of the config, and re-running the
  aggregation in memory gives the committed `results.json` exactly;
* every row's cost (`gflops`) is recomputed from the config by the FLOP
  counters and matches exactly.
"""

import json
import pathlib
import shutil

import pytest

from sshn_keras.experiments.config import PRESETS, ExperimentConfig
from sshn_keras.experiments.runner import SEED_FIELDS, aggregate, check_folder
from sshn_keras.flops import unet_flops
from sshn_keras.registration.evaluate import registration_flops

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / "experiments"
FOLDERS = sorted(p.parent.name for p in EXPERIMENTS.glob("*/config.json"))
# Channels of the images of each committed experiment's dataset (not recorded in the JSON).
CHANNELS = {"wbc": 3, "oasis_standin": 1}


def _config(name: str) -> tuple:
    text = (EXPERIMENTS / name / "config.json").read_text()
    return ExperimentConfig.from_dict(json.loads(text)), json.loads(text)


def _preset(config: ExperimentConfig) -> str:
    names = [n for n, p in PRESETS.items() if set(p.differences(config)) <= set(SEED_FIELDS)]
    assert names, f"no preset gives this configuration: {config.to_dict()}"
    return names[0]


def test_every_committed_experiment_folder_has_a_config():
    assert {"wbc_paper", "wbc_compact_head", "wbc_fixed_long", "registration_oasis_standin"} <= set(FOLDERS)
    for folder in EXPERIMENTS.iterdir():
        if folder.is_dir():
            assert (folder / "config.json").exists(), f"{folder.name} has no config.json"


@pytest.mark.parametrize("name", FOLDERS)
def test_config_loads_round_trips_and_is_guarded(name, tmp_path):
    config, saved = _config(name)
    assert config.to_dict() == saved  # the current ExperimentConfig writes the committed file back unchanged
    preset = PRESETS[_preset(config)]
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(EXPERIMENTS / name / "config.json", folder / "config.json")
    check_folder(config, str(folder))  # its own config: accepted
    assert json.loads((folder / "config.json").read_text()) == saved  # and left as it was
    if not preset.differences(config):
        check_folder(preset, str(folder))
    changed = ExperimentConfig.from_dict({**saved, "learning_rate": 2 * saved["learning_rate"]})
    with pytest.raises(ValueError, match="differs in: learning_rate"):
        check_folder(changed, str(folder))


@pytest.mark.parametrize("name", FOLDERS)
def test_jobs_reaggregate_to_the_committed_results_exactly(name):
    config, _ = _config(name)
    folder = EXPERIMENTS / name
    keys = {job.key for job in config.jobs()}
    files = {p.stem for p in (folder / "jobs").glob("*.json")}
    assert files <= keys, f"job files that are no job of the config: {sorted(files - keys)}"
    committed = json.loads((folder / "results.json").read_text())
    again = json.loads(json.dumps(aggregate(str(folder), config, write=False)))
    assert again == committed
    assert sorted(again["jobs"]) == sorted(files)


@pytest.mark.parametrize("name", FOLDERS)
def test_every_rows_cost_is_recomputed_exactly_from_the_config(name):
    config, _ = _config(name)
    results = json.loads((EXPERIMENTS / name / "results.json").read_text())
    channels = CHANNELS[config.dataset]
    checked = 0
    for job in results["jobs"].values():
        for row in job["rows"]:
            if config.task == "registration":
                shape = (config.image_size, round(1.2 * config.image_size), channels)
                int_steps = config.task_options.get("int_steps", 0)
                flops = registration_flops(shape, row["phi"], filters=config.filters, num_stages=config.num_stages,
                                           convs_per_stage=config.convs_per_stage, int_steps=int_steps)["total"]
            else:
                shape = (config.image_size, config.image_size, channels)
                flops = unet_flops(shape, len(row["dice_per_label"]) + 1, row["phi"], filters=config.filters,
                                   num_stages=config.num_stages, convs_per_stage=config.convs_per_stage)["total"]
            assert row["gflops"] == flops / 1e9, (job["method"], row["phi"])
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", FOLDERS)
def test_a_task_summary_in_the_folder_is_the_one_its_results_give(name):
    from sshn_keras.experiments.tasks import EXPERIMENT_TASKS

    config, _ = _config(name)
    task = EXPERIMENT_TASKS.get(config.task)
    if task.write_summary is None:
        pytest.skip(f"the {config.task} task writes no summary")
    from sshn_keras.experiments.registration_task import summary_markdown

    results = json.loads((EXPERIMENTS / name / "results.json").read_text())
    assert (EXPERIMENTS / name / "README.md").read_text() == summary_markdown(results)



def test_sshn_unet_default_heads_follow_the_committed_decision():
    """`SSHNUNet`'s default `head_rank` is the recipe's exactly when the committed three-seed rule holds."""
    from sshn_keras.experiments.claims import compact_decision, default_head_rank

    decision = compact_decision(str(EXPERIMENTS / "wbc_recipe"), str(EXPERIMENTS / "wbc_paper"))
    assert default_head_rank() == (_config("wbc_recipe")[0].head_rank if decision["default"] else None)


@pytest.mark.parametrize("name", [n for n in FOLDERS if _config(n)[0].task == "segmentation"
                                  and _config(n)[0].seeds.get("sshn")])
def test_a_configs_head_rank_is_what_its_sshn_models_are_built_with(name):
    """A config's `head_rank: null` rebuilds the paper's full heads, whatever `SSHNUNet`'s default."""
    from sshn_keras.experiments.config import Job
    from sshn_keras.experiments.segmentation_task import build_job_model

    config, _ = _config(name)
    model = build_job_model(config, Job("sshn", config.seeds["sshn"][0]), (16, 16, CHANNELS[config.dataset]), 3)
    assert model.method_options["head_rank"] == config.head_rank
