"""`train_job`: the one training recipe every entry point uses.

The experiment runner (`sshn-keras experiment`, segmentation and
registration), `sshn-keras train` and `fit_ce_then_dice` (so the demo) all
call it, so they share

* Adam with gradient clipping (`global_clipnorm`, 1.0 by default: without
  it, an SSHN diverged once on WBC),
* phi-grid validation of phi-conditioned models
  (`sshn_keras.callbacks.PhiGridValidation`, before early stopping),
* early stopping on the validation loss with the best weights restored,
* resumable backups (`sshn_keras.resumable.fit_resumable`, written
  atomically through `sshn_keras.atomic`) when given a `backup_dir`,
* `StopOnNaN`: a NaN or infinite loss raises `NonFiniteLossError` naming
  the job.

Progress goes to the `sshn_keras.training` logger.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import keras
import numpy as np

from sshn_keras.callbacks import NonFiniteLossError, PhiGridValidation, StopOnNaN
from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.metrics import DiceScore
from sshn_keras.resumable import fit_resumable
from sshn_keras.tasks.validation import check_not_empty

logger = logging.getLogger("sshn_keras.training")


@dataclass
class TrainedJob:
    """What `train_job` returns.

    Args:
        model: the trained model (early stopping: the best epoch's weights).
        seconds: training time (with backups: over every process, without
            the time spent writing backups).
        epochs: epochs run.
        history: `History.history` (losses and metrics per epoch).
    """

    model: keras.Model
    seconds: float
    epochs: int
    history: dict = field(default_factory=dict)


def compile_segmentation(model: keras.Model, optimizer: keras.optimizers.Optimizer) -> None:
    """The default `compile_model` of `train_job`: cross-entropy loss, Dice metric."""
    model.compile(optimizer=optimizer, loss=SegmentationCrossEntropy(), metrics=[DiceScore()])


def check_learning_rate(value, name: str = "learning_rate") -> None:
    """Raise `ValueError` unless `value` is a positive finite number or a `LearningRateSchedule`."""
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value) or value <= 0:
        raise ValueError(
            f"The learning rate `{name}` must be a positive finite number or a keras LearningRateSchedule. "
            f"Received {name}={value!r}"
        )


def _check_positive_int(value, name: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive int{' or None' if allow_none else ''}. Received {name}={value!r}")


def train_job(
    model: keras.Model,
    train,
    validation=None,
    *,
    epochs: int,
    batch_size: int = 8,
    seed: int = 0,
    learning_rate=1e-3,
    global_clipnorm: float | None = 1.0,
    optimizer: keras.optimizers.Optimizer | None = None,
    compile_model: Callable[[keras.Model, keras.optimizers.Optimizer], None] = compile_segmentation,
    patience: int | None = None,
    validation_phis: tuple | None = None,
    steps_per_epoch: int | None = None,
    backup_dir: str | None = None,
    best_model_path: str | None = None,
    backup_every: int = 1,
    callbacks: list | None = None,
    stop_on_nan: bool = True,
    verbose=2,
    name: str | None = None,
    **fit_kwargs,
) -> TrainedJob:
    """Compile `model` with clipped Adam and train it (resumably with `backup_dir`).

    Args:
        model: a built model (segmentation or registration, Fixed or
            phi-conditioned).
        train: `(x, y)` numpy arrays, or a `tf.data.Dataset` of batches
            (`batch_size` is not used for it).
        validation: `(x, y)` validation data, or None (no validation).
        epochs: epochs at most.
        batch_size: batch size of numpy data.
        seed: seed of the data order (numpy data, with `backup_dir`).
        learning_rate: Adam's learning rate, a number or a
            `keras.optimizers.schedules.LearningRateSchedule`.
        global_clipnorm: gradient clipping (None: off).
        optimizer: a ready optimizer, used as it is instead of
            `Adam(learning_rate, global_clipnorm=global_clipnorm)` (then
            `learning_rate` and `global_clipnorm` are not used). Give a
            fresh one: it keeps its state (moments, step count).
        compile_model: `f(model, optimizer)` that compiles the model (default
            `compile_segmentation`; registration passes its own losses).
        patience: early stopping on `val_loss` with this patience, best
            weights restored (None: no early stopping).
        validation_phis: phi-conditioned models only: None validates as the
            model's `fit` does by default; `()` at its inference phi only; a
            tuple of phi values validates at each of them and makes
            `val_loss` their mean (`PhiGridValidation`, placed before early
            stopping). Leave None for Fixed networks.
        steps_per_epoch: batches per epoch of a dataset `train` (needed
            when its size is unknown; default: the whole dataset).
        backup_dir: make training resumable (`fit_resumable`): a rerun after
            a kill goes on from the last finished epoch and ends with the
            weights of an uninterrupted run. The finished backup is left for
            the caller to delete (`sshn_keras.resumable.remove_backup`) once
            the model is saved.
        best_model_path: with `backup_dir`, a `.keras` file holding the best
            model so far by `val_loss`.
        backup_every: epochs between backups.
        callbacks: more Keras callbacks, after the job's own (phi-grid
            validation, early stopping), so that they see the grid's
            `val_loss`.
        stop_on_nan: add `StopOnNaN` (default True).
        verbose: Keras fit verbosity.
        name: the job's name in errors and log messages.
        **fit_kwargs: more `fit` arguments (e.g. `shuffle`,
            `validation_freq`).

    Returns:
        A `TrainedJob`.

    Raises:
        ValueError: for a non-positive `epochs`, `batch_size`, `patience`,
            `backup_every` or learning rate, or an empty dataset.
        NonFiniteLossError: if the loss becomes NaN or infinite (the message
            names the job).

    Example:
    >>> model = SSHNUNet(input_shape=(32, 32, 1), num_classes=3, filters=4, num_stages=3)  # doctest: +SKIP
    >>> job = train_job(model, (x, y), (x_val, y_val), epochs=20, patience=5,
    ...                 validation_phis=(0.1, 0.3, 0.5), backup_dir="run/backup")   # doctest: +SKIP
    """
    _check_positive_int(epochs, "epochs")
    _check_positive_int(batch_size, "batch_size")
    _check_positive_int(patience, "patience", allow_none=True)
    _check_positive_int(backup_every, "backup_every")
    if optimizer is None:
        check_learning_rate(learning_rate)
    elif not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"`optimizer` must be a keras optimizer or None. Received {type(optimizer).__name__}")
    dataset = not isinstance(train, (tuple, list))
    if not dataset and len(train) != 2:
        raise ValueError(f"`train` must be an (x, y) pair or a tf.data.Dataset. Received a sequence of {len(train)}")
    x, y = (train, None) if dataset else train
    check_not_empty(x, "train")
    check_not_empty(validation, "validation")
    name = name or model.name

    strategy = getattr(model, "distribute_strategy", None)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        if optimizer is None:
            optimizer = keras.optimizers.Adam(learning_rate, global_clipnorm=global_clipnorm)
        compile_model(model, optimizer)
    extra, callbacks = list(callbacks or []), []
    if validation_phis is not None:
        if len(validation_phis) and validation is not None:
            callbacks.append(PhiGridValidation(validation, tuple(validation_phis), batch_size=batch_size))
            validation = None
        else:  # validate at the inference phi only, not the model's default grid
            fit_kwargs["validation_phis"] = ()
    if patience is not None:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True))
    callbacks += extra
    if steps_per_epoch is not None:
        fit_kwargs["steps_per_epoch"] = steps_per_epoch
    logger.info("Training %s: at most %d epoch(s)%s.", name, epochs, f", backup in {backup_dir}" if backup_dir else "")
    start = time.perf_counter()
    try:
        if backup_dir is not None:
            history = fit_resumable(model, x, y, backup_dir=backup_dir, epochs=epochs, batch_size=batch_size, seed=seed,
                                    validation_data=validation, callbacks=callbacks, best_model_path=best_model_path,
                                    delete_backup=False, backup_every=backup_every, stop_on_nan=stop_on_nan,
                                    verbose=verbose, **fit_kwargs)
            seconds = history.train_seconds
        else:
            if best_model_path is not None:
                raise ValueError("`best_model_path` is written by the resumable run: give `backup_dir` too.")
            if not dataset:
                fit_kwargs["batch_size"] = batch_size
            if stop_on_nan and not any(isinstance(c, StopOnNaN) for c in callbacks):
                callbacks.append(StopOnNaN())
            history = model.fit(x, y, epochs=epochs, validation_data=validation, callbacks=callbacks, verbose=verbose,
                                **fit_kwargs)
            seconds = time.perf_counter() - start
    except NonFiniteLossError as error:
        raise NonFiniteLossError(f"{name}: {error}") from error
    epochs_run = len(history.history.get("loss", []))
    logger.info("Trained %s: %d epoch(s) in %.0f s.", name, epochs_run, seconds)
    return TrainedJob(model, seconds, epochs_run, history.history)
