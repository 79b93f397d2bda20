"""VoxelMorph's `vxm.py`: numpy utilities."""

from sshn_keras.vxm.py import utils

__all__ = ["utils"]
