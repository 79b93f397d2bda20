"""`ResizeTransform`: VoxelMorph's older spelling of `RescaleTransform`, by the inverse factor."""

from __future__ import annotations

import keras

from sshn_keras.layers.rescale_transform import RescaleTransform
from sshn_keras.ops.resize import check_zoom_factor


@keras.saving.register_keras_serializable(package="sshn_keras")
class ResizeTransform(RescaleTransform):
    """Resize a displacement field by `1 / vel_resize` and scale its values (VoxelMorph's `ResizeTransform`).

    `ResizeTransform(2)` is `RescaleTransform(0.5)`: a field at full
    resolution becomes one at half resolution, its displacements halved.

    Args:
        vel_resize: the inverse of the resize factor (positive).
        interp_method: `"linear"` (default) or `"nearest"`.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        A displacement field `(batch, *spatial, ndims)` or an affine `(batch, ndims, ndims + 1)`.

    Output shape:
        `(batch, *[int(n / vel_resize) for n in spatial], ndims)`.

    Raises:
        ValueError: for a `vel_resize` that is not a positive finite number,
            or an unknown `interp_method`.

    Example:
    >>> ResizeTransform(2)(keras.ops.ones((1, 8, 8, 2))).shape
    TensorShape([1, 4, 4, 2])
    """

    def __init__(self, vel_resize: float, interp_method: str = "linear", **kwargs):
        self.vel_resize = check_zoom_factor(vel_resize)
        super().__init__(1.0 / self.vel_resize, interp_method=interp_method, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("zoom_factor")
        config["vel_resize"] = self.vel_resize
        return config
