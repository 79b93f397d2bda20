"""Convolution factories of the phi-conditioned methods (SSHN: predicted kernels; FiLM: modulated).

The plain convolution and the resizes live in `sshn_keras.architectures.factories`
(re-exported here); see there for the `conv(x, filters, kernel_size, name)`
contract.
"""

from __future__ import annotations

from typing import Callable

from sshn_keras.architectures.factories import HEAD, he_gain, head_gain, init_gain, plain_conv_factory, resize_downsample  # noqa: F401
from sshn_keras.layers import FiLM, HyperConv2D, HyperConv3D


def hyper_conv_factory(
    embedding, rank: int, negative_slope: float, head_init_stddev: float | None = None, head_rank: int | None = None,
    kernel_initializer: str | None = None,
) -> Callable:
    """`conv(x, filters, kernel_size, name)` with `HyperConvND` layers fed by the shared `embedding` (SSHN).

    Predicted kernels start at the variance of the architecture's plain
    kernels (`init_gain`, hyperfan-in); `head_rank` selects compact heads
    (see `HyperConv`).
    """
    hyper_conv = HyperConv2D if rank == 2 else HyperConv3D
    gain = init_gain(negative_slope, kernel_initializer)

    def conv(x, f, k, name):
        g = head_gain(x, k, head_init_stddev) if head_init_stddev is not None and name == HEAD else gain
        return hyper_conv(f, k, padding="same", init_gain=g, head_rank=head_rank, name=name)([x, embedding])

    return conv


def film_conv_factory(
    embedding, rank: int, negative_slope: float, head_init_stddev: float | None = None,
    kernel_initializer: str | None = None,
) -> Callable:
    """`conv(x, filters, kernel_size, name)`: an ordinary convolution followed by `FiLM` (FiLM baseline).

    FiLM starts as the identity, so the network starts as a plain one.
    """
    plain = plain_conv_factory(rank, negative_slope, head_init_stddev, kernel_initializer)

    def conv(x, f, k, name):
        return FiLM(name=f"{name}_film")([plain(x, f, k, name), embedding])

    return conv
