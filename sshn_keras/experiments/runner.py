"""Train every method of an experiment, cache each finished model, resume, evaluate, plot.

Folder layout::

    <folder>/config.json          the configuration (guards the folder)
    <folder>/models/<job>.keras   each finished model
    <folder>/jobs/<job>.json      its training time, per-epoch history and test sweep
    <folder>/results.json         everything, aggregated
    <folder>/dice_vs_phi.png, dice_vs_gflops.png

A rerun skips every job whose `jobs/<job>.json` exists, so an interrupted
experiment resumes where it stopped (and leaves `results.json` and the plots
untouched when nothing new finished); a model killed mid-training resumes
from its last finished epoch (`<folder>/backup/<job>/`, deleted once the
model is saved; see `sshn_keras.resumable`). Files are written atomically
(`sshn_keras.atomic`: temporary file, fsync, rename): a kill never leaves a
half-written result, and a rerun removes the temporaries a killed run left.
Progress goes to the `sshn_keras.experiments.runner` logger. The config's
task (`sshn_keras.experiments.EXPERIMENT_TASKS`: segmentation, registration) loads the
data, builds each job's model and sweeps it; every model trains through
`sshn_keras.training.train_job`.
"""

import json
import logging
import math
import os

import keras
import numpy as np

from sshn_keras.atomic import atomic_save_model, atomic_write_json, remove_stale_temporaries
from sshn_keras.experiments.config import ExperimentConfig, Job
from sshn_keras.experiments.segmentation_task import build_job_model, job_architecture, load_splits  # noqa: F401
from sshn_keras.experiments.tasks import EXPERIMENT_TASKS
from sshn_keras.locking import FolderLock
from sshn_keras.models.methods import METHODS
from sshn_keras.resumable import remove_backup
from sshn_keras.saving import load_model
from sshn_keras.training import TrainedJob, train_job

logger = logging.getLogger(__name__)


def fit_job(config: ExperimentConfig, job: Job, data: dict, verbose=2, backup_dir: str | None = None) -> TrainedJob:
    """Build and train one job's model; returns the `TrainedJob` (model, seconds, epochs run, per-epoch history).

    The config's task (`EXPERIMENT_TASKS`) builds the model and says what it trains on;
    `sshn_keras.training.train_job` trains it with the config's Adam
    (learning rate, `global_clipnorm`), batch size and seed. With
    `backup_dir`, training is resumable: a rerun after a kill continues from
    the last finished epoch and ends with the weights of an uninterrupted
    run; the finished backup is left for the caller to delete once the model
    is saved. A NaN or infinite loss raises `NonFiniteLossError` (a
    `FloatingPointError`) naming the job.

    Args:
        data: what the task's `load` returned (`load_data(config)`).
    """
    task = EXPERIMENT_TASKS.get(config.task)
    keras.utils.set_random_seed(job.seed)
    model = task.build(config, job, data)
    training = task.training(config, job, data)
    trained = train_job(model, **training, batch_size=config.batch_size, seed=job.seed,
                        learning_rate=learning_rate(config, training), global_clipnorm=config.global_clipnorm,
                        backup_dir=backup_dir, verbose=verbose, name=job.key)
    return trained


def learning_rate(config: ExperimentConfig, training: dict):
    """The config's learning rate for one job: a number, or its schedule over the job's epoch cap."""
    if config.lr_schedule is None:
        return config.learning_rate
    steps = training.get("steps_per_epoch") or math.ceil(len(training["train"][0]) / config.batch_size)
    return keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=steps * training["epochs"], alpha=0.05)


def history_record(history: dict) -> dict:
    """`History.history` for a JSON record: each per-epoch value rounded to 6 significant digits."""
    return {key: [float(f"{float(v):.6g}") for v in values] for key, values in history.items()}


def load_data(config: ExperimentConfig) -> dict:
    """The data of the config's task (`EXPERIMENT_TASKS[config.task].load`); for segmentation, `load_splits(config)`."""
    return EXPERIMENT_TASKS.get(config.task).load(config)


def evaluate_job(config: ExperimentConfig, job: Job, model, data: dict, progress: bool = True) -> list:
    """The job's sweep rows, by the config's task."""
    return EXPERIMENT_TASKS.get(config.task).evaluate(config, job, model, data, progress)


SEED_FIELDS = ("seeds", "fixed_seeds")


