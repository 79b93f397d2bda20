"""The FiLM baseline: a U-Net whose every convolution is followed by FiLM(phi)."""

import keras
import numpy as np

from sshn_keras.layers import HyperNetwork
from sshn_keras.models.factories import film_conv_factory, resize_downsample
from sshn_keras.ops.checks import check_ints
from sshn_keras.models.phi_model import PhiConditionedModel
from sshn_keras.models.unet import build_unet, check_architecture, unet_graph
from sshn_keras.priors import validate_phi


@keras.saving.register_keras_serializable(package="sshn_keras")
class FiLMUNet(PhiConditionedModel):
    """U-Net with FiLM layers after every convolution, scales and shifts predicted from phi.

    phi is drawn from the prior every step, as for SSHN. The FiLM parameters
    come from an MLP of phi (`HyperNetwork`, sizes `film_units`). Since a
    FiLM after a convolution is itself a convolution (kernel and bias scaled
    per output channel), `materialize(phi)` folds them into a plain U-Net.

    Args:
        film_units: hidden widths of the MLP of phi (default `(10, 100)`).
        Other arguments: see `PhiConditionedModel`.
    """

    def __init__(self, *args, film_units=(10, 100), **kwargs):
        self.film_units = check_ints(film_units, "film_units", 1)
        kwargs.setdefault("name", "film_unet")
        super().__init__(*args, **kwargs)

    def build_network(self) -> keras.Model:
        rank, filters = check_architecture(
            self.image_shape, self.num_classes, self.filters, self.num_stages, self.convs_per_stage, self.kernel_size
        )
        image = keras.Input(self.image_shape, name="image")
        phi = keras.Input((1,), name="phi")
        # float32 under any mixed-precision policy, like SSHN's hypernetwork.
        mlp = HyperNetwork(self.film_units, self.negative_slope, normalize=True, dtype="float32", name="film_mlp")
        embedding = mlp(phi)
        out = unet_graph(
            image, self.num_classes, filters, self.convs_per_stage, self.kernel_size, self.negative_slope,
            film_conv_factory(embedding, rank, self.negative_slope), resize_downsample(phi),
        )
        return keras.Model({"image": image, "phi": phi}, out, name="film_network")

    def materialize(self, phi: float) -> keras.Model:
        """A plain U-Net at `phi` with every FiLM folded into its convolution."""
        phi = validate_phi(phi)
        embedding = self.network.get_layer("film_mlp")(np.array([[phi]], "float32"))
        unet = build_unet(**self.architecture(), phi=phi, name=f"film_unet_phi{phi:g}")
        for layer in unet.layers:
            if not layer.weights:
                continue
            kernel, bias = self.network.get_layer(layer.name).get_weights()
            gamma, beta = (np.asarray(t) for t in self.network.get_layer(f"{layer.name}_film").scale_and_shift(embedding))
            layer.set_weights([kernel * gamma, bias * gamma + beta])
        return unet

    def get_config(self):
        config = super().get_config()
        config.update({"film_units": list(self.film_units)})
        return config
