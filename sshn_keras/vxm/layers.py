"""VoxelMorph's `vxm.layers`: transformer, integration and transform-resizing layers."""

from sshn_keras.layers import ComposeTransform, RescaleTransform, ResizeTransform, SpatialTransformer, VecInt

VecIntegration = VecInt  # VoxelMorph's long name

__all__ = ["ComposeTransform", "RescaleTransform", "ResizeTransform", "SpatialTransformer", "VecInt", "VecIntegration"]
