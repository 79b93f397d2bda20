"""Exact FLOPs of a built plain network, counted layer by layer.

Convolutions and `ResizeByFactor` resizes are counted with the rules of
`sshn_keras.ops.flops` from each layer's actual input and output shapes;
activations, concatenations, softmax, pooling, nearest upsampling and the
registration tail (integration, warp) are not counted, as in
`sshn_keras.flops.unet_flops`. The network must have known spatial sizes.
"""

from __future__ import annotations

import keras

from sshn_keras.layers import ResizeByFactor
from sshn_keras.ops.flops import conv_flops, resize_flops


def count_flops(model: keras.Model) -> dict:
    """`{"conv": int, "resize": int, "total": int}` of one forward pass of `model` on one input.

    Args:
        model: a plain functional network (ordinary `ConvND` layers, e.g. a
            Fixed or materialised one) with known spatial sizes.

    Raises:
        ValueError: if a counted layer's spatial size is unknown (None).

    Example:
    >>> from sshn_keras.architectures import UNetSpec
    >>> count_flops(UNetSpec((16, 16, 1), filters=4, num_stages=2).build_fixed(0.5))["total"] > 0
    True
    """
    conv = resize = 0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv3D)):
            spatial = _known(layer.output.shape[1:-1], layer, model)
            c_in = int(layer.input.shape[-1])
            conv += conv_flops(spatial, c_in, layer.filters, layer.kernel_size[0], layer.use_bias)
        elif isinstance(layer, ResizeByFactor):
            spatial = _known(layer.output.shape[1:-1], layer, model)
            resize += resize_flops(spatial, int(layer.output.shape[-1]))
    return {"conv": conv, "resize": resize, "total": conv + resize}


def _known(spatial, layer, model) -> tuple:
    if any(n is None for n in spatial):
        raise ValueError(
            f"FLOPs need known spatial sizes; layer {layer.name!r} of {model.name!r} has output size {tuple(spatial)}. "
            "Build the network with a known input shape."
        )
    return tuple(int(n) for n in spatial)
