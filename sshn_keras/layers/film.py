"""`FiLM`: feature-wise linear modulation of a feature map by an embedding."""

import keras
from keras import ops

from sshn_keras.layers.precision import KeepsInputDtypes


@keras.saving.register_keras_serializable(package="sshn_keras")
class FiLM(KeepsInputDtypes, keras.layers.Layer):
    """`y = (1 + gamma(e)) * x + beta(e)`, per channel, with `gamma`, `beta` linear in `e`.

    The FiLM baseline of the paper puts one after every convolution; the
    embedding comes from the same small MLP of phi as SSHN's hypernetwork.
    Both heads start at zero, so at initialisation the layer is the identity.

    Mixed precision: `gamma` and `beta` are computed in float32 from a
    float32 embedding (heads not autocast), then cast to the compute dtype.

    Args:
        **kwargs: base layer arguments.

    Input shape:
        `[x (batch, *spatial, C), embedding (1, E)]`.

    Output shape:
        Same as `x`.

    Reference:
        Perez et al. FiLM: Visual Reasoning with a General Conditioning Layer. AAAI 2018.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)  # KeepsInputDtypes: `x` is cast in `call`; the embedding stays float32

    def build(self, input_shape):
        x_shape, e_shape = input_shape
        channels, embed = int(x_shape[-1]), int(e_shape[-1])

        def head(name, shape):
            return self.add_weight(name=name, shape=shape, initializer="zeros", autocast=False)

        self.gamma_head = head("gamma_head", (embed, channels))
        self.gamma_bias = head("gamma_bias", (channels,))
        self.beta_head = head("beta_head", (embed, channels))
        self.beta_bias = head("beta_bias", (channels,))

    def scale_and_shift(self, embedding):
        """`(1 + gamma, beta)`, each `(C,)`, for `embedding`."""
        e = ops.reshape(ops.cast(embedding, self.gamma_head.dtype), (1, -1))[:1]
        gamma = 1.0 + ops.reshape(ops.matmul(e, self.gamma_head) + self.gamma_bias, (-1,))
        beta = ops.reshape(ops.matmul(e, self.beta_head) + self.beta_bias, (-1,))
        return gamma, beta

    def call(self, inputs):
        x, embedding = inputs
        x = ops.cast(x, self.compute_dtype)
        gamma, beta = self.scale_and_shift(embedding)
        return x * ops.cast(gamma, x.dtype) + ops.cast(beta, x.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])
