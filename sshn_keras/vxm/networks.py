"""VoxelMorph's `vxm.networks`: the dense registration network `VxmDense`, and its scale-space family.

`VxmDense` is VoxelMorph's network, layer for layer (it loads VoxelMorph's
weights). `SSHNVxmDense`, `StochasticVxmDense`, `FiLMVxmDense` take the
same constructor arguments and defaults, with phi-conditioned resizes in
place of pooling; `build_vxm_dense(..., phi=...)` is their Fixed network.
"""

from sshn_keras.registration.networks import build_vxm_dense
from sshn_keras.registration.phi_networks import FiLMVxmDense, SSHNVxmDense, StochasticVxmDense
from sshn_keras.registration.vxm_dense import VxmDense, default_unet_features

__all__ = ["FiLMVxmDense", "SSHNVxmDense", "StochasticVxmDense", "VxmDense", "build_vxm_dense", "default_unet_features"]
