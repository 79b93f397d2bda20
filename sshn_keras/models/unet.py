"""The Fixed U-Net (`build_unet`) and the U-Net helpers, on `sshn_keras.architectures.UNetSpec`.

The U-Net's layout lives in `UNetSpec.build`: the caller supplies how a
convolution is made (plain `Conv2D`, `HyperConv2D`, conv + FiLM) and how
the encoder rescales (`ResizeByFactor` with a constant or a tensor phi).
Layer names are predictable and identical across variants (`enc2_conv1`,
`dec0_upsample`, `head`), which is what materialisation relies on.
"""

from typing import Callable, Sequence

import keras

from sshn_keras.architectures import UNetSpec
from sshn_keras.architectures.factories import he_gain  # noqa: F401  (public here too)
from sshn_keras.ops.sizes import min_input_size  # noqa: F401  (public here too)
from sshn_keras.priors import validate_phi
from sshn_keras.tasks import SegmentationTask


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
    """Lay out the U-Net on `image` and return its output tensor (see `UNetSpec.build`).

    Args:
        final_activation: `"softmax"` (segmentation: class probabilities) or
            `None` (a linear head, e.g. a registration flow field), float32.
        conv: `conv(x, filters, kernel_size, name) -> tensor`, a linear
            convolution (no activation).
        downsample: `downsample(x, name) -> tensor`, the encoder rescaling.
    """
    if final_activation not in ("softmax", None):
        raise ValueError(f"`final_activation` must be 'softmax' or None. Received {final_activation!r}")
    spec = UNetSpec(tuple(image.shape[1:]), list(filters), len(filters), convs_per_stage, kernel_size, negative_slope)
    x = spec.build(image, num_classes, conv, downsample)
    if final_activation == "softmax":
        return keras.layers.Softmax(dtype="float32", name="softmax")(x)
    return keras.layers.Activation("linear", dtype="float32", name="output")(x)


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
    spec = UNetSpec(input_shape, filters, num_stages, convs_per_stage, kernel_size, negative_slope)
    return spec.build_fixed(phi, SegmentationTask(num_classes), name=name or f"unet_phi{phi:g}")
