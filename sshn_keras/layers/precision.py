"""Inputs of layers that keep part of their inputs in float32 under mixed precision.

Keras casts every floating input of a layer to the layer's compute dtype
(`bfloat16` / `float16` under a mixed policy). `HyperConv`, `FiLM` and
`ResizeByFactor` also take phi or the hypernetwork embedding, which must stay
float32 (a bfloat16 phi = 0.35 is 0.3496, which changes the rescaled sizes).
These layers (and `PhiModel`) inherit `KeepsInputDtypes`, which turns Keras'
cast off (`_convert_input_args = False`) and calls `as_tensors` on their
inputs in `__call__` (arrays become tensors, dtypes unchanged); they cast the
feature map to the compute dtype themselves.
"""

import keras
from keras import ops


def as_tensors(inputs):
    """Convert array-like leaves of `inputs` to tensors, keeping their dtypes.

    Tensors and symbolic `KerasTensor`s are returned as they are.
    """

    def convert(t):
        if t is None or isinstance(t, keras.KerasTensor) or ops.is_tensor(t):
            return t
        return ops.convert_to_tensor(t)

    return keras.tree.map_structure(convert, inputs)


class KeepsInputDtypes:
    """Mixin, listed before the Keras base class, for a layer or model whose inputs keep their dtypes.

    Turns Keras' input cast off and converts array inputs to tensors with
    their own dtypes (see the module docstring); the subclass casts its
    feature map to the compute dtype in `call`.

    Example:
    >>> class Scale(KeepsInputDtypes, keras.layers.Layer):
    ...     def call(self, inputs):
    ...         x, phi = inputs
    ...         return ops.cast(x, self.compute_dtype) * ops.cast(phi, self.compute_dtype)
    >>> Scale(dtype="mixed_float16")([ops.ones((1, 2)), ops.ones((1, 1))]).dtype.name
    'float16'
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._convert_input_args = False

    def __call__(self, inputs, *args, **kwargs):
        return super().__call__(as_tensors(inputs), *args, **kwargs)
