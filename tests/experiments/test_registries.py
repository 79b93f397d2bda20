"""Adding a method and a dataset is one registry entry each: a toy pair runs through the experiment runner."""

import json
import logging

import numpy as np
import pytest

from sshn_keras.data import DATASETS
from sshn_keras.experiments import EXPERIMENT_TASKS, ExperimentConfig, run_experiment
from sshn_keras.experiments.tables import method_order
from sshn_keras.models import METHODS, Method, StochasticUNet
from sshn_keras.plots import method_style
from sshn_keras.registration import VxmDense
from sshn_keras.registry import Registry


def toy_squares(*, data_root=None, image_size=16, seed=0, num_images=10, progress=True):
    """Bright squares on noise; label 1 inside the square."""
    rng = np.random.default_rng(seed)
    images = rng.normal(0.0, 0.1, size=(num_images, image_size, image_size, 1)).astype(np.float32)
    labels = np.zeros((num_images, image_size, image_size), np.int32)
    for i in range(num_images):
        r, c = rng.integers(0, image_size // 2, size=2)
        labels[i, r:r + image_size // 2, c:c + image_size // 2] = 1
    images[..., 0] += labels
    return {"train": (images[:6], labels[:6]), "val": (images[6:8], labels[6:8]), "test": (images[8:], labels[8:]),
            "label_names": ["background", "square"]}


def toy_unet(**kwargs):
    """A Stochastic U-Net under another name: the method's model class is all a method needs."""
    return StochasticUNet(**kwargs, name="toy_unet")


@pytest.fixture
def toy_entries():
    METHODS.register("toy", Method("toy", toy_unet, label="Toy", colour="C5"))
    DATASETS.register("toy_squares", toy_squares)
    try:
        yield
    finally:
        METHODS.unregister("toy")
        DATASETS.unregister("toy_squares")


def test_registered_toy_method_and_dataset_run_through_the_runner(tmp_path, toy_entries, caplog):
    caplog.set_level(logging.INFO, logger="sshn_keras")
    config = ExperimentConfig(dataset="toy_squares", image_size=16, seeds={"toy": [0]}, fixed_grid=(),
                              fixed_seeds={}, filters=2, num_stages=2, max_epochs=1, patience=1, batch_size=3,
                              sweep=(0.25, 0.5, 0.25), num_images=10)
    assert [job.key for job in config.jobs()] == ["toy_seed0"]
    results = run_experiment(config, str(tmp_path / "exp"), verbose=0)
    saved = json.loads((tmp_path / "exp" / "results.json").read_text())
    assert saved["missing"] == [] and list(saved["jobs"]) == ["toy_seed0"]
    toy = saved["jobs"]["toy_seed0"]
    assert toy["method"] == "toy" and [row["phi"] for row in toy["rows"]] == [0.25, 0.5]
    assert all(0.0 <= row["dice_mean"] <= 1.0 for row in toy["rows"])
    assert results["summary"]["dice_at_phi0.5"]["toy"]["seeds"] == 1
    assert (tmp_path / "exp" / "models" / "toy_seed0.keras").exists()
    assert (tmp_path / "exp" / "dice_vs_phi.png").exists()
    assert method_style("toy") == ("Toy", "C5") and "toy" in method_order()
    assert "[1/1] toy_seed0" in caplog.text  # progress is logged


def test_names_are_checked_against_the_registries(toy_entries):
    ExperimentConfig(dataset="toy_squares", seeds={"toy": [0]})
    with pytest.raises(ValueError, match=r"Unknown dataset `dataset`='nope'. Registered datasets: \['synthetic', 'wbc'"):
        ExperimentConfig(dataset="nope")
    with pytest.raises(ValueError, match=r"phi-conditioned methods \['sshn', 'stochastic', 'film', 'toy'\]"):
        ExperimentConfig(dataset="synthetic", seeds={"fixed": [0]})


def test_cli_choices_come_from_the_registries(toy_entries):
    import argparse

    from sshn_keras import train_cli
    from sshn_keras.experiments import cli as experiment_cli

    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    experiment_cli.add_parser(subparsers)
    train_cli.add_parser(subparsers)
    args = parser.parse_args(["experiment", "--folder", "f", "--methods", "toy", "fixed"])
    assert args.methods == ["toy", "fixed"]
    args = parser.parse_args(["train", "--output", "o", "--method", "toy", "--dataset", "toy_squares"])
    assert (args.method, args.dataset) == ("toy", "toy_squares")


def test_unregistered_names_are_gone():
    assert "toy" not in METHODS and "toy_squares" not in DATASETS
    with pytest.raises(ValueError, match="Unknown method 'toy'"):
        METHODS.get("toy")


def test_registry_refuses_duplicates_and_lists_names():
    registry = Registry("thing")
    registry.register("a", 1)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("a", 2)
    registry.register("a", 3, overwrite=True)
    assert registry["a"] == 3 and registry.names() == ("a",) and list(registry) == ["a"] and len(registry) == 1
    with pytest.raises(ValueError, match=r"Unknown thing `kind`='b'. Registered things: \['a'\]"):
        registry.check("b", "kind")


def test_the_cli_shows_logged_progress():
    import io

    from sshn_keras.cli import show_progress

    stream = io.StringIO()
    show_progress(stream)
    logger = logging.getLogger("sshn_keras")
    try:
        logging.getLogger("sshn_keras.experiments.runner").info("[1/3] %s", "sshn_seed0")
        assert stream.getvalue() == "[1/3] sshn_seed0\n"
        other = io.StringIO()
        stream.close()  # e.g. a test's captured stdout, gone since
        show_progress(other)  # a second call replaces the first handler
        logging.getLogger("sshn_keras.experiments.runner").info("again")
        assert other.getvalue() == "again\n"
    finally:
        for handler in [h for h in logger.handlers if getattr(h, "sshn_keras_cli", False)]:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def test_train_cli_trains_a_registered_toy_method_on_a_toy_dataset(tmp_path, toy_entries):
    from sshn_keras import cli

    out = tmp_path / "run"
    argv = ["train", "--output", str(out), "--method", "toy", "--dataset", "toy_squares", "--data-root", str(tmp_path),
            "--size", "16", "--num-images", "10", "--filters", "2", "--num-stages", "2", "--epochs", "1",
            "--batch-size", "3", "--patience", "1", "--validation-phis", "0.25", "0.5", "--verbose", "0"]
    assert cli.main(argv) == 0
    settings = json.loads((out / "config.json").read_text())
    assert (settings["method"], settings["dataset"], settings["global_clipnorm"]) == ("toy", "toy_squares", 1.0)
    history = json.loads((out / "history.json").read_text())["history"]
    assert len(history["loss"]) == 1 and {"val_loss_phi0.25", "val_loss_phi0.5"} <= set(history)  # the phi grid
    assert (out / "model.keras").exists() and not (out / "backup").exists()
    assert cli.main(argv) == 0  # rerun: already trained, nothing retrained
    changed = [a if a != "1.0" else "0.5" for a in argv] + ["--global-clipnorm", "0.5"]
    assert cli.main(changed) == 2  # other settings: refused


@pytest.mark.slow
def test_registration_task_runs_a_toy_dataset_through_the_runner(tmp_path, toy_entries):
    options = {"steps_per_epoch": 2, "test_pairs": 3, "lambda_weight": 0.01, "int_steps": 0}
    config = ExperimentConfig(dataset="toy_squares", task="registration", task_options=options, image_size=16,
                              seeds={"sshn": [0]}, fixed_grid=(0.5,), fixed_seeds={}, filters=2, num_stages=2,
                              batch_size=2, max_epochs=1, sweep=(0.25, 0.5, 0.25))
    folder = tmp_path / "reg"
    results = run_experiment(config, str(folder), verbose=0)
    assert sorted(results["jobs"]) == ["fixed_phi0.50_seed0", "sshn_seed0"] and results["missing"] == []
    sshn = results["jobs"]["sshn_seed0"]
    assert [row["phi"] for row in sshn["rows"]] == [0.25, 0.5] and sshn["epochs"] == 1
    for row in sshn["rows"] + results["jobs"]["fixed_phi0.50_seed0"]["rows"]:
        assert 0.0 <= row["dice_mean"] <= 1.0 and 0.0 <= row["nonpositive_jacobian"] <= 1.0
        assert row["dice_before_mean"] == sshn["rows"][0]["dice_before_mean"] and row["gflops"] > 0
    saved = json.loads((folder / "config.json").read_text())
    assert saved["task"] == "registration" and ExperimentConfig.from_dict(saved).differences(config) == []
    assert "| sshn_seed0 | 0.25 |" in (folder / "README.md").read_text()
    assert run_experiment(config, str(folder), verbose=0)["jobs"] == results["jobs"]  # resumed: nothing retrained
    with pytest.raises(ValueError, match="registration task has networks for the methods"):
        run_experiment(ExperimentConfig.from_dict({**config.to_dict(), "seeds": {"toy": [0]}, "fixed_grid": []}),
                       str(tmp_path / "toy"), verbose=0)


@pytest.mark.slow
def test_registration_runner_trains_every_method_on_voxelmorphs_layout(tmp_path, toy_entries):
    features = [[2, 4], [4, 4, 2]]
    options = {"steps_per_epoch": 1, "test_pairs": 2, "int_steps": 7, "architecture": "vxm_dense",
               "nb_unet_features": features}
    config = ExperimentConfig(dataset="toy_squares", task="registration", task_options=options, image_size=16,
                              seeds={"sshn": [0], "stochastic": [0], "film": [0]}, fixed_grid=(0.5,), fixed_seeds={},
                              batch_size=2, max_epochs=1, sweep=(0.5, 0.5, 0.25), num_images=10)
    data = EXPERIMENT_TASKS.get("registration").load(config)
    for job in config.jobs():  # each job's network is VoxelMorph's layout, Fixed included
        model = EXPERIMENT_TASKS.get("registration").build(config, job, data)
        plain = model.materialize(0.5) if job.phi is None else model
        assert [layer.name for layer in plain.layers if layer.weights][:2] == ["enc_conv_0_0", "enc_conv_1_0"]
        assert plain.count_params() == VxmDense(inshape=(16, 16), nb_unet_features=features).count_params()
    results = run_experiment(config, str(tmp_path / "vxm"), verbose=0)
    assert sorted(results["jobs"]) == ["film_seed0", "fixed_phi0.50_seed0", "sshn_seed0", "stochastic_seed0"]
    gflops = {key: job["rows"][-1]["gflops"] for key, job in results["jobs"].items()}
    assert len(set(gflops.values())) == 1  # every method counted on the same network at phi 0.5
    with pytest.raises(ValueError, match="nb_unet_features"):
        EXPERIMENT_TASKS.get("registration").build(
            ExperimentConfig.from_dict({**config.to_dict(), "task_options": {**options, "architecture": "unet"}}),
            config.jobs()[0], data)


def test_tasks_are_checked_against_their_registry():
    from sshn_keras.experiments import EXPERIMENT_TASKS

    assert EXPERIMENT_TASKS.names() == ("segmentation", "registration")
    with pytest.raises(ValueError, match=r"Unknown task `task`='pose'. Registered tasks: \['segmentation', 'registration'\]"):
        ExperimentConfig(dataset="synthetic", task="pose")
    with pytest.raises(ValueError, match=r"task_options` of the registration task must be among .*Received \['steps'\]"):
        ExperimentConfig(dataset="synthetic", task="registration", task_options={"steps": 3})
    assert "task" not in ExperimentConfig(dataset="synthetic").to_dict()  # segmentation configs keep their old keys
