"""The registration task of experiments: a VxmDense per job, trained on random scan pairs, swept for label Dice.

Every method of `sshn_keras.models.METHODS` trains on the layout the
config's `task_options["architecture"]` names: `"unet"` (default; the
config's `filters`, `num_stages`, `convs_per_stage`) or `"vxm_dense"`
(VoxelMorph's `VxmDense` U-Net, widths `task_options["nb_unet_features"]`,
VoxelMorph's defaults when None). Fixed jobs are the layout's Fixed network
at their phi (`build_vxm_dense`), the others the phi-conditioned network
of their method's strategy.

Protocol (VoxelMorph's, shortened): the dataset's training images give
random moving / fixed pairs (`scan_to_scan`, seeded by the job's seed); the
loss is `MSE + lambda * Grad("l2")` (`compile_registration`); each model
trains `max_epochs` epochs of `steps_per_epoch` steps. Evaluation uses
`test_pairs` random pairs of test subjects (`subject_pairs`, seeded by the
split seed): the moving labels are warped with the predicted displacement
(nearest) and compared with the fixed labels (Dice, mean over structures),
before and after registration, with the fraction of folding voxels and
GFLOPs per pair (`sshn_keras.registration.evaluate`). There is no
validation split in training (no early stopping).
"""

from __future__ import annotations

import functools
import os
from types import SimpleNamespace

import keras
import tensorflow as tf

from sshn_keras.atomic import atomic_write_text
from sshn_keras.data.registry import DATASETS
from sshn_keras.models.methods import METHODS
from sshn_keras.models.phi_model import PhiModel
from sshn_keras.registration import (
    REGISTRATION_METHODS,
    compile_registration,
    scan_to_scan,
    subject_pairs,
    sweep_registration_fixed,
    sweep_registration_phi,
)
from sshn_keras.registration.graph import registration_parts
from sshn_keras.sweep import phi_grid

# `architecture`: "unet" (the config's filters, num_stages, convs_per_stage) or "vxm_dense" (VoxelMorph's
# VxmDense U-Net, widths `nb_unet_features`, None: VoxelMorph's defaults).
OPTIONS = {"steps_per_epoch": 100, "lambda_weight": 0.01, "int_steps": 0, "test_pairs": 32, "architecture": "unet",
           "nb_unet_features": None, "int_downsize": 2}
EVAL_BATCH_SIZE = 8


def option(config, name: str):
    """The registration option `name` of `config` (its default from `OPTIONS` when not set)."""
    return config.task_options.get(name, OPTIONS[name])


def load(config) -> dict:
    """`{"train": training images, "pairs": RegistrationPairs of test subjects, "label_names": [...]}`."""
    splits = DATASETS.get(config.dataset)(data_root=config.data_root, image_size=config.image_size,
                                          seed=config.split_seed, num_images=config.num_images, progress=False)
    x, y = splits["test"]
    test = SimpleNamespace(images=x, labels=y, label_names=list(splits["label_names"]))
    pairs = subject_pairs(test, option(config, "test_pairs"), seed=config.split_seed,
                          description=f"{config.dataset} test subject pairs")
    return {"train": splits["train"][0], "pairs": pairs, "label_names": list(splits["label_names"])}


def architecture(config, input_shape) -> dict:
    """The `build_vxm_dense` arguments of the config's jobs, on the layout its `architecture` option names.

    Raises:
        ValueError: for an unknown layout, or `nb_unet_features` with the U-Net layout.
    """
    layout = option(config, "architecture")
    common = dict(input_shape=tuple(input_shape), int_steps=option(config, "int_steps"),
                  int_downsize=option(config, "int_downsize"))
    if layout == "unet":
        if option(config, "nb_unet_features") is not None:
            raise ValueError("`nb_unet_features` is VoxelMorph's layout's: set task_options['architecture'] = "
                             f"'vxm_dense'. Received nb_unet_features={option(config, 'nb_unet_features')!r}")
        return dict(common, filters=config.filters, num_stages=config.num_stages, convs_per_stage=config.convs_per_stage)
    if layout != "vxm_dense":
        raise ValueError(f"task_options['architecture'] must be 'unet' or 'vxm_dense'. Received {layout!r}")
    return dict(common, architecture="vxm_dense", nb_unet_features=option(config, "nb_unet_features"))


