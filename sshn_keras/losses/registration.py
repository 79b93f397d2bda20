"""Registration losses (VoxelMorph's `MSE`, `Grad`) and the label-map Dice for evaluation.

Pure functions for any spatial rank (channels-last, spatial axes
`1 .. ndim - 2`) with thin `keras.losses.Loss` classes on top. Per-sample
values are returned, so Keras' default `"sum_over_batch_size"` reduction
gives VoxelMorph's batch mean.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from sshn_keras.registration.warping import to_numpy

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


def _squeeze_labels(x) -> np.ndarray:
    x = to_numpy(x)
    if x.ndim >= 3 and x.shape[-1] == 1:
        x = x[..., 0]
    return x


def label_map_dice(y_true, y_pred, labels=None, include_background: bool = False):
    """Dice per image and structure between two integer label maps.

    For registration evaluation: `y_true` are the fixed labels, `y_pred` the
    moving labels warped with nearest-neighbour interpolation
    (`SpatialTransformer(interpolation="nearest")`). Structure `l` of an
    image scores `2 |T_l ∩ P_l| / (|T_l| + |P_l|)`; NaN when it is absent
    from both maps.

    Args:
        y_true, y_pred: integer maps `(batch, *spatial)` or
            `(batch, *spatial, 1)`, tensors or arrays.
        labels: the structure ids to score; None: every id present in
            either map (over the whole batch), as VoxelMorph's `dice`.
        include_background: score label 0 too (default False; only
            matters when `labels` is None).

    Returns:
        `(dice, labels)`: float64 array `(batch, len(labels))` and the int
        array of structure ids, in the order of the columns. Numpy (the
        inputs may be tensors; counting is one `np.bincount` per map).

    Raises:
        ValueError: for maps of different shapes.

    Example:
    >>> a = np.array([[0, 1, 1, 2]])
    >>> dice, ids = label_map_dice(a, np.array([[0, 1, 2, 2]]))
    >>> ids.tolist(), dice.round(3).tolist()
    ([1, 2], [[0.667, 0.667]])
    """
    y_true = _squeeze_labels(y_true)
    y_pred = _squeeze_labels(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Label maps must have the same shape. Received {y_true.shape} and {y_pred.shape}")
    if labels is None:
        labels = np.union1d(np.unique(y_true), np.unique(y_pred))
        if not include_background:
            labels = labels[labels != 0]
    labels = np.asarray(labels).astype(np.int64).reshape(-1)
    if labels.size == 0:
        return np.zeros((y_true.shape[0], 0)), labels
    batch = y_true.shape[0]
    t = y_true.reshape(batch, -1)
    p = y_pred.reshape(batch, -1)
    # Column of each voxel's label in `labels` (len(labels) for other ids),
    # then per-image counts with one bincount per map: O(voxels), no one-hot.
    order = np.argsort(labels)
    sorted_ids = labels[order]

    def columns(x):
        pos = np.clip(np.searchsorted(sorted_ids, x), 0, len(labels) - 1)
        return np.where(sorted_ids[pos] == x, order[pos], len(labels))

    n = len(labels) + 1
    offsets = (np.arange(batch) * n)[:, None]
    t_col = columns(t) + offsets
    p_col = columns(p) + offsets
    size = batch * n
    t_count = np.bincount(t_col.ravel(), minlength=size).reshape(batch, n)[:, :-1]
    p_count = np.bincount(p_col.ravel(), minlength=size).reshape(batch, n)[:, :-1]
    same = t == p
    inter = np.bincount(t_col[same], minlength=size).reshape(batch, n)[:, :-1]
    total = (t_count + p_count).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = np.where(total > 0, 2.0 * inter / total, np.nan)
    return dice, labels


def mean_label_map_dice(y_true, y_pred, labels=None, include_background: bool = False) -> np.ndarray:
    """Per-image Dice averaged over the structures present in either map, `(batch,)`.

    Same arguments as `label_map_dice`; structures absent from both maps of
    an image are left out of its mean (NaN if none is present).

    Example:
    >>> a = np.array([[0, 1, 1, 2]])
    >>> mean_label_map_dice(a, a).tolist()
    [1.0]
    """
    dice, _ = label_map_dice(y_true, y_pred, labels, include_background)
    if dice.shape[1] == 0:
        return np.full(dice.shape[0], np.nan)
    with np.errstate(invalid="ignore"):
        present = ~np.isnan(dice)
        return np.where(present.any(axis=1), np.nansum(dice, axis=1) / np.maximum(present.sum(axis=1), 1), np.nan)
