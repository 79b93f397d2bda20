"""VoxelMorph's `vxm.losses`: `NCC`, `MSE`, `TukeyBiweight`, `Grad`, `Dice` (each also a Keras loss)."""

from sshn_keras.losses import MSE, NCC, Dice, Grad, TukeyBiweight

__all__ = ["Dice", "Grad", "MSE", "NCC", "TukeyBiweight"]
