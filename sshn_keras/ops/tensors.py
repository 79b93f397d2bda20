"""Small tensor helpers shared by the ops."""

from __future__ import annotations

import keras
import numpy as np


def broadcast_shape(ndims: int, axis: int) -> list:
    """Shape `[1, ..., -1, ..., 1]` (length `ndims + 1`) that lays a vector along spatial axis `axis`."""
    shape = [1] * (ndims + 1)
    shape[axis + 1] = -1
    return shape


def to_numpy(x) -> np.ndarray:
    """`keras.ops.convert_to_numpy`, for callers that take tensors or arrays."""
    return np.asarray(keras.ops.convert_to_numpy(x))
