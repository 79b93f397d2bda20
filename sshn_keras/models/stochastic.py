"""The Stochastic baseline: one ordinary U-Net trained with a random phi each step."""

import keras

from sshn_keras.models.factories import plain_conv_factory, resize_downsample
from sshn_keras.models.phi_model import PhiConditionedModel
from sshn_keras.models.unet import build_unet, check_architecture, unet_graph
from sshn_keras.priors import validate_phi


@keras.saving.register_keras_serializable(package="sshn_keras")
class StochasticUNet(PhiConditionedModel):
    """Plain U-Net (shared weights for every phi) trained with phi drawn from the prior.

    The paper's Stochastic baseline: like SSHN it sees a new phi every step,
    but its weights cannot adapt to phi. Arguments: see `PhiConditionedModel`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("name", "stochastic_unet")
        super().__init__(*args, **kwargs)

    def build_network(self) -> keras.Model:
        rank, filters = check_architecture(
            self.image_shape, self.num_classes, self.filters, self.num_stages, self.convs_per_stage, self.kernel_size
        )
        image = keras.Input(self.image_shape, name="image")
        phi = keras.Input((1,), name="phi")
        out = unet_graph(
            image, self.num_classes, filters, self.convs_per_stage, self.kernel_size, self.negative_slope,
            plain_conv_factory(rank, self.negative_slope), resize_downsample(phi),
        )
        return keras.Model({"image": image, "phi": phi}, out, name="stochastic_network")

    def materialize(self, phi: float) -> keras.Model:
        """A Fixed U-Net at `phi` holding this model's (phi-independent) weights."""
        phi = validate_phi(phi)
        unet = build_unet(**self.architecture(), phi=phi, name=f"stochastic_unet_phi{phi:g}")
        for layer in unet.layers:
            if layer.weights:
                layer.set_weights(self.network.get_layer(layer.name).get_weights())
        return unet
