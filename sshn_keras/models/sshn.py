"""The Scale-Space HyperNetwork (SSHN) segmentation model."""

import keras
import numpy as np

from sshn_keras.ops.checks import check_bool, check_int, check_ints
from sshn_keras.layers import HyperConv, HyperNetwork
from sshn_keras.models.factories import hyper_conv_factory, resize_downsample
from sshn_keras.models.phi_model import PhiConditionedModel
from sshn_keras.models.unet import build_unet, check_architecture, unet_graph
from sshn_keras.priors import validate_phi


@keras.saving.register_keras_serializable(package="sshn_keras")
class SSHNUNet(PhiConditionedModel):
    """A U-Net whose every convolution is predicted from phi by one shared hypernetwork.

    Each training step draws one phi from the prior for the whole batch; the
    hypernetwork `h(phi)` predicts every kernel and bias of the primary
    U-Net, whose feature maps are rescaled by phi between encoder stages.
    One trained model thus holds a whole family of U-Nets.

    Args:
        hyper_units: hidden widths of the hypernetwork (default `(10, 100)`).
        normalize_embedding: unit-RMS hypernetwork embedding (see
            `HyperNetwork`; default True).
        head_rank: rank of compact (factorised) kernel heads (see
            `HyperConv`); None (default) for full heads. Use it for wide
            primary networks, whose full heads hold 100 weights per primary
            weight.
        Other arguments: see `PhiConditionedModel`.

    Example:
    >>> model = SSHNUNet(input_shape=(64, 64, 1), num_classes=3, filters=8)
    >>> model.compile(optimizer="adam", loss=SegmentationCrossEntropy(3))  # doctest: +SKIP
    >>> model.fit(x, y, epochs=1)                                       # doctest: +SKIP
    >>> probs = model.predict(x, phi=0.25)                                # doctest: +SKIP
    >>> unet = model.materialize(0.25)  # plain Keras U-Net, hypernetwork dropped  # doctest: +SKIP

    Reference:
        Ortiz, Gutierrez, Hoopes, Guttag, Dalca. Scale-Space Hypernetworks
        for Efficient Biomedical Imaging (2023).
    """

    def __init__(self, *args, hyper_units=(10, 100), normalize_embedding: bool = True, head_rank: int | None = None,
                 **kwargs):
        self.hyper_units = check_ints(hyper_units, "hyper_units", 1)
        self.head_rank = None if head_rank is None else check_int(head_rank, "head_rank", 1)
        self.normalize_embedding = check_bool(normalize_embedding, "normalize_embedding")
        kwargs.setdefault("name", "sshn_unet")
        super().__init__(*args, **kwargs)

    def build_network(self) -> keras.Model:
        rank, filters = check_architecture(
            self.image_shape, self.num_classes, self.filters, self.num_stages, self.convs_per_stage, self.kernel_size
        )
        image = keras.Input(self.image_shape, name="image")
        phi = keras.Input((1,), name="phi")
        # float32 under any mixed-precision policy: the kernels are predicted in float32.
        embedding = HyperNetwork(
            self.hyper_units,
            self.negative_slope,
            normalize=self.normalize_embedding,
            dtype="float32",
            name="hypernetwork",
        )(phi)
        conv = hyper_conv_factory(embedding, rank, self.negative_slope, head_rank=self.head_rank)
        out = unet_graph(
            image, self.num_classes, filters, self.convs_per_stage, self.kernel_size, self.negative_slope,
            conv, resize_downsample(phi),
        )
        return keras.Model({"image": image, "phi": phi}, out, name="sshn_network")

    def predicted_weights(self, phi: float) -> dict:
        """`{layer_name: (kernel, bias)}` predicted by the hypernetwork at `phi` (numpy)."""
        phi = validate_phi(phi)
        embedding = self.network.get_layer("hypernetwork")(np.array([[phi]], "float32"))
        weights = {}
        for layer in self.network.layers:
            if isinstance(layer, HyperConv):
                kernel, bias = layer.predict_weights(embedding)
                weights[layer.name] = (np.asarray(kernel), None if bias is None else np.asarray(bias))
        return weights

    def materialize(self, phi: float) -> keras.Model:
        """A plain Keras U-Net (ordinary convolutions) with the weights predicted at `phi`.

        The hypernetwork is evaluated once and dropped: the result is the
        Fixed U-Net architecture of `build_unet(..., phi=phi)`, and its
        predictions equal `self.predict(x, phi=phi)` to float tolerance.
        """
        phi = validate_phi(phi)
        unet = build_unet(**self.architecture(), phi=phi, name=f"sshn_unet_phi{phi:g}")
        for name, (kernel, bias) in self.predicted_weights(phi).items():
            unet.get_layer(name).set_weights([kernel, bias])
        return unet

    def get_config(self):
        config = super().get_config()
        config.update({"hyper_units": list(self.hyper_units), "normalize_embedding": self.normalize_embedding,
                       "head_rank": self.head_rank})
        return config
