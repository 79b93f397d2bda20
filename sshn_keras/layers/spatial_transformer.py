"""`SpatialTransformer`: pull-warp an image by a dense displacement field."""

from __future__ import annotations

import keras

from sshn_keras.ops.warp import (
    check_fill_value,
    check_finite,
    check_same_grid,
    check_indexing,
    check_interpolation,
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

    Differences from VoxelMorph's `SpatialTransformer`: the interpolation
    argument is `interpolation` (VoxelMorph: `interp_method`); no affine
    transforms, no `single_transform`, no `shift_center`.

    Args:
        interpolation: `"linear"` (default) or `"nearest"`.
        indexing: `"ij"` (default) or `"xy"`.
        fill_value: None (clamp, default) or the value of samples outside.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        A list `[image, flow]`: `image` of shape `(batch, *spatial, channels)`
        and `flow` of shape `(batch, *spatial, ndims)`, `ndims = len(spatial)`.

    Output shape:
        `(batch, *spatial, channels)`, the image's shape.

    Raises:
        ValueError: for an unknown `interpolation` or `indexing`, a
            non-numeric `fill_value`, inputs that are not `[image, flow]`, a
            flow whose channel count is not the image's spatial rank,
            mismatched spatial or batch sizes, or (eagerly) a flow with NaN
            or Inf. Inside a `tf.function` a non-finite flow fails at run
            time with `tf.errors.InvalidArgumentError` (same message), as do
            spatial sizes that were unknown when traced and differ.

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
        interpolation: str = "linear",
        indexing: str = "ij",
        fill_value: float | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.interpolation = check_interpolation(interpolation)
        self.indexing = check_indexing(indexing)
        self.fill_value = check_fill_value(fill_value)

    def _split(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"{self.__class__.__name__} must be called on a list [image, flow]. Received {inputs!r}")
        return inputs[0], inputs[1]

    def build(self, input_shape):
        image_shape, flow_shape = self._split(input_shape)
        check_warp_shapes(image_shape, flow_shape, self.__class__.__name__)
        self.built = True

    def call(self, inputs):
        image, flow = self._split(inputs)
        check_warp_shapes(image.shape, flow.shape, self.__class__.__name__)
        flow = check_same_grid(image, flow, self.__class__.__name__)
        flow = check_finite(flow, self.__class__.__name__)
        return warp(image, flow, self.interpolation, self.fill_value, self.indexing)

    def compute_output_shape(self, input_shape):
        image_shape, flow_shape = self._split(input_shape)
        image_shape, flow_shape = tuple(image_shape), tuple(flow_shape)
        spatial = tuple(a if a is not None else b for a, b in zip(image_shape[1:-1], flow_shape[1:-1]))
        batch = image_shape[0] if image_shape[0] is not None else flow_shape[0]
        return (batch, *spatial, image_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"interpolation": self.interpolation, "indexing": self.indexing, "fill_value": self.fill_value})
        return config
