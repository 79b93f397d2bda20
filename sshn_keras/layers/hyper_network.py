"""`HyperNetwork`: the shared MLP h(phi) that conditions every HyperConv."""

import keras
from keras import ops

from sshn_keras.ops.checks import check_bool, check_float, check_ints


@keras.saving.register_keras_serializable(package="sshn_keras")
class HyperNetwork(keras.layers.Layer):
    """Maps phi to the embedding that every `HyperConv` turns into weights.

    `[phi, 1 - phi] -> Dense(10) -> LeakyReLU -> Dense(100) -> LeakyReLU`,
    Kaiming-initialised (fan-in, gain for the LeakyReLU slope), zero biases.
    One phi holds for the whole batch, so the embedding has a single row.

    With `normalize=True` (default) the embedding is rescaled to the fixed
    L2 norm `1 / sqrt(E)` (E = `units[-1]`), i.e. `sum(e**2) = 1 / E`:

    * The network has no biases at initialisation, so its raw output is
      proportional to `||[phi, 1-phi]||`, which varies by sqrt(2) over phi,
      and 19 stacked convolutions turn that into a ~700x spread of
      activations. A fixed norm makes the predicted kernels' scale
      independent of phi, so each `HyperConv` head can start exactly at He
      scale (hyperfan-in, Chang et al., ICLR 2020).
    * Adam moves every head weight by about the learning rate per step; a
      predicted kernel entry `sum_i e_i W_ij` then moves by about
      `lr * sum_i |e_i|`. With the norm `1 / sqrt(E)`, `sum_i |e_i|` is
      about 0.8, so kernels learn at the pace of ordinary convolution
      weights instead of ~E times faster (which diverges).

    Args:
        units: widths of the hidden layers, default `(10, 100)`; the last is
            the embedding size.
        negative_slope: LeakyReLU slope (default 0.2).
        normalize: rescale the embedding to unit RMS (default True).
        **kwargs: base layer arguments.

    Input shape:
        phi as a `(batch, 1)` tensor (all rows equal; the first is used) or
        a scalar.

    Output shape:
        `(1, units[-1])`.

    Example:
    >>> h = HyperNetwork()
    >>> h(keras.ops.convert_to_tensor([[0.25]])).shape
    TensorShape([1, 100])
    """

    def __init__(self, units=(10, 100), negative_slope: float = 0.2, normalize: bool = True, **kwargs):
        super().__init__(**kwargs)
        units = check_ints(units, "units", 1, owner="HyperNetwork")
        self.units = units
        self.negative_slope = check_float(negative_slope, "negative_slope", owner="HyperNetwork")
        self.normalize = check_bool(normalize, "normalize", owner="HyperNetwork")
        gain = 2.0 / (1.0 + self.negative_slope**2)
        self.dense_layers = [
            keras.layers.Dense(
                u,
                kernel_initializer=keras.initializers.VarianceScaling(gain, "fan_in", "untruncated_normal"),
                bias_initializer="zeros",
                dtype=self.dtype_policy,
                name=f"dense{i}",
            )
            for i, u in enumerate(units)
        ]

    def build(self, input_shape):
        shape = (1, 2)
        for dense in self.dense_layers:
            dense.build(shape)
            shape = (1, dense.units)

    def call(self, phi):
        phi = ops.cast(ops.reshape(phi, (-1,))[:1], self.compute_dtype)
        x = ops.stack([phi, 1.0 - phi], axis=-1)
        for dense in self.dense_layers:
            x = ops.leaky_relu(dense(x), negative_slope=self.negative_slope)
        if self.normalize:
            x = x * ops.rsqrt(ops.sum(ops.square(x), axis=-1, keepdims=True) * self.units[-1] + 1e-12)
        return x

    def compute_output_shape(self, input_shape):
        return (1, self.units[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"units": list(self.units), "negative_slope": self.negative_slope, "normalize": self.normalize})
        return config
