"""VoxelMorph's soft `Dice` loss on probabilistic (or one-hot) label maps, any spatial rank."""

from __future__ import annotations

import keras
from keras import ops


def vxm_dice(y_true, y_pred):
    """Per-image soft Dice averaged over channels, `(batch,)` (0/0 counts as 0, as VoxelMorph).

    `2 * sum(y_true * y_pred) / sum(y_true + y_pred)` over the spatial axes
    for each channel, then the mean over channels.
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.cast(y_pred, "float32")
    axes = tuple(range(1, len(y_pred.shape) - 1))
    top = 2.0 * ops.sum(y_true * y_pred, axis=axes)
    bottom = ops.sum(y_true + y_pred, axis=axes)
    dice = ops.where(bottom == 0, 0.0, top / ops.where(bottom == 0, 1.0, bottom))
    return ops.mean(dice, axis=-1)


@keras.saving.register_keras_serializable(package="sshn_keras")
class Dice(keras.losses.Loss):
    """Negative soft Dice (VoxelMorph's `Dice`), for label maps warped by a registration network.

    As a Keras loss the per-image values `-vxm_dice` are averaged over the
    batch; `Dice().loss(y_true, y_pred)` is VoxelMorph's scalar (the mean over
    images and channels).

    Args:
        name: loss name.
        reduction: Keras reduction (default `"sum_over_batch_size"`).
        dtype: loss dtype (default: Keras floatx).

    Input shape:
        `y_true`, `y_pred`: `(batch, *spatial, channels)`, one-hot or probabilities.

    Output shape:
        A scalar after reduction; `call` gives `(batch,)`.

    Example:
    >>> labels = keras.ops.ones((2, 8, 8, 3))
    >>> float(Dice()(labels, labels))
    -1.0
    """

    def __init__(self, name: str = "dice", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def loss(self, y_true, y_pred):
        """VoxelMorph's `Dice.loss`: minus the mean soft Dice over images and channels (a scalar)."""
        return -ops.mean(vxm_dice(y_true, y_pred))

    def call(self, y_true, y_pred):
        return -vxm_dice(y_true, y_pred)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}
