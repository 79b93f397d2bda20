"""Inputs of layers that keep part of their inputs in float32 under mixed precision.

Keras casts every floating input of a layer to the layer's compute dtype
(`bfloat16` / `float16` under a mixed policy). `HyperConv`, `FiLM` and
`ResizeByFactor` also take phi or the hypernetwork embedding, which must stay
float32 (a bfloat16 phi = 0.35 is 0.3496, which changes the rescaled sizes).
These layers turn Keras' cast off (`_convert_input_args = False`), call
`as_tensors` on their inputs in `__call__` (arrays become tensors, dtypes
unchanged), and cast the feature map to the compute dtype themselves.
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
