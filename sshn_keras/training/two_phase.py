"""The paper's training schedule: cross-entropy first, then fine-tuning with soft Dice."""

import keras
import numpy as np

from sshn_keras.callbacks import StopOnNaN
from sshn_keras.losses import SegmentationCrossEntropy, SoftDiceLoss
from sshn_keras.metrics import DiceScore
from sshn_keras.models.validation import check_fit_arrays, check_not_empty


def fit_ce_then_dice(
    model: keras.Model,
    x,
    y=None,
    ce_epochs: int = 10,
    dice_epochs: int = 5,
    learning_rate: float | None = None,
    dice_learning_rate: float | None = None,
    optimizer=None,
    validation_data=None,
    callbacks=None,
    verbose="auto",
    stop_on_nan: bool = True,
    **fit_kwargs,
) -> dict:
    """Train `model` with cross-entropy, then fine-tune it with soft Dice.

    Works for SSHN, Stochastic, FiLM and Fixed models alike (`x` / `y` are
    what `model.fit` takes: arrays or a `tf.data.Dataset`). The model is
    compiled twice; each phase gets a fresh copy of the optimizer. The
    default optimizer is Adam with `global_clipnorm=1.0`: without clipping,
    an SSHN diverged once on WBC. With `validation_data`, phi-conditioned
    models validate across their phi grid (see `PhiConditionedModel.fit`).

    Args:
        model: the model to train.
        x, y: training data, as for `keras.Model.fit`.
        ce_epochs: epochs with cross-entropy (>= 0).
        dice_epochs: epochs with soft Dice (>= 0).
        learning_rate: learning rate of the first phase (default: the
            optimizer's own, 1e-3 for the default Adam).
        dice_learning_rate: learning rate of the fine-tuning (default: the
            first phase's).
        optimizer: a Keras optimizer (copied for each phase, never changed),
            or a callable `learning_rate -> optimizer`; default
            `Adam(learning_rate, global_clipnorm=1.0)`.
        validation_data, callbacks, verbose, **fit_kwargs: passed to `fit`.
        stop_on_nan: add `StopOnNaN`, which raises `NonFiniteLossError`
            as soon as the loss is NaN or infinite (default True).

    Returns:
        `{"crossentropy": History.history, "soft_dice": History.history}`.

    Raises:
        ValueError: if an epoch count is negative or both are zero, or for
            bad numpy data (NaN images, labels out of range, empty arrays).
        NonFiniteLossError: if the loss becomes NaN or infinite.
    """
    for name, value in (("ce_epochs", ce_epochs), ("dice_epochs", dice_epochs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"`{name}` must be a non-negative int. Received {name}={value!r}")
    if ce_epochs + dice_epochs == 0:
        raise ValueError("At least one of `ce_epochs` and `dice_epochs` must be positive.")
    if isinstance(x, np.ndarray):
        check_fit_arrays(model, x, y)
    check_not_empty(x, "x")
    callbacks = list(callbacks or [])
    if stop_on_nan and not any(isinstance(c, StopOnNaN) for c in callbacks):
        callbacks.append(StopOnNaN())
    history = {}
    phases = (
        ("crossentropy", SegmentationCrossEntropy(), ce_epochs, learning_rate),
        ("soft_dice", SoftDiceLoss(), dice_epochs, dice_learning_rate or learning_rate),
    )
    for name, loss, epochs, lr in phases:
        if epochs == 0:
            continue
        model.compile(optimizer=phase_optimizer(optimizer, lr), loss=loss, metrics=[DiceScore()])
        result = model.fit(
            x, y, epochs=epochs, validation_data=validation_data, callbacks=callbacks, verbose=verbose, **fit_kwargs
        )
        history[name] = result.history
    return history


def phase_optimizer(optimizer, learning_rate: float | None) -> keras.optimizers.Optimizer:
    """A fresh optimizer for one training phase (see `fit_ce_then_dice`'s `optimizer`)."""
    if learning_rate is not None and (isinstance(learning_rate, bool) or not np.isfinite(learning_rate)
                                      or learning_rate <= 0):
        raise ValueError(f"The learning rate must be a positive finite number. Received {learning_rate!r}")
    if optimizer is None:
        return keras.optimizers.Adam(1e-3 if learning_rate is None else learning_rate, global_clipnorm=1.0)
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
