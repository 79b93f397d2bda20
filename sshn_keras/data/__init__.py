"""Datasets: the embedded synthetic default and loaders for the paper's datasets."""

from sshn_keras.data.synthetic import make_synthetic_segmentation

__all__ = ["make_synthetic_segmentation"]
