"""`VecInt`: integrate a stationary velocity field by scaling and squaring."""

from __future__ import annotations

import keras

from sshn_keras.layers.field_layer import FieldLayer
from sshn_keras.ops.integrate import INTEGRATION_METHODS, check_int_steps, integrate_velocity
from sshn_keras.ops.warp import check_finite, check_indexing


@keras.saving.register_keras_serializable(package="sshn_keras")
class VecInt(FieldLayer):
    """Integrate a stationary velocity field into a displacement (VoxelMorph's `VecInt`).

    Scaling and squaring: `v = v / 2**int_steps`, then `int_steps` times
    `v = v + warp(v, v)`, where `warp` is `SpatialTransformer`'s linear pull
    warp with clamped edges. `int_steps=0` returns the input unchanged.
    The result is the displacement of a diffeomorphism (up to interpolation
    error) when the velocity is smooth.

    VoxelMorph's arguments, in its order. Differences: with `indexing="xy"`
    the output is also in `"xy"` order (VoxelMorph returns it in `"ij"`
    order); only scaling and squaring (`method="ss"`), which integrates to
    time 1, so `out_time_pt` must be 1 (no ODE integration).

    Args:
        indexing: `"ij"` (default) or `"xy"`.
        method: `"ss"` (or its long name `"scaling_and_squaring"`).
        int_steps: number of squaring steps, >= 0 (default 7, as VoxelMorph).
        out_time_pt: time point of the output; 1 (the only one scaling and
            squaring gives).
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        A velocity field `(batch, *spatial, ndims)`, `ndims = len(spatial)`,
        in voxels (a single tensor, not a list).

    Output shape:
        `(batch, *spatial, ndims)`, the input's shape.

    Raises:
        ValueError: for a negative or non-integer `int_steps`, an unknown
            `method` or `indexing`, `out_time_pt` other than 1, a field whose channel count is not its
            spatial rank, or (eagerly) a field with NaN or Inf.

    Example:
    >>> velocity = keras.ops.zeros((1, 8, 8, 2))
    >>> VecInt(int_steps=7)(velocity).shape
    TensorShape([1, 8, 8, 2])

    Reference:
        Dalca, Balakrishnan, Guttag, Sabuncu. Unsupervised Learning for Fast
        Probabilistic Diffeomorphic Registration. MICCAI 2018.
    """

    field_name = "velocity"

    def __init__(self, indexing: str = "ij", method: str = "ss", int_steps: int = 7, out_time_pt: float = 1, **kwargs):
        super().__init__(**kwargs)
        self.int_steps = check_int_steps(int_steps)
        if isinstance(out_time_pt, bool) or out_time_pt != 1:
            raise ValueError(
                "`out_time_pt` must be 1: scaling and squaring integrates to time 1 (VoxelMorph's ODE methods "
                f"are not implemented). Received out_time_pt={out_time_pt!r}"
            )
        self.out_time_pt = 1
        if method not in INTEGRATION_METHODS:
            raise ValueError(
                f"`method` must be one of {INTEGRATION_METHODS} (only scaling and squaring is implemented). "
                f"Received method={method!r}"
            )
        self.method = method
        self.indexing = check_indexing(indexing)

    def call(self, inputs):
        velocity = check_finite(self.checked_field(inputs), "VecInt")
        return integrate_velocity(velocity, self.int_steps, self.indexing)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"indexing": self.indexing, "method": self.method, "int_steps": self.int_steps, "out_time_pt": self.out_time_pt}
        )
        return config
