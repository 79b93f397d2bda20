"""Jacobian determinant of displacement fields, and the folding check."""

from __future__ import annotations

import numpy as np

from sshn_keras.ops.tensors import to_numpy


def _split_batch(disp) -> tuple[np.ndarray, bool]:
    disp = to_numpy(disp).astype(np.float64, copy=False)
    if disp.ndim < 2:
        raise ValueError(
            f"A displacement field must be (*spatial, ndims) or (batch, *spatial, ndims). Received shape {disp.shape}"
        )
    ndims = disp.shape[-1]
    if ndims not in (2, 3):
        raise ValueError(
            f"Only 2D and 3D displacement fields (2 or 3 channels) are supported. Received shape {disp.shape}"
        )
    if disp.ndim == ndims + 1:
        return disp[None], False
    if disp.ndim == ndims + 2:
        return disp, True
    raise ValueError(
        f"A displacement field with {ndims} channels must be (*spatial, {ndims}) with {ndims} spatial axes, "
        f"or (batch, *spatial, {ndims}). Received shape {disp.shape}"
    )


def jacobian_determinant(disp) -> np.ndarray:
    """Jacobian determinant of the transform `x -> x + disp(x)`, per voxel.

    As VoxelMorph's `jacobian_determinant`: `np.gradient` (central
    differences inside, one-sided at the edges) of identity + displacement,
    in voxel units, `ij` indexing. A determinant <= 0 marks folding.

    Args:
        disp: a displacement field `(*spatial, ndims)` or a batch
            `(batch, *spatial, ndims)`, 2D or 3D, numpy array or tensor.

    Returns:
        float64 array `spatial` (or `(batch, *spatial)` for a batch).

    Raises:
        ValueError: for a field that is not 2D or 3D, or whose channel
            count does not match its spatial rank.

    Example:
    >>> float(jacobian_determinant(np.zeros((5, 5, 2))).min())
    1.0
    """
    disp, batched = _split_batch(disp)
    det = _determinant(disp)
    return det if batched else det[0]


def _determinant(disp: np.ndarray) -> np.ndarray:
    ndims = disp.shape[-1]
    spatial = disp.shape[1:-1]
    grid = np.stack(np.meshgrid(*[np.arange(n, dtype=np.float64) for n in spatial], indexing="ij"), axis=-1)
    phi = disp + grid[None]
    # J[i][..., k] = d phi_k / d x_i, one-sided at edges (np.gradient's default).
    # An axis of one voxel carries no derivative: take the identity's there.
    J = [np.gradient(phi, axis=i + 1) if spatial[i] > 1 else _unit(phi, i) for i in range(ndims)]
    if ndims == 2:
        dx, dy = J
        det = dx[..., 0] * dy[..., 1] - dy[..., 0] * dx[..., 1]
    else:
        dx, dy, dz = J
        det0 = dx[..., 0] * (dy[..., 1] * dz[..., 2] - dy[..., 2] * dz[..., 1])
        det1 = dx[..., 1] * (dy[..., 0] * dz[..., 2] - dy[..., 2] * dz[..., 0])
        det2 = dx[..., 2] * (dy[..., 0] * dz[..., 1] - dy[..., 1] * dz[..., 0])
        det = det0 - det1 + det2
    return det


def _unit(phi: np.ndarray, i: int) -> np.ndarray:
    e = np.zeros_like(phi)
    e[..., i] = 1.0
    return e


def nonpositive_jacobian_fraction(disp) -> float | np.ndarray:
    """Fraction of voxels whose Jacobian determinant is <= 0 (folding).

    Args:
        disp: as `jacobian_determinant`.

    Returns:
        A float for a single field, a `(batch,)` array for a batch.

    Example:
    >>> nonpositive_jacobian_fraction(np.zeros((4, 4, 4, 3)))
    0.0
    """
    disp, batched = _split_batch(disp)
    det = _determinant(disp)
    if batched:
        return np.mean(det.reshape(det.shape[0], -1) <= 0, axis=1)
    return float(np.mean(det[0] <= 0))
