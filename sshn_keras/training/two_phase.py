"""The paper's training schedule: cross-entropy first, then fine-tuning with soft Dice.

Each phase is one `train_job` (`sshn_keras.training.job`): the same clipped
Adam, phi-grid validation, early stopping and `StopOnNaN` as every other
entry point.
"""

import keras
import numpy as np

from sshn_keras.losses import SoftDiceLoss
from sshn_keras.metrics import DiceScore
from sshn_keras.tasks.validation import check_fit_arrays
from sshn_keras.training.job import check_learning_rate, compile_segmentation, train_job

DEFAULT_LEARNING_RATE = 1e-3
KERAS_BATCH_SIZE = 32  # `keras.Model.fit`'s default for numpy data


def compile_soft_dice(model: keras.Model, optimizer: keras.optimizers.Optimizer) -> None:
    """The fine-tuning phase's `compile_model` (see `train_job`): soft Dice loss, Dice metric."""
    model.compile(optimizer=optimizer, loss=SoftDiceLoss(), metrics=[DiceScore()])


def fit_ce_then_dice(
    model: keras.Model,
    x,
    y=None,
    ce_epochs: int = 10,
    dice_epochs: int = 5,
    learning_rate=None,
    dice_learning_rate=None,
    optimizer=None,
    validation_data=None,
    callbacks=None,
    verbose="auto",
    stop_on_nan: bool = True,
    *,
    patience: int | None = None,
    **fit_kwargs,
) -> dict:
    """Train `model` with cross-entropy, then fine-tune it with soft Dice.

    Works for SSHN, Stochastic, FiLM and Fixed models alike (`x` / `y` are
    what `model.fit` takes: arrays or a `tf.data.Dataset`). Each phase is a
    `train_job` (`sshn_keras.training.train_job`) with its own loss and a
    fresh optimizer. The default optimizer is Adam with
    `global_clipnorm=1.0`: without clipping, an SSHN diverged once on WBC.
    With `validation_data`, phi-conditioned models validate across their
    phi grid (see `PhiConditionedModel.fit`), or at the phi values of a
    `validation_phis` keyword.

    Args:
        model: the model to train.
        x, y: training data, as for `keras.Model.fit`.
        ce_epochs: epochs with cross-entropy (>= 0).
        dice_epochs: epochs with soft Dice (>= 0).
        learning_rate: learning rate of the first phase, a number or a
            `keras.optimizers.schedules.LearningRateSchedule` (default: the
            optimizer's own, 1e-3 for the default Adam).
        dice_learning_rate: learning rate of the fine-tuning, likewise
            (default: the first phase's).
        optimizer: a Keras optimizer (copied for each phase, never changed),
            or a callable `learning_rate -> optimizer`; default
            `Adam(learning_rate, global_clipnorm=1.0)`.
        validation_data, callbacks, verbose: as for `fit`.
        stop_on_nan: add `StopOnNaN`, which raises `NonFiniteLossError`
            as soon as the loss is NaN or infinite (default True).
        patience: early stopping on `val_loss` in each phase, best weights
            restored (default None: no early stopping).
        **fit_kwargs: more `fit` arguments (`batch_size`, 32 by default,
            `steps_per_epoch`, `validation_phis`, `shuffle`, ...).

    Returns:
        `{"crossentropy": History.history, "soft_dice": History.history}`
        (a phase with 0 epochs is left out).

    Raises:
        ValueError: if an epoch count is negative or both are zero, for a
            bad learning rate, or for bad numpy data (NaN images, labels out
            of range, empty arrays or datasets).
        NonFiniteLossError: if the loss becomes NaN or infinite.

    Example:
    >>> model = SSHNUNet(input_shape=(64, 64, 1), num_classes=3, filters=8)            # doctest: +SKIP
    >>> fit_ce_then_dice(model, x, y, ce_epochs=20, dice_epochs=10, patience=5,
    ...                  validation_data=(x_val, y_val))                               # doctest: +SKIP
    """
    for name, value in (("ce_epochs", ce_epochs), ("dice_epochs", dice_epochs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"`{name}` must be a non-negative int. Received {name}={value!r}")
    if ce_epochs + dice_epochs == 0:
        raise ValueError("At least one of `ce_epochs` and `dice_epochs` must be positive.")
    for name, value in (("learning_rate", learning_rate), ("dice_learning_rate", dice_learning_rate)):
        if value is not None:
            check_learning_rate(value, name)
    if isinstance(x, np.ndarray):
        check_fit_arrays(model, x, y)
    batch_size = fit_kwargs.pop("batch_size", None) or KERAS_BATCH_SIZE
    train = x if y is None else (x, y)
    history = {}
    phases = (
        ("crossentropy", compile_segmentation, ce_epochs, learning_rate),
        ("soft_dice", compile_soft_dice, dice_epochs, dice_learning_rate or learning_rate),
    )
    for name, compile_model, epochs, rate in phases:
        if epochs == 0:
            continue
        job = train_job(
            model, train, validation_data, epochs=epochs, batch_size=batch_size,
            learning_rate=DEFAULT_LEARNING_RATE if rate is None else rate,
            optimizer=None if optimizer is None else phase_optimizer(optimizer, rate),
            compile_model=compile_model, patience=patience, callbacks=callbacks, stop_on_nan=stop_on_nan,
            verbose=verbose, name=f"{model.name} ({name})", **fit_kwargs,
        )
        history[name] = job.history
    return history


def phase_optimizer(optimizer, learning_rate=None) -> keras.optimizers.Optimizer:
    """A fresh optimizer for one training phase (see `fit_ce_then_dice`'s `optimizer`).

    Args:
        optimizer: None (Adam with `global_clipnorm=1.0`), a Keras optimizer
            (copied from its config) or a callable `learning_rate -> optimizer`.
        learning_rate: a number or a `LearningRateSchedule` replacing the
            optimizer's own (None: keep it; 1e-3 for the default Adam).

    Raises:
        TypeError: for any other `optimizer`, or a callable that returns no
            Keras optimizer.
        ValueError: for a learning rate that is not positive and finite.
    """
    if learning_rate is not None:
        check_learning_rate(learning_rate)
    if optimizer is None:
        rate = DEFAULT_LEARNING_RATE if learning_rate is None else learning_rate
        return keras.optimizers.Adam(rate, global_clipnorm=1.0)
    if isinstance(optimizer, keras.optimizers.Optimizer):
        config = optimizer.get_config()
        if learning_rate is not None:
            config["learning_rate"] = learning_rate
        return optimizer.__class__.from_config(config)
    if callable(optimizer):
        made = optimizer(learning_rate)
        if not isinstance(made, keras.optimizers.Optimizer):
            raise TypeError(f"`optimizer` returned {type(made).__name__}, not a keras optimizer.")
        return made
    raise TypeError(
        "`optimizer` must be a keras optimizer, a callable `learning_rate -> optimizer` or None. "
        f"Received {type(optimizer).__name__}"
    )
