"""Registration losses (VoxelMorph's `MSE`, `Grad`); the label-map Dice lives in `sshn_keras.ops.dice`.

Pure functions for any spatial rank (channels-last, spatial axes
`1 .. ndim - 2`) with thin `keras.losses.Loss` classes on top. Per-sample
values are returned, so Keras' default `"sum_over_batch_size"` reduction
gives VoxelMorph's batch mean.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

# Re-exported: the label-map Dice of registration evaluation (one Dice for the package).
from sshn_keras.ops.dice import label_map_dice, mean_label_map_dice  # noqa: F401

PENALTIES = ("l1", "l2")


def _batch_mean(x):
    """Mean over every axis but the first."""
    return ops.mean(ops.reshape(x, (ops.shape(x)[0], -1)), axis=-1)


def mse_loss(y_true, y_pred, image_sigma: float = 1.0):
    """Per-image mean squared error times `1 / image_sigma**2`, shape `(batch,)`.

    As VoxelMorph's `MSE(image_sigma).loss` (mean over voxels and channels).
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.cast(y_pred, "float32")
    return _batch_mean(ops.square(y_true - y_pred)) / (image_sigma**2)


def grad_loss(flow, penalty: str = "l1", loss_mult: float | None = None):
    """Smoothness of a displacement field, VoxelMorph's `Grad(penalty, loss_mult).loss`.

    For each spatial axis, the forward differences `f[i + 1] - f[i]` along
    that axis; their mean absolute value (`"l1"`, total variation) or mean
    square (`"l2"`) over voxels and channels; then the mean over axes,
    times `loss_mult` when given. Shape `(batch,)`.
    """
    flow = ops.cast(flow, "float32")
    ndims = len(flow.shape) - 2
    terms = []
    for d in range(ndims):
        axis = d + 1
        upper = (slice(None),) * axis + (slice(1, None),)
        lower = (slice(None),) * axis + (slice(None, -1),)
        diff = flow[upper] - flow[lower]
        diff = ops.abs(diff) if penalty == "l1" else ops.square(diff)
        terms.append(_batch_mean(diff))
    grad = sum(terms) / float(ndims)
    if loss_mult is not None:
        grad = grad * loss_mult
    return grad


def _check_number(name: str, value, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"`{name}` must be a number. Received {name}={value!r}")
    if not np.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"`{name}` must be a {'positive ' if positive else ''}finite number. Received {name}={value}")
    return float(value)


@keras.saving.register_keras_serializable(package="sshn_keras")
class MSE(keras.losses.Loss):
    """Image similarity: mean squared error scaled by `1 / image_sigma**2` (VoxelMorph's `MSE`).

    Args:
        image_sigma: assumed image noise standard deviation (> 0); the
            loss is divided by its square (default 1: plain MSE).
        name: loss name.
        reduction: Keras reduction (default `"sum_over_batch_size"`).
        dtype: loss dtype (default: Keras floatx).

    Input shape:
        `y_true`, `y_pred`: images `(batch, *spatial, channels)`.

    Output shape:
        A scalar after reduction; `call` gives `(batch,)`.

    Raises:
        ValueError: for a non-positive `image_sigma`.

    Example:
    >>> float(MSE()(keras.ops.zeros((2, 4, 4, 1)), keras.ops.ones((2, 4, 4, 1))))
    1.0
    """

    def __init__(self, image_sigma: float = 1.0, name: str = "mse", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.image_sigma = _check_number("image_sigma", image_sigma)

    def call(self, y_true, y_pred):
        return mse_loss(y_true, y_pred, self.image_sigma)

    def mse(self, y_true, y_pred):
        """The squared error map (VoxelMorph's `MSE.mse`)."""
        return ops.square(ops.cast(y_true, "float32") - ops.cast(y_pred, "float32"))

    def loss(self, y_true, y_pred, reduce: str = "mean"):
        """VoxelMorph's `MSE.loss`: the mean (or max) squared error over everything, over `image_sigma**2` (a scalar)."""
        if reduce not in ("mean", "max"):
            raise ValueError(f"`reduce` must be 'mean' or 'max'. Received reduce={reduce!r}")
        error = self.mse(y_true, y_pred)
        return (ops.mean(error) if reduce == "mean" else ops.max(error)) / (self.image_sigma**2)

    def get_config(self):
        return {"image_sigma": self.image_sigma, "name": self.name, "reduction": self.reduction, "dtype": self.dtype}


@keras.saving.register_keras_serializable(package="sshn_keras")
class Grad(keras.losses.Loss):
    """Flow smoothness: mean finite-difference penalty over axes (VoxelMorph's `Grad`).

    `y_true` is ignored (pass zeros shaped like the flow, as VoxelMorph's
    training scripts); `y_pred` is the displacement or velocity field. See
    `grad_loss` for the exact normalisation. VoxelMorph uses
    `Grad("l2", loss_mult=int_downsize)` on the pre-integration flow.

    Args:
        penalty: `"l1"` (total variation, default) or `"l2"`.
        loss_mult: optional factor (None: 1).
        name: loss name.
        reduction: Keras reduction (default `"sum_over_batch_size"`).
        dtype: loss dtype (default: Keras floatx).

    Input shape:
        `y_pred`: `(batch, *spatial, ndims)`; `y_true`: anything.

    Output shape:
        A scalar after reduction; `call` gives `(batch,)`.

    Raises:
        ValueError: for an unknown penalty or a non-finite `loss_mult`.

    Example:
    >>> flow = keras.ops.reshape(keras.ops.arange(8, dtype="float32"), (1, 2, 4, 1))
    >>> float(Grad("l1")(keras.ops.zeros_like(flow), flow))
    2.5
    """

    def __init__(
        self,
        penalty: str = "l1",
        loss_mult: float | None = None,
        name: str = "grad",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if penalty not in PENALTIES:
            raise ValueError(f"`penalty` must be one of {PENALTIES}. Received penalty={penalty!r}")
        self.penalty = penalty
        self.loss_mult = None if loss_mult is None else _check_number("loss_mult", loss_mult, positive=False)

    def call(self, y_true, y_pred):
        return grad_loss(y_pred, self.penalty, self.loss_mult)

    def loss(self, y_true, y_pred):
        """VoxelMorph's `Grad.loss`: the penalty per field, `(batch,)` (`y_true` is ignored)."""
        return grad_loss(y_pred, self.penalty, self.loss_mult)

    def get_config(self):
        return {
            "penalty": self.penalty,
            "loss_mult": self.loss_mult,
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self.dtype,
        }
