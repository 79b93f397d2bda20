"""`FiLM`: feature-wise linear modulation of a feature map by an embedding."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="sshn_keras")
class FiLM(keras.layers.Layer):
    """`y = (1 + gamma(e)) * x + beta(e)`, per channel, with `gamma`, `beta` linear in `e`.

    The FiLM baseline of the paper puts one after every convolution; the
    embedding comes from the same small MLP of phi as SSHN's hypernetwork.
    Both heads start at zero, so at initialisation the layer is the identity.

    Args:
        **kwargs: base layer arguments.

    Input shape:
        `[x (batch, *spatial, C), embedding (1, E)]`.

    Output shape:
        Same as `x`.

    Reference:
        Perez et al. FiLM: Visual Reasoning with a General Conditioning Layer. AAAI 2018.
    """

    def build(self, input_shape):
        x_shape, e_shape = input_shape
        channels, embed = int(x_shape[-1]), int(e_shape[-1])
        self.gamma_head = self.add_weight(name="gamma_head", shape=(embed, channels), initializer="zeros")
        self.gamma_bias = self.add_weight(name="gamma_bias", shape=(channels,), initializer="zeros")
        self.beta_head = self.add_weight(name="beta_head", shape=(embed, channels), initializer="zeros")
        self.beta_bias = self.add_weight(name="beta_bias", shape=(channels,), initializer="zeros")

    def scale_and_shift(self, embedding):
        """`(1 + gamma, beta)`, each `(C,)`, for `embedding`."""
        e = ops.reshape(ops.cast(embedding, self.gamma_head.dtype), (1, -1))[:1]
        gamma = 1.0 + ops.reshape(ops.matmul(e, self.gamma_head) + self.gamma_bias, (-1,))
        beta = ops.reshape(ops.matmul(e, self.beta_head) + self.beta_bias, (-1,))
        return gamma, beta

    def call(self, inputs):
        x, embedding = inputs
        gamma, beta = self.scale_and_shift(embedding)
        return x * ops.cast(gamma, x.dtype) + ops.cast(beta, x.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])
