"""The convolution and downsampling factories every U-Net variant is laid out with.

`unet_graph` (segmentation) and `registration_graph` (VoxelMorph-style) take
`conv(x, filters, kernel_size, name)` and `downsample(x, name)` callables;
the variants differ only in these:

* Fixed / Stochastic: `plain_conv_factory` (ordinary `ConvND`, He init);
* SSHN: `hyper_conv_factory` (`HyperConvND` fed by the hypernetwork's
  embedding; kernels predicted at He scale);
* FiLM: `film_conv_factory` (an ordinary convolution followed by `FiLM`);
* phi-conditioned models downsample with `resize_downsample(phi)`.

`head_init_stddev` (registration's flow head): the layer named `"head"`
starts with kernels of that standard deviation instead of He's, as
VoxelMorph's flow convolution (`RandomNormal(1e-5)`), so an untrained
registration network predicts an almost identity warp.
"""

from __future__ import annotations

from typing import Callable

import keras

from sshn_keras.layers import FiLM, HyperConv2D, HyperConv3D, ResizeByFactor

HEAD = "head"  # the name `unet_graph` gives its last (1x1) convolution


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


def plain_conv_factory(rank: int, negative_slope: float, head_init_stddev: float | None = None) -> Callable:
    """`conv(x, filters, kernel_size, name)` with ordinary `ConvND` layers (Fixed, Stochastic), He-initialised."""
    conv_layer = keras.layers.Conv2D if rank == 2 else keras.layers.Conv3D
    init = keras.initializers.VarianceScaling(he_gain(negative_slope), "fan_in", "untruncated_normal")

    def conv(x, f, k, name):
        kernel_init = init
        if head_init_stddev is not None and name == HEAD:
            kernel_init = keras.initializers.RandomNormal(stddev=head_init_stddev)
        return conv_layer(f, k, padding="same", kernel_initializer=kernel_init, name=name)(x)

    return conv


def hyper_conv_factory(
    embedding, rank: int, negative_slope: float, head_init_stddev: float | None = None, head_rank: int | None = None
) -> Callable:
    """`conv(x, filters, kernel_size, name)` with `HyperConvND` layers fed by the shared `embedding` (SSHN).

    Predicted kernels start at He scale (hyperfan-in); `head_rank` selects
    compact heads (see `HyperConv`).
    """
    hyper_conv = HyperConv2D if rank == 2 else HyperConv3D
    gain = he_gain(negative_slope)

    def conv(x, f, k, name):
        g = head_gain(x, k, head_init_stddev) if head_init_stddev is not None and name == HEAD else gain
        return hyper_conv(f, k, padding="same", init_gain=g, head_rank=head_rank, name=name)([x, embedding])

    return conv


def film_conv_factory(embedding, rank: int, negative_slope: float, head_init_stddev: float | None = None) -> Callable:
    """`conv(x, filters, kernel_size, name)`: an ordinary convolution followed by `FiLM` (FiLM baseline).

    FiLM starts as the identity, so the network starts as a plain U-Net.
    """
    plain = plain_conv_factory(rank, negative_slope, head_init_stddev)

    def conv(x, f, k, name):
        return FiLM(name=f"{name}_film")([plain(x, f, k, name), embedding])

    return conv


def resize_downsample(phi) -> Callable:
    """`downsample(x, name)`: bilinear resize by the phi tensor (`ResizeByFactor`)."""

    def downsample(x, name):
        return ResizeByFactor(name=name)([x, phi])

    return downsample
