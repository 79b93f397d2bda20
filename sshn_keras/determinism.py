"""Reproducible runs: one call seeds everything and makes TensorFlow's ops deterministic."""

import keras
import tensorflow as tf


def make_deterministic(seed: int) -> None:
    """Seed Python, numpy, TensorFlow and Keras, and turn on deterministic TF ops.

    With it, two runs of the same script on the same machine and software
    give bit-identical weights (and, for phi-conditioned models, the same
    phi sequence, which depends only on the model's `seed` and the step).
    Deterministic ops can be slower on GPU, and some GPU ops without a
    deterministic kernel then raise an error instead of running.
    `enable_op_determinism` is process-wide and cannot be turned off.

    Not covered: other hardware, drivers, TensorFlow or oneDNN versions,
    or thread counts, which may change floating-point rounding.

    Args:
        seed: the global seed (`keras.utils.set_random_seed`).

    Raises:
        TypeError: if `seed` is not an int.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"`seed` must be an int. Received seed={seed!r}")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
