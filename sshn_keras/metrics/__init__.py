"""Metrics of sshn_keras."""

from sshn_keras.metrics.dice import DiceScore, dice_per_label, mean_foreground_dice

__all__ = ["DiceScore", "dice_per_label", "mean_foreground_dice"]
