"""The Scale-Space HyperNetwork (SSHN) segmentation model."""

import keras

from sshn_keras.models.phi_unet import PhiUNet
from sshn_keras.models.unet_arguments import SSHNOptions


@keras.saving.register_keras_serializable(package="sshn_keras")
class SSHNUNet(SSHNOptions, PhiUNet):
    """A U-Net whose every convolution is predicted from phi by one shared hypernetwork.

    Each training step draws one phi from the prior for the whole batch; the
    hypernetwork `h(phi)` predicts every kernel and bias of the primary
    U-Net, whose feature maps are rescaled by phi between encoder stages.
    One trained model thus holds a whole family of U-Nets. This is
    `PhiModel(UNetSpec(...), "sshn", SegmentationTask(num_classes),
    {"head_rank": 8})`; `PhiModel`'s SSHN keeps the paper's full heads.

    Args:
        hyper_units: hidden widths of the hypernetwork (default `(10, 100)`).
        normalize_embedding: unit-RMS hypernetwork embedding (see
            `HyperNetwork`; default True).
        head_rank: rank of the compact (factorised) kernel heads (see
            `HyperConv`; default 8), or None for the paper's full heads. On
            WBC (three seeds, RESULTS.md) rank-8 heads were at least as
            accurate as full heads at every validated phi, with 11x fewer
            hypernetwork weights. Models saved with full heads load as such.
        Other arguments: see `PhiUNet`.

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

    method_name = "sshn"
    network_name = "sshn_network"

    def __init__(self, *args, hyper_units=(10, 100), normalize_embedding: bool = True, head_rank: int | None = 8,
                 **kwargs):
        kwargs.setdefault("name", "sshn_unet")
        options = {"hyper_units": hyper_units, "normalize_embedding": normalize_embedding, "head_rank": head_rank}
        super().__init__(*args, method_options=options, **kwargs)

    def predicted_weights(self, phi: float) -> dict:
        """`{layer_name: (kernel, bias)}` predicted by the hypernetwork at `phi` (numpy)."""
        weights = self.strategy.weights(self.network, phi, self.method_options)
        return {name: (w[0], w[1] if len(w) > 1 else None) for name, w in weights.items()}
