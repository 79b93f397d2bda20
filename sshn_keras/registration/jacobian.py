"""Jacobian determinant and folding; they live in `sshn_keras.ops.jacobian` (re-exported here)."""

from sshn_keras.ops.jacobian import jacobian_determinant, nonpositive_jacobian_fraction

__all__ = ["jacobian_determinant", "nonpositive_jacobian_fraction"]
