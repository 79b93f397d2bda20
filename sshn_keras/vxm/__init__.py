"""VoxelMorph's TensorFlow API under Keras 3: `import sshn_keras.vxm as vxm` in place of `import voxelmorph as vxm`.

The namespaces mirror VoxelMorph 0.2's (`vxm.networks`, `vxm.layers`,
`vxm.losses`, `vxm.generators`, `vxm.py.utils`) with the same names,
arguments and defaults, so that a VoxelMorph training or registration
script runs with only its import changed, and weights saved by
VoxelMorph's `VxmDense` load with `model.load_weights("weights.h5")`.

Example:
>>> import sshn_keras.vxm as vxm
>>> model = vxm.networks.VxmDense(inshape=(64, 64), int_steps=7, int_downsize=2)
>>> losses = [vxm.losses.NCC().loss, vxm.losses.Grad("l2").loss]
>>> model.compile(optimizer="adam", loss=losses, loss_weights=[1, 0.01])
"""

from sshn_keras.vxm import generators, layers, losses, networks, py

__all__ = ["generators", "layers", "losses", "networks", "py"]
