"""FLOPs of the two operations whose cost phi changes: convolutions and linear resizes.

Counting convention (one FLOP = one multiply or one add):

* convolution ("same" padding, stride 1): `2 * k**d * C_in * C_out` per
  output pixel (multiply-adds counted as two), plus `C_out` bias adds;
* linear resize (bilinear / trilinear): per output value, `2**d` corner
  weights multiplied and `2**d - 1` adds, i.e. `2**(d+1) - 1` FLOPs per
  output element and channel.
"""

import math
from typing import Sequence


def conv_flops(spatial: Sequence[int], c_in: int, c_out: int, kernel_size: int, use_bias: bool = True) -> int:
    """FLOPs of a stride-1 "same" convolution producing `spatial` x `c_out`.

    Example:
    >>> conv_flops((4, 4), 1, 2, 3)
    608
    """
    pixels = math.prod(spatial)
    d = len(spatial)
    flops = 2 * kernel_size**d * c_in * c_out * pixels
    return flops + (c_out * pixels if use_bias else 0)


def resize_flops(out_spatial: Sequence[int], channels: int) -> int:
    """FLOPs of a linear resize producing `out_spatial` x `channels`.

    Example:
    >>> resize_flops((4, 4), 2)
    224
    """
    d = len(out_spatial)
    return (2 ** (d + 1) - 1) * math.prod(out_spatial) * channels
