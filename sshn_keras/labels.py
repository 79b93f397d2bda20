"""Label-map conventions; they live in `sshn_keras.ops.labels` (re-exported here)."""

from sshn_keras.ops.labels import spatial_axes, to_one_hot

__all__ = ["spatial_axes", "to_one_hot"]
