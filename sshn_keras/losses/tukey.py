"""`TukeyBiweight`: VoxelMorph's robust image similarity (differences above a threshold count as outliers)."""

from __future__ import annotations

import keras
from keras import ops

from sshn_keras.losses.registration import _check_number


def tukey_biweight_map(y_true, y_pred, c: float = 0.5):
    """Tukey's biweight `rho` of each voxel: `c**2 / 2 * (1 - (1 - e**2 / c**2)**3)` for `e**2 <= c**2`, else `c**2 / 2`.

    `e = y_true - y_pred`; the map has the inputs' shape.
    """
    csq = float(c) ** 2
    error_sq = ops.square(ops.cast(y_true, "float32") - ops.cast(y_pred, "float32"))
    below = ops.cast(error_sq <= csq, "float32")
    rho_above = (1.0 - below) * (csq / 2.0)
    rho_below = (csq / 2.0) * (1.0 - (1.0 - (error_sq * below) / csq) ** 3)
    return rho_above + rho_below


def tukey_biweight_loss(y_true, y_pred, c: float = 0.5):
    """The mean of `tukey_biweight_map` over each image, `(batch,)`."""
    rho = tukey_biweight_map(y_true, y_pred, c)
    return ops.mean(ops.reshape(rho, (ops.shape(rho)[0], -1)), axis=-1)


@keras.saving.register_keras_serializable(package="sshn_keras")
class TukeyBiweight(keras.losses.Loss):
    """Tukey's biweight image similarity (VoxelMorph's `TukeyBiweight`).

    A squared error that saturates: voxel differences larger than `c` are
    treated as outliers and add the constant `c**2 / 2`, so they stop
    pulling the registration.

    Args:
        c: threshold on the absolute voxel difference (> 0; default 0.5).
        name, reduction, dtype: as `keras.losses.Loss`.

    Input shape:
        `y_true`, `y_pred`: images `(batch, *spatial, channels)`.

    Output shape:
        A scalar after reduction; `call` gives `(batch,)`; `loss` (VoxelMorph's)
        the mean over everything.

    Raises:
        ValueError: for a `c` that is not a positive finite number.

    Example:
    >>> float(TukeyBiweight(c=0.5).loss(keras.ops.zeros((1, 4, 4, 1)), keras.ops.ones((1, 4, 4, 1))))
    0.125

    Reference:
        Reuter, Rosas, Fischl. Highly accurate inverse consistent
        registration: a robust approach. NeuroImage 53(4), 2010.
    """

    def __init__(self, c: float = 0.5, name: str = "tukey_biweight", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.c = _check_number("c", c)

    def call(self, y_true, y_pred):
        return tukey_biweight_loss(y_true, y_pred, self.c)

    def loss(self, y_true, y_pred):
        """VoxelMorph's `TukeyBiweight.loss`: the mean of `rho` over every voxel of the batch (a scalar)."""
        return ops.mean(tukey_biweight_map(y_true, y_pred, self.c))

    def get_config(self):
        return {"c": self.c, "name": self.name, "reduction": self.reduction, "dtype": self.dtype}
