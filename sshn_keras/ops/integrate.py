"""Integration of a stationary velocity field by scaling and squaring (the op under `VecInt`)."""

from __future__ import annotations

import numpy as np

from sshn_keras.ops.warp import swap_xy, warp

INTEGRATION_METHODS = ("ss", "scaling_and_squaring")


def check_int_steps(int_steps) -> int:
    """Return `int_steps` if it is a non-negative int, else raise ValueError."""
    if isinstance(int_steps, bool) or not isinstance(int_steps, (int, np.integer)) or int_steps < 0:
        raise ValueError(f"`int_steps` must be a non-negative integer. Received int_steps={int_steps!r}")
    return int(int_steps)


def integrate_velocity(velocity, int_steps: int = 7, indexing: str = "ij"):
    """Integrate a stationary velocity field by scaling and squaring.

    `v = v / 2**int_steps`, then `int_steps` times `v = v + warp(v, v)`
    (linear interpolation, clamped edges), as VoxelMorph's
    `integrate_vec(..., method='ss')`. `int_steps=0` returns the input.

    Args:
        velocity: `(batch, *spatial, ndims)` float tensor, voxels.
        int_steps: number of squaring steps (>= 0).
        indexing: `"ij"` or `"xy"`; with `"xy"` the returned displacement is
            also in `"xy"` order.

    Returns:
        The displacement of the time-1 flow, shaped and ordered like the input.
    """
    if int_steps == 0:
        return velocity
    if indexing == "xy":
        velocity = swap_xy(velocity)
    disp = velocity / float(2**int_steps)
    for _ in range(int_steps):
        disp = disp + warp(disp, disp)
    if indexing == "xy":
        disp = swap_xy(disp)
    return disp
