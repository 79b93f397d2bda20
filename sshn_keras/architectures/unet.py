"""`UNetSpec`: the SSHN paper's U-Net (stages of convolutions, resize by phi, skip concatenations).

Layer names are predictable and identical for every method (`enc2_conv1`,
`enc1_resize`, `dec0_upsample`, `dec0_concat`, `head`), which is what
materialisation relies on. The decoder resizes back to the skip's size
(bilinear), so any phi and any input size give matching shapes.
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import Callable

import keras
import numpy as np

from sshn_keras.architectures.factories import HEAD, resize_to_skip
from sshn_keras.architectures.spec import ArchitectureSpec
from sshn_keras.ops.checks import check_float, check_int, check_ints
from sshn_keras.ops.sizes import min_input_size


def check_input_shape(input_shape, what: str = "input_shape") -> tuple:
    """`input_shape` as a tuple `(H, W, C)` / `(D, H, W, C)` (spatial sizes None or positive ints, C known)."""
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__iter__"):
        raise TypeError(f"`{what}` must be a tuple (H, W, C) or (D, H, W, C). Received {what}={input_shape!r}")
    input_shape = tuple(input_shape)
    if len(input_shape) not in (3, 4):
        raise ValueError(
            f"`{what}` must be (H, W, C) for 2D or (D, H, W, C) for 3D, channels last. Received {what}={input_shape}"
        )
    if input_shape[-1] is None:
        raise ValueError(f"The number of channels (last entry of `{what}`) must be known. Received {input_shape}")
    return tuple(None if n is None else check_int(n, what, 1) for n in input_shape)


@dataclasses.dataclass(frozen=True)
class UNetSpec(ArchitectureSpec):
    """The SSHN U-Net: `num_stages` encoder stages, `num_stages - 1` decoder stages, a 1x1 linear head.

    Each stage has `convs_per_stage` convolutions (`kernel_size`, "same")
    each followed by a LeakyReLU; the encoder rescales by phi between
    stages, the decoder resizes back to each skip's size and concatenates.
    Paper defaults: 5 stages, 2 convolutions per stage, 32 features.

    Args:
        input_shape: one input image, `(H, W, C)` or `(D, H, W, C)`; spatial
            sizes may be None. (Registration: one of the two images.)
        filters: features per convolution, an int or one int per stage.
        num_stages: encoder stages (the decoder has one fewer).
        convs_per_stage: convolutions per stage.
        kernel_size: convolution kernel size.
        negative_slope: LeakyReLU slope.

    Raises:
        TypeError: for arguments of the wrong type (`filters=2.5`).
        ValueError: naming the argument, for out-of-range values, a
            `filters` list of the wrong length, or known spatial sizes
            smaller than `2**(num_stages - 1)`.

    Example:
    >>> spec = UNetSpec((64, 64, 1), filters=8, num_stages=3)
    >>> spec.build_fixed(0.5, task={"name": "segmentation", "num_classes": 3}).output_shape
    (None, 64, 64, 3)
    >>> UNetSpec((64, 64, 1), num_stages=0)
    Traceback (most recent call last):
    ...
    ValueError: `num_stages` must be an int >= 1. Received num_stages=0
    """

    input_shape: tuple = (None, None, 1)
    filters: int | tuple = 32
    num_stages: int = 5
    convs_per_stage: int = 2
    kernel_size: int = 3
    negative_slope: float = 0.2
    name = "unet"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "input_shape", check_input_shape(self.input_shape))
        num_stages = check_int(self.num_stages, "num_stages", 1)
        set_(self, "num_stages", num_stages)
        set_(self, "convs_per_stage", check_int(self.convs_per_stage, "convs_per_stage", 1))
        set_(self, "kernel_size", check_int(self.kernel_size, "kernel_size", 1))
        set_(self, "negative_slope", check_float(self.negative_slope, "negative_slope"))
        if isinstance(self.filters, (numbers.Number, str)):
            set_(self, "filters", check_int(self.filters, "filters", 1))
        else:
            filters = tuple(check_ints(self.filters, "filters", 1))
            if len(filters) != num_stages:
                raise ValueError(
                    f"`filters` must be a positive int or a list of {num_stages} positive ints (one per stage). "
                    f"Received filters={list(filters)}"
                )
            set_(self, "filters", filters)
        min_size = min_input_size(num_stages)
        for n in self.input_shape[:-1]:
            if n is not None and n < min_size:
                raise ValueError(
                    f"Input spatial size {tuple(self.input_shape[:-1])} is too small for a U-Net with "
                    f"{num_stages} stages: every spatial axis needs at least {min_size} pixels "
                    f"(2**(num_stages - 1))."
                )

    @property
    def stage_filters(self) -> list:
        """Features of each stage's convolutions."""
        if isinstance(self.filters, (int, np.integer)):
            return [int(self.filters)] * self.num_stages
        return list(self.filters)

    def build(self, x, out_channels: int, conv: Callable, downsample: Callable, upsample: Callable = resize_to_skip):
        """Lay out the U-Net on `x`; returns the linear 1x1 head `(batch, *spatial, out_channels)`.

        Args:
            x: the input tensor `(batch, *spatial, channels)`.
            out_channels: channels of the head.
            conv: `conv(x, filters, kernel_size, name)`, a linear convolution.
            downsample: `downsample(x, name)`, the encoder's rescaling.
            upsample: `upsample(x, skip, name)`, back to the skip's size.
        """
        filters = self.stage_filters
        skips = []
        for s in range(self.num_stages):
            if s > 0:
                x = downsample(x, f"enc{s}_resize")
            for c in range(self.convs_per_stage):
                x = conv(x, filters[s], self.kernel_size, f"enc{s}_conv{c}")
                x = keras.layers.LeakyReLU(self.negative_slope, name=f"enc{s}_act{c}")(x)
            skips.append(x)
        for s in range(self.num_stages - 2, -1, -1):
            x = upsample(x, skips[s], f"dec{s}_upsample")
            x = keras.layers.Concatenate(name=f"dec{s}_concat")([x, skips[s]])
            for c in range(self.convs_per_stage):
                x = conv(x, filters[s], self.kernel_size, f"dec{s}_conv{c}")
                x = keras.layers.LeakyReLU(self.negative_slope, name=f"dec{s}_act{c}")(x)
        return conv(x, int(out_channels), 1, HEAD)
