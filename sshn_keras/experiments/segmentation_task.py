"""The segmentation task of experiments: a U-Net per job, trained with cross-entropy, swept for Dice."""

from __future__ import annotations

import keras

from sshn_keras.data.registry import DATASETS
from sshn_keras.models.methods import METHODS
from sshn_keras.sweep import phi_grid, sweep_fixed, sweep_phi


def load_splits(config) -> dict:
    """`{"train": (x, y), "val": ..., "test": ..., "label_names": [...]}` for the config's dataset.

    The dataset is looked up in `sshn_keras.data.DATASETS`.
    """
    load = DATASETS.get(config.dataset)
    return load(data_root=config.data_root, image_size=config.image_size, seed=config.split_seed,
                num_images=config.num_images, progress=False)


def job_architecture(config, input_shape, num_classes: int) -> dict:
    """The U-Net arguments of the config's jobs."""
    return dict(input_shape=tuple(input_shape), num_classes=num_classes, filters=config.filters,
                num_stages=config.num_stages, convs_per_stage=config.convs_per_stage)


def build_job_model(config, job, input_shape, num_classes: int) -> keras.Model:
    """The model of `job`, built by its registered method (`sshn_keras.models.METHODS`)."""
    method = METHODS.get(job.method)
    # Always explicit: a config's None means full heads, whatever the model's default.
    options = {"head_rank": config.head_rank} if "head_rank" in method.options else {}
    return method.build(job_architecture(config, input_shape, num_classes), seed=job.seed, phi=job.phi,
                        prior=config.prior, **options)


load = load_splits


def build(config, job, splits: dict) -> keras.Model:
    return build_job_model(config, job, splits["train"][0].shape[1:], len(splits["label_names"]))


def training(config, job, splits: dict) -> dict:
    """Cross-entropy with early stopping; phi-conditioned models use their own patience, cap and phi grid."""
    kwargs = dict(train=splits["train"], validation=splits["val"], epochs=config.max_epochs, patience=config.patience)
    if METHODS.get(job.method).phi_conditioned:
        kwargs["patience"] = config.phi_patience or config.patience
        kwargs["epochs"] = config.phi_max_epochs or config.max_epochs
        kwargs["validation_phis"] = tuple(config.validation_phis)  # (): the inference phi only
    return kwargs


def evaluate(config, job, model, splits: dict, progress: bool = True) -> list:
    x, y = splits["test"]
    if not METHODS.get(job.method).phi_conditioned:
        arch = job_architecture(config, x.shape[1:], len(splits["label_names"]))
        return [sweep_fixed(model, x, y, job.phi, arch, label_names=splits["label_names"])]
    return sweep_phi(model, x, y, phi_grid(*config.sweep), label_names=splits["label_names"], progress=progress)
