"""`ResizeByFactor`: linear resizing of feature maps by a continuous factor."""

import keras
import tensorflow as tf

from sshn_keras.layers.precision import KeepsInputDtypes
from sshn_keras.ops.resize import linear_resize
from sshn_keras.ops.sizes import scaled_size, scaled_size_tensor

MODES = ("factor", "reference")


@keras.saving.register_keras_serializable(package="sshn_keras")
class ResizeByFactor(KeepsInputDtypes, keras.layers.Layer):
    """Linear resizing of a feature map by a factor phi, or to a reference size.

    Bilinear in 2D, trilinear in 3D (channels-last). With `mode="factor"`
    every spatial axis of length `n` becomes

        max(1, floor(phi * n + 0.5 + 1e-4))

    i.e. `phi * n` rounded half up (5 * 0.5 = 2.5 -> 3), never below one
    pixel; the 1e-4 guard makes a float32 phi round as its decimal value
    (see `sshn_keras.ops.sizes`).
    With `mode="reference"` the output takes the spatial size of a second
    input (the decoder upsampling to its skip connection's size).

    Args:
        factor: the constant factor phi (> 0). `None` means phi is given
            as a second input at call time (a scalar, or a `(batch, 1)`
            tensor whose entries are all equal: the first is used).
        mode: `"factor"` or `"reference"`.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        `x` of shape `(batch, *spatial, channels)`, called as `layer(x)`
        with a constant factor, `layer([x, phi])` with a tensor phi, or
        `layer([x, reference])` in reference mode.

    Output shape:
        `(batch, *new_spatial, channels)`; spatial sizes are `None` when they
        depend on a tensor phi.

    Mixed precision: a floating `x` is cast to the compute dtype (so is
    the output); a tensor phi is not (sizes are computed from float32 phi).

    Raises:
        ValueError: for a factor that is not a positive finite number, an
            unknown mode, or inputs that do not fit the mode.

    Example:
    >>> x = keras.ops.ones((2, 5, 7, 3))
    >>> ResizeByFactor(0.5)(x).shape
    TensorShape([2, 3, 4, 3])

    Reference:
        Ortiz, Guttag, Dalca. Magnitude Invariant Parametrizations Improve
        Hypernetwork Learning / Scale-Space Hypernetworks for Efficient
        Biomedical Imaging (SSHN).
    """

    def __init__(self, factor: float | None = None, mode: str = "factor", **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"`mode` must be one of {MODES}. Received mode={mode!r}")
        if factor is not None:
            if mode == "reference":
                raise ValueError("`factor` must be None when mode='reference'. " f"Received factor={factor}")
            if isinstance(factor, bool) or not isinstance(factor, (int, float)):
                raise ValueError(f"`factor` must be a positive number or None. Received factor={factor!r}")
            if not (factor > 0 and factor < float("inf")):
                raise ValueError(f"`factor` must be a positive finite number. Received factor={factor}")
            factor = float(factor)
        self.factor = factor
        self.mode = mode
        # KeepsInputDtypes: `x` is cast to the compute dtype in `call`; a phi
        # input keeps its float32 (cast to bfloat16, phi = 0.35 would become
        # 0.3496 and change the rounded sizes).
        # A phi given as a tensor changes the output shape from step to step:
        # XLA would recompile for every new shape, so such a layer opts out.
        self.supports_jit = factor is not None or mode == "reference"

    def _split(self, inputs):
        if self.mode == "reference" or self.factor is None:
            if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
                what = "[x, reference]" if self.mode == "reference" else "[x, phi]"
                raise ValueError(
                    f"ResizeByFactor(mode={self.mode!r}, factor={self.factor}) must be called on " f"{what}. Received {inputs!r}"
                )
            return inputs[0], inputs[1]
        if isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"ResizeByFactor(factor={self.factor}) takes a single tensor; pass "
                "factor=None to give phi as a second input."
            )
        return inputs, None

    def call(self, inputs):
        x, other = self._split(inputs)
        if keras.backend.is_float_dtype(x.dtype):
            x = tf.cast(x, self.compute_dtype)
        static = tuple(x.shape[1:-1])
        if self.mode == "reference":
            ref_static = tuple(other.shape[1:-1])
            size = list(ref_static) if None not in ref_static else tf.shape(other)[1:-1]
        elif other is None and None not in static:
            size = [scaled_size(n, self.factor) for n in static]  # known now: no runtime size math
        else:
            phi = self.factor if other is None else tf.reshape(other, (-1,))[0]
            size = scaled_size_tensor(tf.shape(x)[1:-1], phi)
        return linear_resize(x, size)

    def compute_output_shape(self, input_shape):
        if self.mode == "reference" or self.factor is None:
            x_shape, other_shape = input_shape
        else:
            x_shape, other_shape = input_shape, None
        x_shape = tuple(x_shape)
        if self.mode == "reference":
            spatial = tuple(other_shape[1:-1])
        elif self.factor is None:
            spatial = (None,) * (len(x_shape) - 2)
        else:
            spatial = tuple(None if n is None else scaled_size(n, self.factor) for n in x_shape[1:-1])
        return (x_shape[0], *spatial, x_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "mode": self.mode})
        return config
