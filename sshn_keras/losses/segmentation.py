"""Segmentation losses: cross-entropy and soft Dice (pure functions + Loss classes)."""

import keras
from keras import ops

from sshn_keras.ops.dice import overlap_dice
from sshn_keras.ops.labels import spatial_axes, to_one_hot


def crossentropy(y_true, y_pred, epsilon: float = 1e-7):
    """Per-image categorical cross-entropy (mean over pixels), any spatial rank."""
    y_true = to_one_hot(y_true, y_pred)
    y_pred = ops.clip(ops.cast(y_pred, "float32"), epsilon, 1.0)
    pixel = -ops.sum(ops.cast(y_true, "float32") * ops.log(y_pred), axis=-1)
    return ops.mean(pixel, axis=spatial_axes(y_pred))


def soft_dice_loss(y_true, y_pred, include_background: bool = False, smooth: float = 1e-5):
    """Per-image `1 - soft Dice`, averaged over labels (foreground only by default)."""
    dice = overlap_dice(to_one_hot(y_true, y_pred), y_pred, spatial_axes(y_pred), smooth)
    if not include_background:
        dice = dice[:, 1:]
    return 1.0 - ops.mean(dice, axis=-1)


@keras.saving.register_keras_serializable(package="sshn_keras")
class SegmentationCrossEntropy(keras.losses.Loss):
    """Categorical cross-entropy accepting integer or one-hot label maps.

    Args:
        name: loss name.
        reduction: Keras reduction (default `"sum_over_batch_size"`).

    Example:
    >>> loss = SegmentationCrossEntropy()
    >>> y_pred = keras.ops.full((1, 4, 4, 2), 0.5)
    >>> round(float(loss(keras.ops.zeros((1, 4, 4)), y_pred)), 4)
    0.6931
    """

    def __init__(self, name: str = "crossentropy", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return crossentropy(y_true, y_pred)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


@keras.saving.register_keras_serializable(package="sshn_keras")
class SoftDiceLoss(keras.losses.Loss):
    """`1 - soft Dice` averaged over labels, for integer or one-hot label maps.

    Args:
        include_background: also average over label 0 (default False).
        smooth: additive smoothing of numerator and denominator.
    """

    def __init__(
        self,
        include_background: bool = False,
        smooth: float = 1e-5,
        name: str = "soft_dice",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.include_background = bool(include_background)
        self.smooth = float(smooth)

    def call(self, y_true, y_pred):
        return soft_dice_loss(y_true, y_pred, self.include_background, self.smooth)

    def get_config(self):
        return {
            "include_background": self.include_background,
            "smooth": self.smooth,
            "name": self.name,
            "reduction": self.reduction,
        }