def build(config, job, data: dict) -> keras.Model:
    """The job's network, from its method in `METHODS` on the config's layout.

    A method that is not phi-conditioned (Fixed) gives the layout's Fixed
    network at the job's phi; a phi-conditioned one the `PhiModel` of its
    strategy (`SSHNVxmDense`, `StochasticVxmDense`, `FiLMVxmDense` for the
    built-in methods).
    """
    arch = architecture(config, data["train"].shape[1:])
    spec, task = registration_parts(**arch)
    method = METHODS.get(job.method)
    if not method.phi_conditioned:
        return spec.build_fixed(job.phi, task, name=f"{job.method}_phi{job.phi:g}")
    if method.strategy is None:
        raise ValueError(f"The registration task has networks for the methods {['fixed', *phi_strategy_methods()]}. "
                         f"Received method={job.method!r}")
    # Always explicit: a config's None means full heads, whatever the model's default.
    options = {"head_rank": config.head_rank} if "head_rank" in method.options else {}
    if job.method in REGISTRATION_METHODS:
        return REGISTRATION_METHODS[job.method](**arch, seed=job.seed, prior=config.prior, **options)
    return PhiModel(spec, job.method, task, options, prior=config.prior, seed=job.seed, name=f"{job.method}_vxm_dense")


def phi_strategy_methods() -> list:
    """The phi-conditioned methods of `METHODS` with a strategy (those any architecture can be built with)."""
    return [name for name in METHODS if METHODS[name].phi_conditioned and METHODS[name].strategy is not None]


def training(config, job, data: dict) -> dict:
    images, batch = data["train"], config.batch_size
    shape = (batch, *images.shape[1:])
    flow = tf.TensorSpec((batch, *images.shape[1:-1], images.ndim - 2), tf.float32)
    image = tf.TensorSpec(shape, tf.float32)
    batches = tf.data.Dataset.from_generator(
        lambda: scan_to_scan(images, batch_size=batch, seed=job.seed), output_signature=((image, image), (image, flow))
    )
    return dict(train=batches, validation=None, epochs=config.max_epochs, patience=None,
                steps_per_epoch=option(config, "steps_per_epoch"),
                compile_model=functools.partial(_compile, lambda_weight=option(config, "lambda_weight")))


def _compile(model, optimizer, lambda_weight: float) -> None:
    compile_registration(model, lambda_weight=lambda_weight, optimizer=optimizer)


def evaluate(config, job, model, data: dict, progress: bool = True) -> list:
    pairs = data["pairs"]
    if not METHODS.get(job.method).phi_conditioned:
        arch = architecture(config, pairs.image_shape)
        return [sweep_registration_fixed(model, pairs, job.phi, arch, batch_size=EVAL_BATCH_SIZE)]
    phis = [float(p) for p in phi_grid(*config.sweep)]
    return sweep_registration_phi(model, pairs, phis, batch_size=EVAL_BATCH_SIZE, progress=progress)


def summary_markdown(results: dict) -> str:
    """A README table of a registration experiment: Dice after registration, cost and folding per job."""
    jobs, config = results["jobs"], results["config"]
    rows = [row for job in jobs.values() for row in job["rows"]]
    data = (DATASETS.get(config["dataset"]).__doc__ or config["dataset"]).strip().splitlines()[0]
    lines = [
        f"# Registration: `{config['dataset']}`",
        "",
        f"**Data: {data}**",
        "",
        "Written by `sshn-keras experiment` (the configuration: `config.json`; every row: `results.json`). Dice over the structures of the moving labels warped by the predicted displacement, on "
        f"{config.get('task_options', {}).get('test_pairs', OPTIONS['test_pairs'])} random pairs of test subjects.",
        "",
    ]
    if rows:
        lines += [f"Dice before registration: {rows[0]['dice_before_mean']:.3f} +- {rows[0]['dice_before_std']:.3f}", ""]
    lines += ["| job | phi | Dice after | GFLOPs / pair | folding voxels | train s |", "|---|---|---|---|---|---|"]
    for key, job in jobs.items():
        for row in job["rows"]:
            if job["phi"] is None and round(row["phi"], 4) not in (0.25, 0.5):
                continue
            lines.append(
                f"| {key} | {row['phi']:g} | {row['dice_mean']:.3f} +- {row['dice_std']:.3f} | {row['gflops']:.3f} | "
                f"{row['nonpositive_jacobian']:.4f} | {job['train_seconds']:.0f} |"
            )
    lines += ["", "Train s: the wall seconds each training took as recorded, on whatever else shared the machine then; "
              "not a benchmark (the scripts under `benchmarks/` compare costs side by side).", "",
              "Plots: `dice_vs_phi.png`, `dice_vs_gflops.png` (mean over seeds, +-1 std band).", ""]
    return "\n".join(lines)


def write_summary(folder: str, results: dict) -> None:
    """Write `README.md` in `folder` (atomically) from the results."""
    atomic_write_text(os.path.join(folder, "README.md"), summary_markdown(results))
