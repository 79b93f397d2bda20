"""Datasets: the embedded synthetic default and loaders for the paper's datasets."""

from sshn_keras.data.synthetic import make_synthetic_segmentation
from sshn_keras.data.augment import Augmentation
from sshn_keras.data.base import Sample, SegmentationData
from sshn_keras.data.brain_phantom import load_brain_phantom, load_brain_phantom_volumes, write_brain_phantom
from sshn_keras.data.camus import load_camus
from sshn_keras.data.folder import load_folder
from sshn_keras.data.oasis import load_oasis
from sshn_keras.data.pandental import load_pandental
from sshn_keras.data.pipeline import make_dataset
from sshn_keras.data.registry import DATASETS
from sshn_keras.data.splits import split_by_subject
from sshn_keras.data.standin import write_oasis_standin
from sshn_keras.data.wbc import load_wbc

__all__ = [
    "DATASETS",
    "make_synthetic_segmentation",
    "Augmentation",
    "Sample",
    "SegmentationData",
    "load_brain_phantom",
    "load_brain_phantom_volumes",
    "write_brain_phantom",
    "load_camus",
    "load_folder",
    "load_oasis",
    "load_pandental",
    "load_wbc",
    "make_dataset",
    "split_by_subject",
    "write_oasis_standin",
]
