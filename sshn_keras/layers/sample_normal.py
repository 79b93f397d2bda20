"""`SampleNormalLogVar`: draw from a normal given its mean and log-variance (VoxelMorph's `use_probs`)."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="sshn_keras")
class SampleNormalLogVar(keras.layers.Layer):
    """Sample `mean + exp(log_var / 2) * eps`, `eps ~ N(0, 1)` (neurite's `SampleNormalLogVar`).

    The reparameterisation of VoxelMorph's probabilistic flow (`use_probs=True`):
    differentiable in the mean and the log-variance. It samples in training
    and at inference alike, as neurite does.

    Args:
        seed: seed of the draws (None: Keras' global seed generator).
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Input shape:
        A list `[mean, log_var]` of tensors of the same shape.

    Output shape:
        The shape of `mean`.

    Raises:
        ValueError: for inputs that are not two tensors of the same shape.

    Example:
    >>> mean = keras.ops.zeros((1, 4, 4, 2))
    >>> SampleNormalLogVar(seed=0)([mean, mean - 100.0]).shape   # almost no variance
    TensorShape([1, 4, 4, 2])
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"`seed` must be an int or None. Received seed={seed!r}")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _check(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise ValueError(f"SampleNormalLogVar must be called on [mean, log_var]. Received {shapes!r}")
        mean, log_var = (tuple(s) for s in shapes)
        if len(mean) != len(log_var) or any(a is not None and b is not None and a != b for a, b in zip(mean, log_var)):
            raise ValueError(
                f"SampleNormalLogVar: mean and log_var must have the same shape. Received {mean} and {log_var}"
            )
        return mean

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, inputs):
        self._check([inputs[0].shape, inputs[1].shape])
        mean, log_var = inputs
        eps = keras.random.normal(keras.ops.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return mean + keras.ops.exp(log_var / 2.0) * eps

    def compute_output_shape(self, input_shape):
        return self._check(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"seed": self.seed})
        return config
