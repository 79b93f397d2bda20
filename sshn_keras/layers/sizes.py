"""The rounding rule of feature-map sizes; it lives in `sshn_keras.ops.sizes` (re-exported here)."""

from sshn_keras.ops.sizes import ROUNDING_EPS, scaled_shape, scaled_size, scaled_size_tensor, stage_shapes

__all__ = ["ROUNDING_EPS", "scaled_shape", "scaled_size", "scaled_size_tensor", "stage_shapes"]
