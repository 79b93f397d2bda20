"""Pull warp of an image by a dense displacement field, and the checks of its arguments.

The functional op under `SpatialTransformer` (and, through
`sshn_keras.ops.integrate`, `VecInt`). Conventions, shared with VoxelMorph:

* tensors are channels-last: images `(batch, *spatial, channels)`, flows
  `(batch, *spatial, ndims)` with `ndims = len(spatial)`;
* a flow is a dense displacement in voxels, `ij` indexing: channel `k`
  displaces spatial axis `k` (axis `k + 1` of the tensor);
* warping is a pull: `out[x] = image[x + flow[x]]`;
* coordinates are voxel indices, voxel `i` sits at coordinate `i` (the
  first voxel at 0, the last at `n - 1`).

The implementation is gather-based and vectorised over the batch: the image
is flattened to `(batch * voxels, channels)` and each of the `2**ndims`
corners is one `tf.gather` of flat indices. Everything else is `keras.ops`;
`tf.gather` is used directly because `keras.ops.take` adds a pass that fixes
negative indices, which never occur here (indices are clamped first).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from keras import ops

from sshn_keras.ops.tensors import broadcast_shape

INTERPOLATIONS = ("linear", "nearest")
INDEXINGS = ("ij", "xy")


def check_interpolation(interpolation) -> str:
    """Return `interpolation` if it is a known name, else raise ValueError."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"`interpolation` must be one of {INTERPOLATIONS}. Received interpolation={interpolation!r}")
    return interpolation


def check_indexing(indexing) -> str:
    """Return `indexing` if it is 'ij' or 'xy', else raise ValueError."""
    if indexing not in INDEXINGS:
        raise ValueError(f"`indexing` must be one of {INDEXINGS}. Received indexing={indexing!r}")
    return indexing


def check_fill_value(fill_value) -> float | None:
    """Return `fill_value` as a float (or None); raise ValueError otherwise."""
    if fill_value is None:
        return None
    if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float, np.integer, np.floating)):
        raise ValueError(f"`fill_value` must be a number or None. Received fill_value={fill_value!r}")
    return float(fill_value)


def check_warp_shapes(image_shape, flow_shape, who: str = "SpatialTransformer") -> None:
    """Check static shapes of an image and a flow; raise ValueError on mismatch.

    The image must be `(batch, *spatial, channels)` with at least one spatial
    axis, the flow `(batch, *spatial, ndims)` with `ndims = len(spatial)`.
    Sizes that are `None` are not compared.
    """
    image_shape = tuple(image_shape)
    flow_shape = tuple(flow_shape)
    if len(image_shape) < 3:
        raise ValueError(
            f"{who} expects an image of shape (batch, *spatial, channels) with at least one spatial axis. "
            f"Received image shape {image_shape}"
        )
    ndims = len(image_shape) - 2
    if len(flow_shape) != ndims + 2:
        raise ValueError(
            f"{who}: the flow must have the image's rank, (batch, *spatial, {ndims}). "
            f"Received image shape {image_shape} and flow shape {flow_shape}"
        )
    if flow_shape[-1] is not None and flow_shape[-1] != ndims:
        raise ValueError(
            f"{who}: the flow must have one channel per spatial axis of the image, i.e. {ndims} channels. "
            f"Received flow shape {flow_shape} for image shape {image_shape}"
        )
    for axis, (a, b) in enumerate(zip(image_shape[1:-1], flow_shape[1:-1])):
        if a is not None and b is not None and a != b:
            raise ValueError(
                f"{who}: image and flow must have the same spatial shape. Received image shape "
                f"{image_shape} and flow shape {flow_shape} (spatial axis {axis}: {a} != {b})"
            )
    if image_shape[0] is not None and flow_shape[0] is not None and image_shape[0] != flow_shape[0]:
        raise ValueError(
            f"{who}: image and flow must have the same batch size. Received image shape {image_shape} "
            f"and flow shape {flow_shape}"
        )


def check_finite(flow, who: str = "SpatialTransformer"):
    """Check that a flow has no NaN or Inf.

    Eagerly this raises `ValueError`. Inside a `tf.function` (e.g. `fit`) it
    returns the flow through `tf.debugging.assert_all_finite`, which fails
    at run time with an `InvalidArgumentError` carrying the same message
    (and is a no-op under XLA).
    """
    message = f"{who}: the flow contains NaN or Inf values"
    if tf.executing_eagerly():
        if not bool(ops.all(ops.isfinite(flow))):
            raise ValueError(message + ".")
        return flow
    return tf.debugging.assert_all_finite(flow, message)


