"""Affine and dense transforms as VoxelMorph represents them: shapes, conversion, composition.

Conventions (VoxelMorph 0.2's): a dense transform is a displacement field
`(batch, *spatial, ndims)` in voxels, `ij` order; an affine transform is a
matrix `(batch, ndims, ndims + 1)` (or flattened, `(batch, ndims * (ndims + 1))`)
mapping voxel coordinates, optionally centred on the volume
(`shift_center=True`: coordinate `i - (n - 1) / 2`), to the coordinates
sampled. The identity matrix is the zero displacement.
"""

from __future__ import annotations

from typing import Sequence

from keras import ops

from sshn_keras.ops.warp import check_interpolation, warp


def check_interp_method(interp_method: str = "linear", interpolation: str | None = None) -> str:
    """The interpolation of a layer given as VoxelMorph's `interp_method` or its alias `interpolation`.

    Raises:
        ValueError: for an unknown name, or both arguments given with different values.
    """
    if interpolation is not None:
        if interp_method != "linear" and interp_method != interpolation:
            raise ValueError(
                "Give the interpolation once, as `interp_method` (`interpolation` is its alias). Received "
                f"interp_method={interp_method!r} and interpolation={interpolation!r}"
            )
        interp_method = interpolation
    return check_interpolation(interp_method)


def affine_ndims(shape: Sequence, image_ndims: int) -> int | None:
    """`ndims` if `shape` (with batch axis) is an affine transform for `image_ndims`-D images, else None.

    Accepted: `(batch, N, N + 1)` and flattened `(batch, N * (N + 1))`, with
    `N = image_ndims`. A dense field has the image's rank and is not affine.

    Raises:
        ValueError: for a shape that is neither a dense field of the image's
            rank nor an affine of the right size, naming expected and received.
    """
    shape = tuple(shape)
    n = image_ndims
    if len(shape) == n + 2:
        return None
    if len(shape) == 3 and tuple(shape[1:]) in ((n, n + 1), (None, None)):
        return n
    if len(shape) == 2 and shape[1] in (n * (n + 1), None):
        return n
    raise ValueError(
        f"A transform for {n}D images must be a dense flow of the image's rank {n + 2}, (batch, *spatial, {n}), "
        f"or an affine matrix (batch, {n}, {n + 1}) or flattened (batch, {n * (n + 1)}). Received transform "
        f"shape {shape} (rank {len(shape)})"
    )


def affine_to_dense_shift(matrix, spatial: Sequence, shift_center: bool = True):
    """The displacement field `(batch, *spatial, N)` of affine matrices (VoxelMorph's `affine_to_dense_shift`).

    Args:
        matrix: `(batch, N, N + 1)` or `(batch, N * (N + 1))`, float.
        spatial: the target grid's spatial shape (ints or scalar tensors).
        shift_center: coordinates centred on the volume (VoxelMorph's default).

    Returns:
        `matrix @ [x, 1] - x` at every voxel `x`, float32.
    """
    n = len(spatial)
    matrix = ops.reshape(ops.cast(matrix, "float32"), (-1, n, n + 1))
    grids = ops.meshgrid(*[ops.arange(s, dtype="float32") for s in spatial], indexing="ij")
    if shift_center:
        grids = [g - (ops.cast(s, "float32") - 1.0) / 2.0 for g, s in zip(grids, spatial)]
    mesh = ops.stack(grids, axis=-1)  # (*spatial, N)
    linear = ops.einsum("bij,...j->b...i", matrix[:, :, :n], mesh)
    shift = matrix[:, :, n]
    shift = ops.reshape(shift, (-1, *([1] * n), n))
    return linear + shift - mesh[None]


def make_square_affine(matrix):
    """`(batch, N, N + 1)` -> `(batch, N + 1, N + 1)` with the row `[0, ..., 0, 1]` appended."""
    n = matrix.shape[-2]
    row = ops.concatenate([ops.zeros((n,), matrix.dtype), ops.ones((1,), matrix.dtype)])
    row = ops.broadcast_to(ops.reshape(row, (1, 1, n + 1)), (ops.shape(matrix)[0], 1, n + 1))
    return ops.concatenate([matrix, row], axis=1)


def compose(transforms: Sequence, interp_method: str = "linear", shift_center: bool = True):
    """One transform from a list applied in order: `compose([A, B])(x) = B(A(x))` (VoxelMorph's `compose`).

    Dense unless every transform is affine. Dense fields compose as
    `curr + warp(next, curr)`; affines multiply.

    Args:
        transforms: two or more transforms, each dense `(batch, *spatial, N)`
            or affine `(batch, N, N + 1)` / flattened; dense ones share a grid.
        interp_method: interpolation when resampling a dense field.
        shift_center: centring of affine coordinates (see `affine_to_dense_shift`).

    Returns:
        The composed transform.

    Raises:
        ValueError: for fewer than two transforms, or a transform that is
            neither dense nor an affine of the right size.
    """
    if not isinstance(transforms, (list, tuple)) or len(transforms) < 2:
        raise ValueError(f"compose needs a list of at least two transforms. Received {transforms!r}")
    dense = [t for t in transforms if len(t.shape) > 3]
    if dense:
        ndims = len(dense[0].shape) - 2
        spatial = list(ops.shape(dense[0])[1:-1])
    else:
        first = transforms[0]
        ndims = first.shape[-2] if len(first.shape) == 3 else int(round((4 * first.shape[-1] + 1) ** 0.5 - 1) // 2)
    kinds = [affine_ndims(t.shape, ndims) for t in transforms]

    def to_dense(t, kind):
        return ops.cast(t, "float32") if kind is None else affine_to_dense_shift(t, spatial, shift_center)

    def to_square(t):
        return make_square_affine(ops.reshape(ops.cast(t, "float32"), (-1, ndims, ndims + 1)))

    curr, curr_kind = transforms[-1], kinds[-1]
    for nxt, nxt_kind in zip(reversed(transforms[:-1]), reversed(kinds[:-1])):
        if curr_kind is None or nxt_kind is None:
            curr = to_dense(curr, curr_kind)
            nxt = to_dense(nxt, nxt_kind)
            curr = curr + warp(nxt, curr, interp_method)
            curr_kind = None
        else:
            curr = ops.matmul(to_square(nxt), to_square(curr))[:, :ndims]
            curr_kind = ndims
    return curr
