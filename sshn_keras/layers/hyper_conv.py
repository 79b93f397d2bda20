"""`HyperConv2D` / `HyperConv3D`: convolutions whose weights are predicted."""

import math

import keras
import numpy as np
from keras import ops

from sshn_keras.layers.precision import KeepsInputDtypes


class HyperConv(KeepsInputDtypes, keras.layers.Layer):
    """Convolution whose kernel and bias are a linear function of an embedding.

    Called on `[x, embedding]`: the layer owns a linear head (its slice of
    the hypernetwork's output layer) mapping the shared embedding `(1, E)`
    to its kernel and bias, then convolves exactly as `keras.layers.ConvND`
    does (same `ops.conv` call), so given the same kernel both agree.

    Mixed precision: the heads stay float32 (not autocast) and the
    embedding is not cast to the compute dtype, so kernels and biases are
    predicted in float32; only the convolution runs in the compute dtype
    (`x` and the predicted kernel are cast to it).

    Initialisation (hyperfan-in, Chang et al., ICLR 2020): with an embedding
    of squared norm `embedding_sq_norm` (`1 / E` for
    `HyperNetwork(normalize=True)`), a kernel head drawn from
    `N(0, init_gain / (fan_in * embedding_sq_norm))` yields predicted
    kernels of variance `init_gain / fan_in`, a He-initialised
    convolution's, for every phi.
    The bias head starts at zero, so predicted biases start at zero.

    Compact head (`head_rank=r`): the kernel is `K0 + (e @ U) @ V`, a learned
    base kernel `K0` plus a rank-`r` phi-dependent part, `n + r * (E + n)`
    weights instead of `(E + 1) * n` (about `E / r` times fewer for large
    layers). A U-Net whose widths double per stage (32 ... 512) has 7.8M
    weights, so full heads (101 per primary weight) would hold 0.79G weights
    (3.2 GB in float32, three times that with Adam's moments); with `r = 8`,
    71M (`sshn_keras.models.hyper_size`). Initialisation as LoRA's: `K0` is drawn as
    a He-initialised kernel (`N(0, init_gain / fan_in)`), `U` from
    `N(0, 1 / (r * embedding_sq_norm))` (so `e @ U` has about unit norm) and
    `V` is zero, so training starts from one ordinary He-initialised U-Net
    for every phi and learns how the kernels change with phi. (A factorised
    head drawn at random instead scales each layer's kernels by
    `||e @ U||^2`, a chi-square variable that varies with phi and compounds
    over layers: activations vanished in our initialisation test.)

    Args:
        rank: 2 or 3.
        filters: number of output channels.
        kernel_size: int or tuple.
        strides: int or tuple (default 1).
        padding: `"same"` or `"valid"`.
        dilation_rate: int or tuple (default 1).
        activation: activation applied after the convolution (default none).
        use_bias: whether a bias is predicted (default True).
        init_gain: variance gain of the predicted kernels at initialisation
            (default 2.0, He; use `2 / (1 + slope**2)` for LeakyReLU).
        embedding_sq_norm: squared L2 norm of the embedding the layer will
            receive; None (default) means `1 / E`, as `HyperNetwork` gives.
        kernel_head_initializer: overrides the hyperfan-in initialiser.
        bias_head_initializer: initialiser of the bias head (default zeros).
        head_rank: rank of a compact (factorised) kernel head; None (default)
            for the full `(E, n)` head.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size=3,
        strides=1,
        padding: str = "same",
        dilation_rate=1,
        activation=None,
        use_bias: bool = True,
        init_gain: float = 2.0,
        embedding_sq_norm: float | None = None,
        kernel_head_initializer=None,
        bias_head_initializer="zeros",
        head_rank: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)  # KeepsInputDtypes: `x` is cast in `call`; the embedding stays float32
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"`filters` must be a positive int. Received filters={filters}")
        padding = str(padding).lower()
        if padding not in ("same", "valid"):
            raise ValueError(f"`padding` must be 'same' or 'valid'. Received padding={padding!r}")
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = _tuple(kernel_size, rank, "kernel_size")
        self.strides = _tuple(strides, rank, "strides")
        self.dilation_rate = _tuple(dilation_rate, rank, "dilation_rate")
        self.padding = padding
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.init_gain = float(init_gain)
        self.embedding_sq_norm = None if embedding_sq_norm is None else float(embedding_sq_norm)
        self.kernel_head_initializer = (
            None if kernel_head_initializer is None else keras.initializers.get(kernel_head_initializer)
        )
        self.bias_head_initializer = keras.initializers.get(bias_head_initializer)
        if head_rank is not None and (isinstance(head_rank, bool) or not isinstance(head_rank, int) or head_rank <= 0):
            raise ValueError(f"`head_rank` must be a positive int or None. Received head_rank={head_rank!r}")
        if head_rank is not None and kernel_head_initializer is not None:
            raise ValueError("`kernel_head_initializer` applies to the full head only; it cannot be used with `head_rank`.")
        self.head_rank = head_rank

    def build(self, input_shape):
        x_shape, e_shape = input_shape
        in_channels = x_shape[-1]
        if in_channels is None:
            raise ValueError(f"{self.name}: the number of input channels must be known. Received shape {x_shape}")
        embed = int(e_shape[-1])
        self.kernel_shape = (*self.kernel_size, int(in_channels), self.filters)
        fan_in = math.prod(self.kernel_size) * int(in_channels)
        sq_norm = self.embedding_sq_norm if self.embedding_sq_norm is not None else 1.0 / embed
        if self.head_rank is None:
            init = self.kernel_head_initializer or keras.initializers.RandomNormal(
                stddev=math.sqrt(self.init_gain / (fan_in * sq_norm))
            )
        else:  # the base kernel of a compact head
            init = keras.initializers.RandomNormal(stddev=math.sqrt(self.init_gain / fan_in))
        n_kernel = math.prod(self.kernel_shape)
        if self.head_rank is None:
            self.kernel_head = self.add_weight(
                name="kernel_head", shape=(embed, n_kernel), initializer=init, autocast=False
            )
        else:
            r = self.head_rank
            self.kernel_head_in = self.add_weight(
                name="kernel_head_in",
                shape=(embed, r),
                initializer=keras.initializers.RandomNormal(stddev=math.sqrt(1.0 / (r * sq_norm))),
                autocast=False,
            )
            self.kernel_head_out = self.add_weight(
                name="kernel_head_out",
                shape=(r, n_kernel),
                initializer="zeros",
                autocast=False,
            )
        self.kernel_head_bias = self.add_weight(
            name="kernel_head_bias",
            shape=(n_kernel,),
            # compact head: the base kernel K0 (He), see the class docstring
            initializer="zeros" if self.head_rank is None else init,
            autocast=False,
        )
        if self.use_bias:
            self.bias_head = self.add_weight(
                name="bias_head", shape=(embed, self.filters), initializer=self.bias_head_initializer, autocast=False
            )
            self.bias_head_bias = self.add_weight(
                name="bias_head_bias", shape=(self.filters,), initializer="zeros", autocast=False
            )

    def predict_weights(self, embedding):
        """Kernel `(*kernel_size, in, filters)` and bias `(filters,)` for `embedding`."""
        e = ops.reshape(ops.cast(embedding, self.kernel_head_bias.dtype), (1, -1))[:1]
        if self.head_rank is None:
            flat = ops.matmul(e, self.kernel_head)
        else:
            flat = ops.matmul(ops.matmul(e, self.kernel_head_in), self.kernel_head_out)
        kernel = ops.reshape(flat + self.kernel_head_bias, self.kernel_shape)
        bias = None
        if self.use_bias:
            bias = ops.reshape(ops.matmul(e, self.bias_head) + self.bias_head_bias, (self.filters,))
        return kernel, bias

    def convolution_op(self, inputs, kernel):
        return ops.conv(
            inputs,
            kernel,
            strides=list(self.strides),
            padding=self.padding,
            dilation_rate=self.dilation_rate,
            data_format="channels_last",
        )

    def call(self, inputs):
        x, embedding = inputs
        x = ops.cast(x, self.compute_dtype)
        kernel, bias = self.predict_weights(embedding)
        y = self.convolution_op(x, ops.cast(kernel, x.dtype))
        if bias is not None:
            y = y + ops.reshape(ops.cast(bias, y.dtype), (1,) * (self.rank + 1) + (self.filters,))
        if self.activation is not None:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        x_shape = input_shape[0]
        conv = keras.layers.Conv2D if self.rank == 2 else keras.layers.Conv3D
        return conv(
            self.filters, self.kernel_size, self.strides, self.padding, dilation_rate=self.dilation_rate
        ).compute_output_shape(x_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "dilation_rate": self.dilation_rate,
                "activation": keras.activations.serialize(self.activation) if self.activation else None,
                "use_bias": self.use_bias,
                "init_gain": self.init_gain,
                "embedding_sq_norm": self.embedding_sq_norm,
                "kernel_head_initializer": (
                    None
                    if self.kernel_head_initializer is None
                    else keras.initializers.serialize(self.kernel_head_initializer)
                ),
                "bias_head_initializer": keras.initializers.serialize(self.bias_head_initializer),
                "head_rank": self.head_rank,
            }
        )
        return config


def _tuple(value, rank, name):
    if isinstance(value, (int, np.integer)):
        value = (value,) * rank
    value = tuple(value)
    if len(value) != rank or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0 for v in value):
        raise ValueError(f"`{name}` must be a positive int or a tuple of {rank} positive ints. Received {name}={value}")
    return tuple(int(v) for v in value)


@keras.saving.register_keras_serializable(package="sshn_keras")
class HyperConv2D(HyperConv):
    """2D convolution with hypernetwork-predicted weights (see `HyperConv`).

    Input shape: `[x (batch, H, W, C), embedding (1, E)]`.
    Output shape: `(batch, H', W', filters)` as `keras.layers.Conv2D`.

    Example:
    >>> from sshn_keras.layers import HyperNetwork
    >>> e = HyperNetwork()(keras.ops.convert_to_tensor([[0.3]]))
    >>> HyperConv2D(8, 3)([keras.ops.ones((2, 16, 16, 1)), e]).shape
    TensorShape([2, 16, 16, 8])
    """

    def __init__(self, filters: int, kernel_size=3, **kwargs):
        super().__init__(2, filters, kernel_size, **kwargs)


@keras.saving.register_keras_serializable(package="sshn_keras")
class HyperConv3D(HyperConv):
    """3D convolution with hypernetwork-predicted weights (see `HyperConv`).

    Input shape: `[x (batch, D, H, W, C), embedding (1, E)]`.
    Output shape: `(batch, D', H', W', filters)` as `keras.layers.Conv3D`.
    """

    def __init__(self, filters: int, kernel_size=3, **kwargs):
        super().__init__(3, filters, kernel_size, **kwargs)
