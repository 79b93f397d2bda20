"""Model builders and classes of sshn_keras."""

from sshn_keras.models.film import FiLMUNet
from sshn_keras.models.methods import METHODS, Method, phi_conditioned_methods
from sshn_keras.models.phi_model import PhiConditionedModel, PhiModel
from sshn_keras.models.phi_unet import PhiUNet
from sshn_keras.models.sshn import SSHNUNet
from sshn_keras.models.stochastic import StochasticUNet
from sshn_keras.models.strategies import STRATEGIES, Strategy
from sshn_keras.models.unet import build_unet, min_input_size, unet_graph


def build_sshn_unet(input_shape=(None, None, 1), num_classes: int = 2, **kwargs) -> SSHNUNet:
    """Build an `SSHNUNet` (see its docstring for the arguments)."""
    return SSHNUNet(input_shape=input_shape, num_classes=num_classes, **kwargs)


__all__ = [
    "FiLMUNet",
    "METHODS",
    "Method",
    "PhiConditionedModel",
    "PhiModel",
    "PhiUNet",
    "SSHNUNet",
    "STRATEGIES",
    "StochasticUNet",
    "Strategy",
    "build_sshn_unet",
    "build_unet",
    "min_input_size",
    "phi_conditioned_methods",
    "unet_graph",
]
