"""VoxelMorph's `vxm.losses`: `NCC`, `MSE`, `Grad`, `Dice` (each also a Keras loss)."""

from sshn_keras.losses import MSE, NCC, Dice, Grad

__all__ = ["Dice", "Grad", "MSE", "NCC"]
