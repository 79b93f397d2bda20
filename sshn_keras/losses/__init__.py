"""Losses of sshn_keras."""

from sshn_keras.losses.dice import Dice, vxm_dice
from sshn_keras.losses.ncc import NCC, local_ncc, ncc_loss
from sshn_keras.losses.registration import MSE, Grad, grad_loss, label_map_dice, mean_label_map_dice, mse_loss
from sshn_keras.losses.tukey import TukeyBiweight, tukey_biweight_loss
from sshn_keras.losses.segmentation import SegmentationCrossEntropy, SoftDiceLoss, crossentropy, soft_dice_loss

__all__ = [
    "Dice",
    "NCC",
    "Grad",
    "MSE",
    "SegmentationCrossEntropy",
    "SoftDiceLoss",
    "TukeyBiweight",
    "crossentropy",
    "grad_loss",
    "label_map_dice",
    "local_ncc",
    "mean_label_map_dice",
    "mse_loss",
    "ncc_loss",
    "soft_dice_loss",
    "tukey_biweight_loss",
    "vxm_dice",
]
