"""Warping ops of registration; they live in `sshn_keras.ops` (re-exported here).

`warp` and its checks in `sshn_keras.ops.warp`, `integrate_velocity` in
`sshn_keras.ops.integrate`, `resize_align_corners` in `sshn_keras.ops.resize`,
`rescale_flow` in `sshn_keras.ops.rescale`.
"""

from sshn_keras.ops.integrate import INTEGRATION_METHODS, check_int_steps, integrate_velocity
from sshn_keras.ops.rescale import rescale_flow
from sshn_keras.ops.resize import ZOOM_EPS, check_zoom_factor, resize_align_corners, zoomed_size
from sshn_keras.ops.tensors import to_numpy
from sshn_keras.ops.warp import (
    INDEXINGS,
    INTERPOLATIONS,
    check_fill_value,
    check_finite,
    check_indexing,
    check_interpolation,
    check_same_grid,
    check_warp_shapes,
    swap_xy,
    warp,
)

__all__ = [
    "INDEXINGS",
    "INTEGRATION_METHODS",
    "INTERPOLATIONS",
    "ZOOM_EPS",
    "check_fill_value",
    "check_finite",
    "check_indexing",
    "check_int_steps",
    "check_interpolation",
    "check_same_grid",
    "check_warp_shapes",
    "check_zoom_factor",
    "integrate_velocity",
    "rescale_flow",
    "resize_align_corners",
    "swap_xy",
    "to_numpy",
    "warp",
    "zoomed_size",
]
