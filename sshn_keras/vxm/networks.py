"""VoxelMorph's `vxm.networks`: the dense registration network `VxmDense`."""

from sshn_keras.registration.vxm_dense import VxmDense, default_unet_features

__all__ = ["VxmDense", "default_unet_features"]
