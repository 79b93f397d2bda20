"""The primary U-Net of SSHN, written once for every way of producing its weights.

`unet_graph` lays out the network (stages, skips, names); the caller supplies
how a convolution is made (plain `Conv2D`, `HyperConv2D`, conv + FiLM) and
how the encoder rescales (`ResizeByFactor` with a constant or a tensor phi).
Layer names are predictable and identical across variants (`enc2_conv1`,
`dec0_upsample`, `head`), which is what materialisation relies on.
"""

from typing import Callable, Sequence

import numbers

import keras
import numpy as np

from sshn_keras.ops.checks import check_float, check_int, check_ints
from sshn_keras.layers import ResizeByFactor
from sshn_keras.models.factories import he_gain, plain_conv_factory  # noqa: F401  (he_gain: public here too)
from sshn_keras.priors import validate_phi


def check_architecture(
    input_shape: Sequence, num_classes: int, filters, num_stages: int, convs_per_stage: int, kernel_size: int
) -> tuple:
    """Validate U-Net hyper-parameters; returns `(rank, filters_per_stage)`."""
    input_shape = tuple(input_shape)
    if len(input_shape) not in (3, 4):
        raise ValueError(
            "`input_shape` must be (H, W, C) for 2D or (D, H, W, C) for 3D, channels last. "
            f"Received input_shape={input_shape}"
        )
    if input_shape[-1] is None or int(input_shape[-1]) < 1:
        raise ValueError(f"The number of channels (last entry of `input_shape`) must be known. Received {input_shape}")
    if isinstance(num_classes, (int, np.integer)) and not isinstance(num_classes, bool) and num_classes < 2:
        raise ValueError(f"`num_classes` must be an int >= 2 (background included). Received num_classes={num_classes}")
    check_int(num_classes, "num_classes", 2)
    num_stages = check_int(num_stages, "num_stages", 1)
    check_int(convs_per_stage, "convs_per_stage", 1)
    check_int(kernel_size, "kernel_size", 1)
    if isinstance(filters, (numbers.Number, str)):
        filters = [check_int(filters, "filters", 1)] * num_stages
    filters = list(check_ints(filters, "filters", 1))
    if len(filters) != num_stages:
        raise ValueError(
            f"`filters` must be a positive int or a list of {num_stages} positive ints (one per stage). "
            f"Received filters={filters}"
        )
    min_size = min_input_size(num_stages)
    for n in input_shape[:-1]:
        if n is not None and int(n) < min_size:
            raise ValueError(
                f"Input spatial size {tuple(input_shape[:-1])} is too small for a U-Net with "
                f"{num_stages} stages: every spatial axis needs at least {min_size} pixels "
                f"(2**(num_stages - 1))."
            )
    return len(input_shape) - 1, filters


def min_input_size(num_stages: int) -> int:
    """Smallest spatial size accepted: `2**(num_stages - 1)`.

    At that size a phi = 0.5 U-Net still has one pixel per axis at its
    bottleneck; smaller inputs are refused rather than silently clamped.
    """
    return 2 ** (num_stages - 1)


def unet_graph(
    image,
    num_classes: int,
    filters: Sequence[int],
    convs_per_stage: int,
    kernel_size: int,
    negative_slope: float,
    conv: Callable,
    downsample: Callable,
    final_activation: str | None = "softmax",
):
    """Lay out the U-Net on `image` and return its output tensor.

    Args:
        final_activation: `"softmax"` (segmentation: class probabilities) or
            `None` (a linear head, e.g. a registration flow field), float32.
        conv: `conv(x, filters, kernel_size, name) -> tensor`, a linear
            convolution (no activation).
        downsample: `downsample(x, name) -> tensor`, the encoder rescaling.
    """
    num_stages = len(filters)
    x = image
    skips = []
    for s in range(num_stages):
        if s > 0:
            x = downsample(x, f"enc{s}_resize")
        for c in range(convs_per_stage):
            x = conv(x, filters[s], kernel_size, f"enc{s}_conv{c}")
            x = keras.layers.LeakyReLU(negative_slope, name=f"enc{s}_act{c}")(x)
        skips.append(x)
    for s in range(num_stages - 2, -1, -1):
        x = ResizeByFactor(mode="reference", name=f"dec{s}_upsample")([x, skips[s]])
        x = keras.layers.Concatenate(name=f"dec{s}_concat")([x, skips[s]])
        for c in range(convs_per_stage):
            x = conv(x, filters[s], kernel_size, f"dec{s}_conv{c}")
            x = keras.layers.LeakyReLU(negative_slope, name=f"dec{s}_act{c}")(x)
    x = conv(x, num_classes, 1, "head")
    if final_activation == "softmax":
        return keras.layers.Softmax(dtype="float32", name="softmax")(x)
    if final_activation is None:
        return keras.layers.Activation("linear", dtype="float32", name="output")(x)
    raise ValueError(f"`final_activation` must be 'softmax' or None. Received {final_activation!r}")


def build_unet(
    input_shape=(None, None, 1),
    num_classes: int = 2,
    phi: float = 0.5,
    filters=32,
    num_stages: int = 5,
    convs_per_stage: int = 2,
    kernel_size: int = 3,
    negative_slope: float = 0.2,
    name: str | None = None,
) -> keras.Model:
    """The Fixed U-Net: ordinary convolutions, feature maps rescaled by a constant phi.

    This is the Fixed baseline of the paper, and what an SSHN materialises
    and exports at a chosen phi. Paper defaults: 5 encoder stages, 4 decoder
    stages, 2 convolutions per stage, 32 features, LeakyReLU, softmax head.

    Args:
        input_shape: `(H, W, C)` or `(D, H, W, C)`; spatial sizes may be None.
        num_classes: number of output classes, background included (>= 2).
        phi: rescaling factor between encoder stages, in (0, 1].
        filters: features per convolution, an int or one int per stage.
        num_stages: encoder stages (decoder has one fewer).
        convs_per_stage: convolutions per stage.
        kernel_size: convolution kernel size.
        negative_slope: LeakyReLU slope.
        name: model name (default `unet_phi{phi}`).

    Returns:
        A functional `keras.Model` with input `image`, output class
        probabilities `(batch, *spatial, num_classes)`.

    Raises:
        ValueError: for phi outside (0, 1] and invalid architecture values.

    Example:
    >>> model = build_unet((64, 64, 1), num_classes=3, phi=0.5, filters=8)
    >>> model.output_shape
    (None, 64, 64, 3)
    """
    phi = validate_phi(phi)
    rank, filters = check_architecture(input_shape, num_classes, filters, num_stages, convs_per_stage, kernel_size)
    num_classes, convs_per_stage, kernel_size = int(num_classes), int(convs_per_stage), int(kernel_size)
    negative_slope = check_float(negative_slope, "negative_slope")
    conv = plain_conv_factory(rank, negative_slope)

    def downsample(x, layer_name):
        return ResizeByFactor(phi, name=layer_name)(x)

    image = keras.Input(tuple(input_shape), name="image")
    out = unet_graph(image, num_classes, filters, convs_per_stage, kernel_size, negative_slope, conv, downsample)
    return keras.Model(image, out, name=name or f"unet_phi{phi:g}")
