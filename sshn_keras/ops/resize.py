"""Linear resizing of feature maps and fields: half-pixel (`linear_resize`) or corners aligned."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from keras import ops

from sshn_keras.ops.tensors import broadcast_shape

# Guard for `int(n * zoom)` so that e.g. 96 * (1 / 3) gives 32, not 31.
ZOOM_EPS = 1e-6


def check_zoom_factor(zoom_factor) -> float:
    """Return `zoom_factor` as a float if it is positive and finite, else raise ValueError."""
    if isinstance(zoom_factor, bool) or not isinstance(zoom_factor, (int, float, np.integer, np.floating)):
        raise ValueError(f"`zoom_factor` must be a positive number. Received zoom_factor={zoom_factor!r}")
    if not (0 < zoom_factor < float("inf")):
        raise ValueError(f"`zoom_factor` must be a positive finite number. Received zoom_factor={zoom_factor}")
    return float(zoom_factor)


def zoomed_size(n: int | None, zoom_factor: float) -> int | None:
    """Size of an axis of length `n` zoomed by `zoom_factor`: `int(n * zoom)` (>= 1)."""
    if n is None:
        return None
    return max(int(n * zoom_factor + ZOOM_EPS), 1)


def resize_align_corners(x, zoom_factor: float, interpolation: str = "linear"):
    """Resize the spatial axes of `x` by `zoom_factor`, corners aligned.

    As neurite's `resize` (used by VoxelMorph's `RescaleTransform`): an axis
    of length `n` becomes `m = int(n * zoom)` (>= 1), sampled at
    `linspace(0, n - 1, m)`, so the first and last voxels are kept.
    Separable: one axis at a time, two gathers and a lerp per axis (linear),
    or one gather (nearest, rounding half to even).
    """
    ndims = len(x.shape) - 2
    dtype = x.dtype
    for d in range(ndims):
        axis = d + 1
        n_static = x.shape[axis]
        n = ops.shape(x)[axis]
        if n_static is not None:
            m = zoomed_size(n_static, zoom_factor)
        else:
            m = ops.maximum(ops.cast(ops.cast(n, "float64") * zoom_factor + ZOOM_EPS, "int32"), 1)
        n_f = ops.cast(n, "float32")
        m_f = ops.cast(m, "float32")
        # linspace(0, n - 1, m), written so that m == 1 gives [0].
        step = (n_f - 1.0) / ops.maximum(m_f - 1.0, 1.0)
        coords = ops.arange(m, dtype="float32") * step
        if interpolation == "nearest":
            i = ops.cast(ops.clip(ops.round(coords), 0.0, n_f - 1.0), "int32")
            x = tf.gather(x, i, axis=axis)
            continue
        coords = ops.clip(coords, 0.0, n_f - 1.0)
        lo = ops.floor(coords)
        w = ops.reshape(coords - lo, broadcast_shape(ndims, d) + [1])
        lo_i = ops.cast(lo, "int32")
        hi_i = ops.minimum(lo_i + 1, ops.cast(n, "int32") - 1)
        a = ops.cast(tf.gather(x, lo_i, axis=axis), "float32")
        b = ops.cast(tf.gather(x, hi_i, axis=axis), "float32")
        x = a + w * (b - a)
    return ops.cast(x, dtype) if tf.as_dtype(dtype).is_floating else x


def linear_resize(x, size):
    """Linearly resize the spatial axes of a channels-last 2D or 3D tensor.

    2D uses `tf.image.resize(..., "bilinear")` (half-pixel centres, no
    antialiasing). 3D is trilinear, done separably: (H, W) per depth slice,
    then D. `size` may be a tensor (the size may change every step).
    """
    rank = len(x.shape) - 2
    dtype = x.dtype
    if rank == 2:
        y = tf.image.resize(x, size, method="bilinear")
        return tf.cast(y, dtype)
    if rank != 3:
        raise ValueError(f"linear_resize expects a 4D or 5D tensor, received shape {x.shape}")
    size = tf.convert_to_tensor(size, tf.int32)
    shape = tf.shape(x)
    b, d, c = shape[0], shape[1], shape[4]
    y = tf.reshape(x, tf.stack([b * d, shape[2], shape[3], c]))
    y = tf.image.resize(y, size[1:], method="bilinear")
    hw = size[1] * size[2]
    y = tf.reshape(y, tf.stack([b, d, hw, c]))
    y = tf.image.resize(y, tf.stack([size[0], hw]), method="bilinear")
    y = tf.reshape(y, tf.stack([b, size[0], size[1], size[2], c]))
    return tf.cast(y, dtype)