def check_folder(config: ExperimentConfig, folder: str) -> None:
    """Create the folder for `config`, or check that it already belongs to `config`.

    A configuration that only adds seeds to the folder's (every job of the
    folder's configuration is still a job, trained the same way) extends the
    experiment: `config.json` is updated and the finished jobs are kept.

    Raises:
        ValueError: if the folder holds another configuration's experiment,
            or `config` drops some of its jobs (nothing is overwritten).
    """
    path = os.path.join(folder, "config.json")
    if os.path.exists(path):
        with open(path) as f:
            existing = ExperimentConfig.from_dict(json.load(f))
        diff = existing.differences(config)
        if diff:
            dropped = sorted({j.key for j in existing.jobs()} - {j.key for j in config.jobs()})
            if not set(diff) <= set(SEED_FIELDS) or dropped:
                detail = f"differs in: {', '.join(diff)}" + (f"; it would drop jobs {dropped}" if dropped else "")
                raise ValueError(
                    f"{folder!r} holds an experiment with a different configuration ({detail}). "
                    "Use another folder; nothing was overwritten."
                )
            added = [j.key for j in config.jobs() if j.key not in {e.key for e in existing.jobs()}]
            logger.info("%s: extending the experiment by %d job(s) (more seeds): %s", folder, len(added), ", ".join(added))
            atomic_write_json(path, config.to_dict())
    else:
        os.makedirs(folder, exist_ok=True)
        atomic_write_json(path, config.to_dict())
    for sub in ("", "models", "jobs"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
        remove_stale_temporaries(os.path.join(folder, sub))


def run_experiment(config: ExperimentConfig, folder: str, max_jobs: int | None = None, verbose=2,
                   methods=None, only=None) -> dict:
    """Run (or resume) an experiment in `folder`; returns the aggregated results.

    Args:
        config: the experiment.
        folder: result folder (created; must belong to `config` if it exists).
        max_jobs: train at most this many new jobs in this call (None: all).
        verbose: Keras verbosity of `fit`.
        methods: train only the jobs of these methods now (e.g. `["fixed"]`;
            None: all); the others stay missing for a later call.
        only: train only the jobs with these keys now (e.g.
            `["fixed_phi0.50_seed2"]`, as named in `jobs/`; None: all), in
            priority order.

    Raises:
        FolderInUseError: if another live process runs an experiment in
            `folder` (one writer per folder; the lock of a killed run is
            taken over, with a logged message).
    """
    if methods is not None:
        methods = list(methods)
        unknown = sorted(set(methods) - set(METHODS.names()))
        if unknown or not methods:
            raise ValueError(f"`methods` must be a non-empty list among {list(METHODS.names())}. Received {methods}")
    jobs = config.jobs()
    if only is not None:
        only = list(only)
        unknown = sorted(set(only) - {job.key for job in jobs})
        if unknown or not only:
            raise ValueError(f"`only` (--jobs) must be a non-empty list of job names of this experiment. Unknown: {unknown}; "
                             f"the experiment's jobs are {[job.key for job in jobs]}")
    with FolderLock(folder, "running an experiment in"):
        return _run_locked(config, folder, max_jobs, verbose, methods, only, jobs)


def _run_locked(config, folder, max_jobs, verbose, methods, only, jobs) -> dict:
    check_folder(config, folder)
    data = None  # loaded when the first job needs it: reading a finished experiment reads no images
    trained = 0
    for i, job in enumerate(jobs):
        if methods is not None and job.method not in methods:
            continue
        if only is not None and job.key not in only:
            continue
        result_path = os.path.join(folder, "jobs", f"{job.key}.json")
        model_path = os.path.join(folder, "models", f"{job.key}.keras")
        if os.path.exists(result_path):
            continue
        if max_jobs is not None and trained >= max_jobs:
            break
        logger.info("[%d/%d] %s", i + 1, len(jobs), job.key)
        backup_dir = os.path.join(folder, "backup", job.key)
        data = load_data(config) if data is None else data
        if os.path.exists(model_path):
            model, seconds, epochs = load_model(model_path), None, None
            with open(f"{model_path}.json") as f:
                meta = json.load(f)
            seconds, epochs, history = meta["train_seconds"], meta["epochs"], meta.get("history")
        else:
            fitted = fit_job(config, job, data, verbose, backup_dir=backup_dir)
            model, seconds, epochs, history = fitted.model, fitted.seconds, fitted.epochs, history_record(fitted.history)
            atomic_save_model(model, model_path)
            atomic_write_json(f"{model_path}.json", {"train_seconds": seconds, "epochs": epochs, "history": history})
            trained += 1
        remove_backup(backup_dir)  # only once the model is saved
        rows = evaluate_job(config, job, model, data, progress=bool(verbose))
        record = {"method": job.method, "seed": job.seed, "phi": job.phi, "train_seconds": seconds, "epochs": epochs,
                  "rows": rows}
        if history:  # per-epoch losses and metrics (training and each validation phi); absent in older experiments
            record["history"] = history
        atomic_write_json(result_path, record)
        aggregate(folder, config)  # results.json and plots stay current after every finished model
        keras.backend.clear_session()
    return aggregate(folder, config, write=not os.path.exists(os.path.join(folder, "results.json")))


def ensure_command(config: ExperimentConfig, folder: str, key: str) -> str:
    """The shell command that (re)trains the model file of job `key` in `folder`."""
    from sshn_keras.experiments.config import PRESETS

    names = [name for name, preset in PRESETS.items() if set(preset.differences(config)) <= set(SEED_FIELDS)]
    preset = names[0] if names else "<the preset of this folder>"
    return f"sshn-keras experiment --preset {preset} --folder {folder} --ensure-models {key}"


def load_job_model(config: ExperimentConfig, folder: str, key: str, train_if_missing: bool = False, verbose=2):
    """The trained model of job `key` (`<folder>/models/<key>.keras`), retrained when its file is missing.

    Model files are not part of a committed experiment (`models/` is large
    and git-ignored), while its `jobs/*.json` results are: on a fresh clone
    the results are there and the models are not.

    Args:
        config: the folder's configuration.
        folder: the experiment folder.
        key: a job name, as in `jobs/` (e.g. `"sshn_seed0"`).
        train_if_missing: train the job's model again (same configuration
            and seed; resumable) and save it when the file is missing. The
            job's recorded results are kept: a retrained model can differ
            slightly from the one that produced them (other machine, other
            thread timing).
        verbose: Keras fit verbosity when training.

    Raises:
        ValueError: for a key that is not a job of `config`.
        FileNotFoundError: when the file is missing and `train_if_missing`
            is False; the message gives the command that makes it.
    """
    jobs = {job.key: job for job in config.jobs()}
    if key not in jobs:
        raise ValueError(f"`key` must be a job of this experiment ({sorted(jobs)}). Received key={key!r}")
    path = os.path.join(folder, "models", f"{key}.keras")
    if os.path.exists(path):
        return load_model(path)
    if not train_if_missing:
        raise FileNotFoundError(
            f"The model file {path} is missing (model files are not committed). Make it with:\n    {ensure_command(config, folder, key)}"
        )
    check_folder(config, folder)
    backup_dir = os.path.join(folder, "backup", key)
    fitted = fit_job(config, jobs[key], load_data(config), verbose, backup_dir=backup_dir)
    model = fitted.model
    atomic_save_model(model, path)
    atomic_write_json(f"{path}.json", {"train_seconds": fitted.seconds, "epochs": fitted.epochs,
                                       "history": history_record(fitted.history), "retrained_after_results": True})
    remove_backup(backup_dir)
    return model


def aggregate(folder: str, config: ExperimentConfig, write: bool = True) -> dict:
    """Collect finished jobs into the results dict; with `write`, also `results.json` and the plots."""
    from sshn_keras.plots import plot_methods

    jobs = {}
    for job in config.jobs():
        path = os.path.join(folder, "jobs", f"{job.key}.json")
        if os.path.exists(path):
            with open(path) as f:
                jobs[job.key] = json.load(f)
    results = {"config": config.to_dict(), "jobs": jobs, "summary": summarize(jobs),
               "missing": [j.key for j in config.jobs() if j.key not in jobs]}
    if write:
        atomic_write_json(os.path.join(folder, "results.json"), results)
        if jobs:
            plot_methods(results, folder)
        task = EXPERIMENT_TASKS.get(config.task)
        if task.write_summary is not None:
            task.write_summary(folder, results)
    return results


def summarize(jobs: dict, at_phi: float = 0.5) -> dict:
    """Test Dice at `at_phi` per method (mean, std over seeds) and training costs."""
    dice, cost = {}, {}
    for r in jobs.values():
        row = min(r["rows"], key=lambda row: abs(row["phi"] - at_phi))
        if abs(row["phi"] - at_phi) < 1e-6:
            dice.setdefault(r["method"], []).append(row["dice_mean"])
        cost.setdefault(r["method"], {}).setdefault(r["seed"], 0.0)
        cost[r["method"]][r["seed"]] += r["train_seconds"] or 0.0
    summary = {
        f"dice_at_phi{at_phi:g}": {m: {"mean": float(np.mean(v)), "std": float(np.std(v)), "seeds": len(v)} for m, v in dice.items()},
        "train_seconds_per_seed": cost,
    }
    if "fixed" in cost and "sshn" in cost and 0 in cost["fixed"]:
        summary["fixed_grid_seed0_over_sshn_mean"] = cost["fixed"][0] / float(np.mean(list(cost["sshn"].values())))
    return summary
