"""The FiLM baseline: a U-Net whose every convolution is followed by FiLM(phi)."""

import keras

from sshn_keras.models.phi_unet import PhiUNet
from sshn_keras.models.unet_arguments import FiLMOptions


@keras.saving.register_keras_serializable(package="sshn_keras")
class FiLMUNet(FiLMOptions, PhiUNet):
    """U-Net with FiLM layers after every convolution, scales and shifts predicted from phi.

    phi is drawn from the prior every step, as for SSHN. The FiLM parameters
    come from an MLP of phi (`HyperNetwork`, sizes `film_units`). Since a
    FiLM after a convolution is itself a convolution (kernel and bias scaled
    per output channel), `materialize(phi)` folds them into a plain U-Net.

    Args:
        film_units: hidden widths of the MLP of phi (default `(10, 100)`).
        Other arguments: see `PhiUNet`.
    """

    method_name = "film"
    network_name = "film_network"

    def __init__(self, *args, film_units=(10, 100), **kwargs):
        kwargs.setdefault("name", "film_unet")
        super().__init__(*args, method_options={"film_units": film_units}, **kwargs)
