"""The rounding rule that turns a rescaling factor into a feature-map size.

Every part of the package that needs the size of a rescaled feature map
(the `ResizeByFactor` layer, the FLOPs counter, input validation) uses the
functions here, so the rule is written down exactly once.

Rule: `scaled_size(n, phi) = max(1, floor(phi * n + 0.5 + 1e-4))`, i.e. the
product is rounded half up to the nearest integer and never below one.
phi is first rounded to float32 (the precision the models carry it in) and
the product is taken in float64, identically here and in the graph, so the
Python and TensorFlow paths agree bit for bit. The 1e-4 guard makes a phi
whose float32 value falls just below its decimal value (`0.7` becomes
`0.69999998...`) round like the decimal does, for sizes up to ~1000.
"""

import math

import numpy as np
import tensorflow as tf

ROUNDING_EPS = 1e-4


def scaled_size(n: int, phi: float) -> int:
    """Size of one spatial axis of length `n` rescaled by `phi` (Python ints).

    Args:
        n: input length along the axis (positive int).
        phi: rescaling factor (> 0).

    Returns:
        `max(1, floor(float32(phi) * n + 0.5 + 1e-4))`.

    Example:
    >>> scaled_size(5, 0.5), scaled_size(7, 0.5), scaled_size(160, 0.01)
    (3, 4, 2)
    """
    phi32 = float(np.float32(phi))
    return max(1, int(math.floor(phi32 * float(int(n)) + 0.5 + ROUNDING_EPS)))


def scaled_shape(shape, phi: float) -> tuple:
    """`scaled_size` applied to every axis of `shape`."""
    return tuple(scaled_size(n, phi) for n in shape)


def stage_shapes(shape, phi: float, num_stages: int) -> list:
    """Spatial shapes of the `num_stages` encoder stages of a U-Net.

    Stage 0 has the input's shape; stage s is stage s-1 rescaled by `phi`
    (the factor is applied to the previous stage, not to the input).
    """
    shapes = [tuple(int(n) for n in shape)]
    for _ in range(num_stages - 1):
        shapes.append(scaled_shape(shapes[-1], phi))
    return shapes


def scaled_size_tensor(n, phi):
    """Tensor version of `scaled_size` (same rule)."""
    phi = tf.cast(tf.cast(phi, tf.float32), tf.float64)
    n = tf.cast(n, tf.float64)
    out = tf.floor(phi * n + 0.5 + ROUNDING_EPS)
    return tf.maximum(tf.cast(out, tf.int32), 1)


def min_input_size(num_stages: int) -> int:
    """Smallest spatial size a U-Net of `num_stages` stages accepts: `2**(num_stages - 1)`.

    At that size a phi = 0.5 U-Net still has one pixel per axis at its
    bottleneck; smaller inputs are refused rather than silently clamped.

    Example:
    >>> min_input_size(5)
    16
    """
    return 2 ** (int(num_stages) - 1)
