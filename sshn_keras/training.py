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
    learning_rate: float = 1e-3,
    dice_learning_rate: float | None = None,
    validation_data=None,
    callbacks=None,
    verbose="auto",
    stop_on_nan: bool = True,
    **fit_kwargs,
) -> dict:
    """Train `model` with cross-entropy, then fine-tune it with soft Dice (Adam).

    Works for SSHN, Stochastic, FiLM and Fixed models alike (`x` / `y` are
    what `model.fit` takes: arrays or a `tf.data.Dataset`). The model is
    compiled twice; the second phase continues from the first's weights with
    a fresh Adam optimizer.

    Args:
        model: the model to train.
        x, y: training data, as for `keras.Model.fit`.
        ce_epochs: epochs with cross-entropy (>= 0).
        dice_epochs: epochs with soft Dice (>= 0).
        learning_rate: Adam learning rate of the first phase.
        dice_learning_rate: learning rate of the fine-tuning (default: the same).
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
        model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss, metrics=[DiceScore()])
        result = model.fit(
            x, y, epochs=epochs, validation_data=validation_data, callbacks=callbacks, verbose=verbose, **fit_kwargs
        )
        history[name] = result.history
    return history
