"""`Negate`: multiply a tensor by -1 (VoxelMorph's inverse-flow layer for bidirectional models)."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="sshn_keras")
class Negate(keras.layers.Layer):
    """Return `-x` (neurite's `Negate`: the inverse of a stationary velocity field).

    Args:
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        Any tensor.

    Output shape:
        The input's shape.

    Example:
    >>> float(Negate()(keras.ops.ones((1, 2)))[0, 0])
    -1.0
    """

    def call(self, inputs):
        return keras.ops.negative(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
