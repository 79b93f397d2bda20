"""`ComposeTransform`: one transform from a list of dense and affine transforms (VoxelMorph's)."""

from __future__ import annotations

import keras

from sshn_keras.ops.transforms import affine_ndims, compose
from sshn_keras.ops.warp import check_indexing, check_interpolation


@keras.saving.register_keras_serializable(package="sshn_keras")
class ComposeTransform(keras.layers.Layer):
    """Compose transforms applied in order: `ComposeTransform()([A, B, C])` is `C(B(A(x)))`.

    As VoxelMorph's `ComposeTransform` (`compose`): dense fields compose as
    `curr + warp(next, curr)`, affines multiply; the result is dense unless
    every transform is affine.

    Args:
        interp_method: `"linear"` (default) or `"nearest"`, for resampling dense fields.
        shift_center: centre affine coordinates on the volume (default True).
        indexing: `"ij"` (the only one supported, as VoxelMorph).
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        A list of at least two transforms: dense `(batch, *spatial, N)` (on
        one grid) or affine `(batch, N, N + 1)` / `(batch, N * (N + 1))`.

    Output shape:
        The dense shape, or `(batch, N, N + 1)` when all are affine.

    Raises:
        ValueError: for fewer than two transforms, `indexing="xy"`, an
            unknown `interp_method`, or a transform of the wrong shape
            (naming expected and received shapes).

    Example:
    >>> flow = keras.ops.zeros((1, 8, 8, 2))
    >>> ComposeTransform()([flow, flow]).shape
    TensorShape([1, 8, 8, 2])
    """

    def __init__(self, interp_method: str = "linear", shift_center: bool = True, indexing: str = "ij", **kwargs):
        super().__init__(**kwargs)
        self.interp_method = check_interpolation(interp_method)
        self.shift_center = bool(shift_center)
        if check_indexing(indexing) != "ij":
            raise ValueError(f"ComposeTransform supports indexing='ij' only (as VoxelMorph). Received indexing={indexing!r}")
        self.indexing = indexing

    def _out_shape(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) < 2 or not all(isinstance(s, (list, tuple)) for s in shapes):
            raise ValueError(f"ComposeTransform must be called on a list of at least two transforms. Received {shapes!r}")
        dense = [tuple(s) for s in shapes if len(s) > 3]
        ndims = len(dense[0]) - 2 if dense else shapes[0][-2] if len(shapes[0]) == 3 else None
        if ndims is None:
            length = shapes[0][-1]
            ndims = int(round((4 * length + 1) ** 0.5 - 1)) // 2
        for s in shapes:
            affine_ndims(s, ndims)
        return dense[0] if dense else (shapes[0][0], ndims, ndims + 1)

    def build(self, input_shape):
        self._out_shape(input_shape)
        self.built = True

    def call(self, transforms):
        self._out_shape([tuple(t.shape) for t in transforms])
        return compose(list(transforms), self.interp_method, self.shift_center)

    def compute_output_shape(self, input_shape):
        return self._out_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"interp_method": self.interp_method, "shift_center": self.shift_center, "indexing": self.indexing})
        return config
