"""Rescaling of a displacement field with its grid (the op under `RescaleTransform`)."""

from __future__ import annotations

from sshn_keras.ops.resize import resize_align_corners


def rescale_flow(flow, zoom_factor: float, interpolation: str = "linear"):
    """Resize a displacement field by `zoom_factor` and multiply it by the factor.

    As VoxelMorph's `RescaleTransform` for dense flows (values are voxels, so
    they scale with the grid). The multiplication is done on the smaller of
    the two grids.
    """
    if zoom_factor < 1:
        return resize_align_corners(flow, zoom_factor, interpolation) * zoom_factor
    return resize_align_corners(flow * zoom_factor, zoom_factor, interpolation)
