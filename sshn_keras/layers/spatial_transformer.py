"""`SpatialTransformer`: pull-warp an image by a dense displacement field."""

from __future__ import annotations

import keras
from keras import ops

from sshn_keras.ops.transforms import affine_ndims, affine_to_dense_shift, check_interp_method
from sshn_keras.ops.warp import (
    check_fill_value,
    check_finite,
    check_same_grid,
    check_indexing,
    check_warp_shapes,
    warp,
)


@keras.saving.register_keras_serializable(package="sshn_keras")
class SpatialTransformer(keras.layers.Layer):
    """Warp an image by a dense displacement field (VoxelMorph's dense transform).

    A pull warp, `out[x] = image[x + flow[x]]`, in voxel units on the grid
    where voxel `i` sits at coordinate `i`. With `indexing="ij"` flow channel
    `k` displaces spatial axis `k` (tensor axis `k + 1`); `indexing="xy"`
    swaps the first two flow channels, as VoxelMorph. 2D and 3D (any N-D),
    channels-last; the image may have any number of channels.

    Edges follow VoxelMorph: with `fill_value=None` coordinates are clamped
    to the volume (edge values repeat, `scipy.ndimage.map_coordinates`
    `mode="nearest"`); with a number, any sample whose coordinate lies
    outside `[0, n - 1]` on some axis is exactly `fill_value`
    (`mode="constant"`). `"nearest"` rounds halves to even, as `tf.round`.

    Gather-based and vectorised over the batch (no `map_fn`); differentiable
    w.r.t. the image and, with `"linear"`, the flow. Coordinates and
    weights are float32 whatever the compute dtype. Integer images (label
    maps) are kept integer with `"nearest"`.

    Affine transforms, as VoxelMorph: a matrix `(batch, N, N + 1)` (or
    flattened, `(batch, N * (N + 1))`) is turned into its displacement field
    `A @ [x, 1] - x` on the image's grid, with coordinates centred on the
    volume when `shift_center` (`affine_to_dense_shift`); the identity
    matrix is the zero displacement.

    Args:
        interp_method: `"linear"` (default) or `"nearest"` (VoxelMorph's
            name; `interpolation` is accepted as an alias).
        indexing: `"ij"` (default) or `"xy"`; affine transforms need `"ij"`.
        single_transform: warp every image of the batch with the first
            transform (VoxelMorph's `single_transform`).
        fill_value: None (clamp, default) or the value of samples outside.
        shift_center: centre the grid for affine transforms (default True).
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        A list `[image, transform]`: `image` of shape `(batch, *spatial, channels)`
        and `transform` either a dense flow `(batch, *spatial, ndims)`,
        `ndims = len(spatial)`, or an affine `(batch, ndims, ndims + 1)` /
        `(batch, ndims * (ndims + 1))`.

    Output shape:
        `(batch, *spatial, channels)`, the image's shape.

    Raises:
        ValueError: for an unknown `interp_method` or `indexing`, both
            `interp_method` and `interpolation`, a non-numeric `fill_value`,
            inputs that are not `[image, transform]`, a transform that is
            neither a flow of the image's rank nor an affine of the right
            size (the message names expected and received shapes), a flow
            whose channel count is not the image's spatial rank, mismatched
            spatial or batch sizes, or (eagerly) a flow with NaN or Inf.
            Inside a `tf.function` a non-finite flow fails at run time with
            `tf.errors.InvalidArgumentError` (same message), as do spatial
            sizes that were unknown when traced and differ.

    Example:
    >>> image = keras.ops.ones((2, 16, 16, 3))
    >>> flow = keras.ops.zeros((2, 16, 16, 2))
    >>> SpatialTransformer()([image, flow]).shape
    TensorShape([2, 16, 16, 3])

    Reference:
        Balakrishnan, Zhao, Sabuncu, Guttag, Dalca. VoxelMorph: A Learning
        Framework for Deformable Medical Image Registration. IEEE TMI 2019.
    """

    def __init__(
        self,
        interp_method: str = "linear",
        indexing: str = "ij",
        single_transform: bool = False,
        fill_value: float | None = None,
        shift_center: bool = True,
        interpolation: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.interp_method = check_interp_method(interp_method, interpolation)
        self.indexing = check_indexing(indexing)
        self.single_transform = bool(single_transform)
        self.fill_value = check_fill_value(fill_value)
        self.shift_center = bool(shift_center)

    @property
    def interpolation(self) -> str:
        """Alias of `interp_method`."""
        return self.interp_method

    def _split(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"{self.__class__.__name__} must be called on a list [image, flow]. Received {inputs!r}")
        return inputs[0], inputs[1]

    def _is_affine(self, image_shape, trf_shape) -> bool:
        image_shape = tuple(image_shape)
        if len(image_shape) < 3:
            check_warp_shapes(image_shape, trf_shape, self.__class__.__name__)
        affine = affine_ndims(trf_shape, len(image_shape) - 2) is not None
        if affine and self.indexing != "ij":
            raise ValueError(f"Affine transforms need indexing='ij'. Received indexing={self.indexing!r}")
        return affine

    def build(self, input_shape):
        image_shape, flow_shape = self._split(input_shape)
        if not self._is_affine(image_shape, flow_shape) and not self.single_transform:
            check_warp_shapes(image_shape, flow_shape, self.__class__.__name__)
        self.built = True

    def call(self, inputs):
        image, flow = self._split(inputs)
        if self._is_affine(image.shape, flow.shape):
            flow = affine_to_dense_shift(flow, list(ops.shape(image)[1:-1]), self.shift_center)
        if self.single_transform:
            flow = ops.broadcast_to(flow[:1], (ops.shape(image)[0], *ops.shape(flow)[1:]))
        check_warp_shapes(image.shape, flow.shape, self.__class__.__name__)
        flow = check_same_grid(image, flow, self.__class__.__name__)
        flow = check_finite(flow, self.__class__.__name__)
        return warp(image, flow, self.interp_method, self.fill_value, self.indexing)

    def compute_output_shape(self, input_shape):
        image_shape, flow_shape = self._split(input_shape)
        image_shape, flow_shape = tuple(image_shape), tuple(flow_shape)
        if self._is_affine(image_shape, flow_shape) or self.single_transform:
            return image_shape
        spatial = tuple(a if a is not None else b for a, b in zip(image_shape[1:-1], flow_shape[1:-1]))
        batch = image_shape[0] if image_shape[0] is not None else flow_shape[0]
        return (batch, *spatial, image_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "interp_method": self.interp_method,
                "indexing": self.indexing,
                "single_transform": self.single_transform,
                "fill_value": self.fill_value,
                "shift_center": self.shift_center,
            }
        )
        return config
