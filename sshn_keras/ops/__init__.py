"""Pure functional ops: the lowest level of sshn_keras, importing nothing else from the package.

One idea per module:

* `sizes`: the rounding rule that turns a factor phi into feature-map sizes.
* `resize`: linear resizing, half-pixel (`ResizeByFactor`) or corners aligned.
* `warp`: the pull warp of an image by a displacement field (`SpatialTransformer`).
* `integrate`: scaling and squaring of a velocity field (`VecInt`).
* `rescale`: resizing a displacement field with its grid (`RescaleTransform`).
* `jacobian`: Jacobian determinant of a displacement field, folding.
* `dice`: the Dice overlap every loss, metric and evaluation uses.
* `labels`: label-map conventions (integer or one-hot), spatial axes.
* `tensors`: small tensor helpers.

Layers, losses, metrics and models are built on these.
"""

from sshn_keras.ops.dice import dice_from_counts, label_map_dice, mean_label_map_dice, overlap_dice
from sshn_keras.ops.integrate import integrate_velocity
from sshn_keras.ops.jacobian import jacobian_determinant, nonpositive_jacobian_fraction
from sshn_keras.ops.labels import spatial_axes, to_one_hot
from sshn_keras.ops.rescale import rescale_flow
from sshn_keras.ops.resize import linear_resize, resize_align_corners, zoomed_size
from sshn_keras.ops.sizes import scaled_shape, scaled_size, scaled_size_tensor, stage_shapes
from sshn_keras.ops.tensors import to_numpy
from sshn_keras.ops.warp import warp

__all__ = [
    "dice_from_counts",
    "integrate_velocity",
    "jacobian_determinant",
    "label_map_dice",
    "linear_resize",
    "mean_label_map_dice",
    "nonpositive_jacobian_fraction",
    "overlap_dice",
    "rescale_flow",
    "resize_align_corners",
    "scaled_shape",
    "scaled_size",
    "scaled_size_tensor",
    "spatial_axes",
    "stage_shapes",
    "to_numpy",
    "to_one_hot",
    "warp",
    "zoomed_size",
]