def check_same_grid(image, flow, who: str = "SpatialTransformer"):
    """Check at run time that image and flow share batch and spatial sizes.

    Static sizes are checked by `check_warp_shapes`; this covers sizes that
    are `None` when traced (a `tf.function` with unknown spatial sizes),
    returning the flow through a `tf.debugging.assert_equal` (a no-op under
    XLA). Eagerly, or with all sizes static, it returns the flow unchanged.
    """
    sizes = list(image.shape[:-1]) + list(flow.shape[:-1])
    if tf.executing_eagerly() or all(n is not None for n in sizes):
        return flow
    check = tf.debugging.assert_equal(
        tf.shape(image)[:-1],
        tf.shape(flow)[:-1],
        message=f"{who}: image and flow must have the same batch and spatial sizes",
    )
    with tf.control_dependencies([check]):
        return tf.identity(flow)


def swap_xy(flow):
    """Swap the first two channels of a flow ('xy' <-> 'ij'); identity for 1D flows."""
    if flow.shape[-1] is not None and flow.shape[-1] < 2:
        return flow
    return ops.concatenate([flow[..., 1:2], flow[..., 0:1], flow[..., 2:]], axis=-1)


def warp(image, flow, interpolation: str = "linear", fill_value: float | None = None, indexing: str = "ij"):
    """Pull-warp `image` by a dense displacement `flow`: `out[x] = image[x + flow[x]]`.

    Args:
        image: `(batch, *spatial, channels)` tensor, any number of channels
            (integer images are fine with `"nearest"`; `"linear"` casts
            them to float32).
        flow: `(batch, *spatial, ndims)` displacements in voxels; channel k
            moves along spatial axis k (`"ij"`), or the first two channels are
            swapped (`"xy"`).
        interpolation: `"linear"` (multilinear) or `"nearest"` (coordinates
            rounded half to even, as `tf.round`).
        fill_value: None: coordinates are clamped to the volume (edge values
            repeat). A number: a sample whose coordinate lies outside
            `[0, n - 1]` on some axis takes exactly this value.
        indexing: `"ij"` or `"xy"`.

    Returns:
        `(batch, *spatial, channels)`, the image's dtype (float32 for an
        integer image with linear interpolation). Coordinates and weights are
        computed in float32 whatever the dtypes.

    No input checks beyond what shapes require; the layers check.
    """
    if indexing == "xy":
        flow = swap_xy(flow)
    ndims = len(image.shape) - 2
    out_dtype = image.dtype
    if interpolation == "linear" and not (tf.as_dtype(image.dtype).is_floating):
        out_dtype = tf.float32
    flow = ops.cast(flow, "float32")

    shape = ops.shape(image)
    batch, spatial, channels = shape[0], list(shape[1:-1]), shape[-1]
    # Row-major strides of the spatial axes, in voxels.
    strides = [1] * ndims
    for d in range(ndims - 2, -1, -1):
        strides[d] = strides[d + 1] * spatial[d + 1]
    voxels = strides[0] * spatial[0]
    flat = ops.reshape(image, (-1, channels))
    batch_offset = ops.reshape(ops.arange(batch, dtype="int32") * ops.cast(voxels, "int32"), [-1] + [1] * ndims)

    locs = []
    for d in range(ndims):
        grid = ops.reshape(ops.arange(spatial[d], dtype="float32"), broadcast_shape(ndims, d))
        locs.append(grid + flow[..., d])
    maxes = [ops.cast(n - 1, "float32") for n in spatial]

    if interpolation == "nearest":
        index = batch_offset
        for d in range(ndims):
            i = ops.cast(ops.clip(ops.round(locs[d]), 0.0, maxes[d]), "int32")
            index = index + i * strides[d]
        out = tf.gather(flat, index)
    else:
        index = batch_offset
        weights, steps = [], []
        for d in range(ndims):
            c = ops.clip(locs[d], 0.0, maxes[d])
            f = ops.floor(c)
            weights.append(ops.expand_dims(c - f, -1))
            index = index + ops.cast(f, "int32") * strides[d]
            # Upper corner one voxel up, or the same voxel on the last one (where
            # the weight is 0, so integer coordinates give exact values).
            steps.append(ops.cast(f < maxes[d], "int32") * strides[d])
        # Gather the 2**ndims corners, then interpolate separably, last axis first.
        values = []
        for corner in range(2**ndims):
            offset = 0
            for d in range(ndims):
                if (corner >> (ndims - 1 - d)) & 1:
                    offset = offset + steps[d]
            values.append(ops.cast(tf.gather(flat, index + offset), "float32"))
        for d in range(ndims - 1, -1, -1):
            w = weights[d]
            values = [lo + w * (hi - lo) for lo, hi in zip(values[0::2], values[1::2])]
        out = values[0]

    if fill_value is not None:
        outside = None
        for d in range(ndims):
            o = ops.logical_or(locs[d] < 0.0, locs[d] > maxes[d])
            outside = o if outside is None else ops.logical_or(outside, o)
        out = ops.where(ops.expand_dims(outside, -1), ops.cast(fill_value, out.dtype), out)
    return ops.cast(out, out_dtype)
