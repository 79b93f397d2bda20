"""`RescaleTransform`: resize a displacement field and scale its values."""

from __future__ import annotations

import keras

from sshn_keras.layers.field_layer import FieldLayer
from sshn_keras.ops.rescale import rescale_flow
from sshn_keras.ops.resize import check_zoom_factor, zoomed_size
from sshn_keras.ops.transforms import check_interp_method


@keras.saving.register_keras_serializable(package="sshn_keras")
class RescaleTransform(FieldLayer):
    """Resize a dense displacement field by `zoom_factor` and multiply it by the factor.

    For a flow predicted at a lower resolution (VoxelMorph's `int_downsize`):
    `RescaleTransform(1 / 2)` halves a full-resolution flow, and
    `RescaleTransform(2)` brings the half-resolution displacement back.
    As VoxelMorph (neurite's `resize`), an axis of length `n` becomes
    `int(n * zoom_factor)` (never below 1; a 1e-6 guard makes 96 * (1 / 3)
    give 32), sampled at `linspace(0, n - 1, new_n)`, i.e. with the corner
    voxels aligned; the displacement values, in voxels, are multiplied by
    `zoom_factor`. So `RescaleTransform(2)` on an `n`-voxel axis gives `2n`
    voxels: spatial sizes should be divisible by the inverse factor for a
    round trip to restore the original size.

    An affine matrix `(batch, ndims, ndims + 1)` is rescaled as VoxelMorph
    does: its translation column is multiplied by `zoom_factor`.

    Args:
        zoom_factor: the positive resize factor (same for every axis).
        interp_method: `"linear"` (default) or `"nearest"` (VoxelMorph's
            name; `interpolation` is accepted as an alias).
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        A displacement field `(batch, *spatial, ndims)`, `ndims = len(spatial)`,
        or an affine matrix `(batch, ndims, ndims + 1)`.

    Output shape:
        `(batch, *[int(n * zoom_factor) for n in spatial], ndims)`; `None`
        sizes stay `None`. An affine keeps its shape.

    Raises:
        ValueError: for a zoom factor that is not a positive finite number,
            an unknown interpolation, or a field whose channel count is not
            its spatial rank.

    Example:
    >>> flow = keras.ops.ones((1, 8, 10, 2))
    >>> RescaleTransform(0.5)(flow).shape
    TensorShape([1, 4, 5, 2])

    Reference:
        Balakrishnan et al. VoxelMorph, IEEE TMI 2019 (`RescaleTransform`).
    """

    field_name = "displacement"

    def __init__(self, zoom_factor: float, interp_method: str = "linear", interpolation: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.zoom_factor = check_zoom_factor(zoom_factor)
        self.interp_method = check_interp_method(interp_method, interpolation)

    @property
    def interpolation(self) -> str:
        """Alias of `interp_method`."""
        return self.interp_method

    @staticmethod
    def _is_affine(shape) -> bool:
        shape = tuple(shape)
        return len(shape) == 3 and shape[-1] is not None and shape[-1] == (shape[-2] or 0) + 1 and shape[-1] > 2

    def accepts_other_shape(self, shape: tuple) -> bool:
        """An affine matrix `(batch, ndims, ndims + 1)` is rescaled too (its translation column)."""
        return self._is_affine(shape)

    def call(self, inputs):
        inputs = self.checked_field(inputs)
        if self._is_affine(inputs.shape):
            return keras.ops.concatenate([inputs[..., :-1], inputs[..., -1:] * self.zoom_factor], axis=-1)
        return rescale_flow(inputs, self.zoom_factor, self.interp_method)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._is_affine(input_shape):
            return input_shape
        spatial = tuple(zoomed_size(n, self.zoom_factor) for n in input_shape[1:-1])
        return (input_shape[0], *spatial, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"zoom_factor": self.zoom_factor, "interp_method": self.interp_method})
        return config
