"""Numpy / scipy references for the registration tests (no sshn_keras code)."""

import numpy as np
from scipy.ndimage import map_coordinates


def identity_grid(shape, dtype=np.float32):
    """(*shape, ndims) voxel coordinates, ij indexing."""
    return np.stack(np.meshgrid(*[np.arange(n, dtype=dtype) for n in shape], indexing="ij"), axis=-1)


def warp_reference(image, flow, order=1, fill_value=None):
    """Pull warp with scipy: out[x] = image[x + flow[x]], per batch item and channel.

    Coordinates are formed in float32 (as the layer does) before going to
    float64, so that both sides round the same sums.
    """
    image = np.asarray(image)
    flow = np.asarray(flow, dtype=np.float32)
    spatial = image.shape[1:-1]
    loc = (identity_grid(spatial)[None] + flow).astype(np.float64)
    mode = "nearest" if fill_value is None else "constant"
    cval = 0.0 if fill_value is None else fill_value
    out = np.empty(image.shape, dtype=np.float64)
    for b in range(image.shape[0]):
        coords = np.moveaxis(loc[b], -1, 0)
        for c in range(image.shape[-1]):
            channel = image[b, ..., c].astype(np.float64)
            out[b, ..., c] = map_coordinates(channel, coords, order=order, mode=mode, cval=cval)
    return out


def scaling_and_squaring_reference(velocity, int_steps):
    """v = v / 2**N, then N times v = v + warp(v, v) (linear, clamped), float64."""
    v = np.asarray(velocity, dtype=np.float64) / 2.0**int_steps
    for _ in range(int_steps):
        v = v + warp_reference(v, v.astype(np.float32), order=1)
    return v


def resize_align_corners_reference(x, zoom, order=1):
    """neurite-style resize: new n = int(n * zoom), samples at linspace(0, n - 1, new n)."""
    x = np.asarray(x, dtype=np.float64)
    spatial = x.shape[1:-1]
    new = [int(n * zoom) for n in spatial]
    axes = [np.linspace(0.0, n - 1.0, m) for n, m in zip(spatial, new)]
    coords = np.stack(np.meshgrid(*axes, indexing="ij"), axis=0)
    out = np.empty((x.shape[0], *new, x.shape[-1]))
    for b in range(x.shape[0]):
        for c in range(x.shape[-1]):
            out[b, ..., c] = map_coordinates(x[b, ..., c], coords, order=order, mode="nearest")
    return out


def grad_reference(flow, penalty):
    """Mean over spatial axes of mean |np.diff| (l1) or np.diff**2 (l2), per batch item."""
    flow = np.asarray(flow, dtype=np.float64)
    terms = []
    for axis in range(1, flow.ndim - 1):
        d = np.diff(flow, axis=axis)
        d = np.abs(d) if penalty == "l1" else d**2
        terms.append(d.reshape(flow.shape[0], -1).mean(axis=1))
    return np.mean(terms, axis=0)
