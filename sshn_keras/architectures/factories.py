"""The plain convolution and the resize factories every architecture is laid out with.

An architecture spec's `build` takes three callables:

* `conv(x, filters, kernel_size, name)`: a linear convolution. Plain
  (`plain_conv_factory`) for Fixed and Stochastic; the methods of
  `sshn_keras.models.strategies` give predicted (SSHN) or FiLM-modulated
  ones.
* `downsample(x, name)`: the encoder's rescaling. `constant_downsample(phi)`
  (a Fixed network at one phi) or `resize_downsample(phi_tensor)`
  (phi-conditioned: `ResizeByFactor` fed by the phi input).
* `upsample(x, skip, name)`: the decoder's rescaling, back to the skip's
  size (`resize_to_skip`, bilinear).

The head (the layer named `HEAD`) may start with kernels of a given
standard deviation instead of He's (registration: VoxelMorph's
`RandomNormal(1e-5)`), so an untrained registration network predicts an
almost identity warp.
"""

from __future__ import annotations

from typing import Callable

import keras

from sshn_keras.layers import ResizeByFactor

HEAD = "head"  # the name every architecture gives its last (linear) convolution


def he_gain(negative_slope: float) -> float:
    """Kaiming variance gain for a LeakyReLU of the given slope."""
    return 2.0 / (1.0 + float(negative_slope) ** 2)


def head_gain(x, kernel_size: int, stddev: float) -> float:
    """Variance gain giving kernels of standard deviation `stddev` for input `x`.

    A kernel initialised with gain `g` (He-style, `Var = g / fan_in`) has
    standard deviation `sqrt(g / fan_in)`; this returns `stddev**2 * fan_in`.
    """
    rank = len(x.shape) - 2
    fan_in = kernel_size**rank * int(x.shape[-1])
    return float(stddev) ** 2 * fan_in


def init_gain(negative_slope: float, kernel_initializer: str | None = None) -> float:
    """Variance gain (`Var = gain / fan_in`) of an architecture's kernels: what predicted kernels start at.

    `kernel_initializer=None`: He for the LeakyReLU (`he_gain`);
    `"he_normal"` (VoxelMorph's): 2.
    """
    if kernel_initializer is None:
        return he_gain(negative_slope)
    if kernel_initializer == "he_normal":
        return 2.0
    raise ValueError(f"`kernel_initializer` must be None or 'he_normal'. Received kernel_initializer={kernel_initializer!r}")


def plain_conv_factory(
    rank: int, negative_slope: float, head_init_stddev: float | None = None, kernel_initializer: str | None = None
) -> Callable:
    """`conv(x, filters, kernel_size, name)` with ordinary `ConvND` layers (Fixed, Stochastic).

    Kernels are He-initialised for the LeakyReLU (`kernel_initializer=None`,
    the SSHN U-Net's), or with Keras' `"he_normal"` (VoxelMorph's); the head
    with `RandomNormal(head_init_stddev)` when given.
    """
    conv_layer = keras.layers.Conv2D if rank == 2 else keras.layers.Conv3D
    init_gain(negative_slope, kernel_initializer)  # checks the name
    if kernel_initializer is None:
        init = keras.initializers.VarianceScaling(he_gain(negative_slope), "fan_in", "untruncated_normal")
    else:
        init = kernel_initializer

    def conv(x, f, k, name):
        kernel_init = init
        if head_init_stddev is not None and name == HEAD:
            kernel_init = keras.initializers.RandomNormal(stddev=head_init_stddev)
        return conv_layer(f, k, padding="same", kernel_initializer=kernel_init, name=name)(x)

    return conv


def resize_downsample(phi) -> Callable:
    """`downsample(x, name)`: bilinear resize by the phi tensor (`ResizeByFactor`)."""

    def downsample(x, name):
        return ResizeByFactor(name=name)([x, phi])

    return downsample


def constant_downsample(phi: float) -> Callable:
    """`downsample(x, name)`: bilinear resize by the constant `phi` (a Fixed network)."""

    def downsample(x, name):
        return ResizeByFactor(phi, name=name)(x)

    return downsample


def resize_to_skip(x, skip, name: str):
    """`upsample(x, skip, name)`: bilinear resize of `x` to `skip`'s spatial size."""
    return ResizeByFactor(mode="reference", name=name)([x, skip])
