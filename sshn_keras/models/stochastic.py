"""The Stochastic baseline: one ordinary U-Net trained with a random phi each step."""

import keras

from sshn_keras.models.phi_unet import PhiUNet


@keras.saving.register_keras_serializable(package="sshn_keras")
class StochasticUNet(PhiUNet):
    """Plain U-Net (shared weights for every phi) trained with phi drawn from the prior.

    The paper's Stochastic baseline: like SSHN it sees a new phi every step,
    but its weights cannot adapt to phi. `materialize(phi)` is the Fixed
    U-Net at phi holding these weights. Arguments: see `PhiUNet`.
    """

    method_name = "stochastic"
    network_name = "stochastic_network"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("name", "stochastic_unet")
        super().__init__(*args, **kwargs)
