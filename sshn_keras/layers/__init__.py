"""Layers of sshn_keras (all registered for Keras serialization)."""

from sshn_keras.layers.compose_transform import ComposeTransform
from sshn_keras.layers.film import FiLM
from sshn_keras.layers.hyper_conv import HyperConv, HyperConv2D, HyperConv3D
from sshn_keras.layers.hyper_network import HyperNetwork
from sshn_keras.layers.negate import Negate
from sshn_keras.layers.rescale_transform import RescaleTransform
from sshn_keras.layers.resize_by_factor import ResizeByFactor
from sshn_keras.layers.resize_transform import ResizeTransform
from sshn_keras.layers.sample_normal import SampleNormalLogVar
from sshn_keras.ops.sizes import scaled_shape, scaled_size, stage_shapes
from sshn_keras.layers.spatial_transformer import SpatialTransformer
from sshn_keras.layers.vec_int import VecInt

__all__ = [
    "ComposeTransform",
    "FiLM",
    "HyperConv",
    "HyperConv2D",
    "HyperConv3D",
    "HyperNetwork",
    "Negate",
    "RescaleTransform",
    "ResizeByFactor",
    "ResizeTransform",
    "SampleNormalLogVar",
    "SpatialTransformer",
    "VecInt",
    "scaled_shape",
    "scaled_size",
    "stage_shapes",
]
