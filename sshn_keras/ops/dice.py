"""Dice overlap: one formula, `2 |T ∩ P| / (|T| + |P|)`, counted from maps or label ids.

* `dice_from_counts`: the formula on counts (or soft sums), NaN where a
  label is absent from both maps (with `smooth=0`); every Dice of the
  package ends here.
* `overlap_dice`: counts from one-hot or probability maps, `keras.ops`
  (soft Dice losses, the hard Dice metric).
* `label_map_dice`: counts from integer label maps, numpy `bincount`
  (evaluation sweeps, registration evaluation): O(voxels), no one-hot.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from sshn_keras.ops.tensors import to_numpy


def dice_from_counts(intersection, total, smooth: float = 0.0):
    """`(2 * intersection + smooth) / (total + smooth)`, `keras.ops`.

    Args:
        intersection: `|T ∩ P|` (or the soft sum of `T * P`), any shape.
        total: `|T| + |P|`, same shape.
        smooth: additive smoothing; with 0, entries whose `total` is 0 are
            NaN (Dice undefined: the label is in neither map).

    Returns:
        A float tensor shaped like the counts.

    Example:
    >>> float(dice_from_counts(2.0, 6.0))
    0.6666666865348816
    """
    intersection = ops.convert_to_tensor(intersection)
    dtype = "float64" if keras.backend.standardize_dtype(intersection.dtype) == "float64" else "float32"
    intersection = ops.cast(intersection, dtype)
    total = ops.cast(total, dtype)
    if smooth:
        return (2.0 * intersection + smooth) / (total + smooth)
    nan = ops.full_like(total, float("nan"))
    return ops.where(total > 0, 2.0 * intersection / ops.maximum(total, 1e-12), nan)


def dice_from_counts_numpy(intersection, total) -> np.ndarray:
    """`dice_from_counts` for numpy counts, in float64 (NaN where `total` is 0)."""
    intersection = np.asarray(intersection, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    return np.asarray(to_numpy(dice_from_counts(intersection, total)), dtype=np.float64)


def overlap_dice(y_true, y_pred, axes, smooth: float = 0.0):
    """Dice per image and channel of two maps of the same shape, `keras.ops`.

    Args:
        y_true: one-hot maps `(batch, *spatial, classes)`.
        y_pred: one-hot maps (hard Dice) or probabilities (soft Dice), same shape.
        axes: the spatial axes to sum over.
        smooth: as `dice_from_counts`.

    Returns:
        `(batch, classes)` float32.
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.cast(y_pred, "float32")
    intersection = ops.sum(y_true * y_pred, axis=axes)
    total = ops.sum(y_true, axis=axes) + ops.sum(y_pred, axis=axes)
    return dice_from_counts(intersection, total, smooth)


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
    consecutive = np.array_equal(labels, np.arange(len(labels)))  # 0 .. k-1: the id is the column

    def columns(x):
        if consecutive:
            return np.where((x >= 0) & (x < len(labels)), x, len(labels))
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
    return dice_from_counts_numpy(inter, t_count + p_count), labels


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
