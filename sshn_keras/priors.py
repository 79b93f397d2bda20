"""Validation of the rescaling factor phi and the priors it is drawn from.

During training an SSHN (and the Stochastic and FiLM baselines) draws one
phi per step, for the whole batch, from a prior. The draw is a pure function
of `(seed, step)`, so every replica of a distributed run and every resumed
run draws the same phi sequence.
"""

import math
import numbers

import keras
import numpy as np
import tensorflow as tf


def validate_phi(phi, name: str = "phi", low: float = 0.0, high: float = 1.0) -> float:
    """Return `phi` as a Python float after checking it lies in `(low, high]`.

    Args:
        phi: a real number (Python, numpy scalar or a size-1 array).
        name: argument name used in error messages.
        low: exclusive lower bound.
        high: inclusive upper bound.

    Raises:
        TypeError: if `phi` is not a real number (a string, a vector, None).
        ValueError: if `phi` is NaN, infinite or outside `(low, high]`.
    """
    if isinstance(phi, (bool, np.bool_)) or phi is None:
        raise TypeError(f"`{name}` must be a real number in ({low}, {high}]. Received {name}={phi!r}")
    if isinstance(phi, (np.ndarray, tf.Tensor)) or hasattr(phi, "shape"):
        arr = np.asarray(phi)
        if arr.size != 1:
            raise TypeError(
                f"`{name}` must be a single number in ({low}, {high}], one phi for the whole "
                f"batch. Received an array of shape {arr.shape}"
            )
        if not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"`{name}` must be a real number. Received {name}={phi!r}")
        phi = arr.reshape(()).item()
    if not isinstance(phi, numbers.Real):
        raise TypeError(f"`{name}` must be a real number in ({low}, {high}]. Received {name}={phi!r}")
    phi = float(phi)
    if math.isnan(phi) or math.isinf(phi):
        raise ValueError(f"`{name}` must be a finite number in ({low}, {high}]. Received {name}={phi}")
    if not low < phi <= high:
        raise ValueError(f"`{name}` must lie in ({low}, {high}]. Received {name}={phi}")
    return phi


@keras.saving.register_keras_serializable(package="sshn_keras")
class UniformPrior:
    """Uniform prior over phi, `U(low, high)`; the paper's default is `U(0, 0.5)`.

    A draw is never exactly 0: values below `min_phi` are raised to
    `min_phi` (a zero factor has no meaning, and the resize rule already
    clamps every feature map to at least one pixel).

    Args:
        low: lower bound, `0 <= low <= high`.
        high: upper bound, `low <= high <= 1`, `high > 0`.
        min_phi: smallest phi ever returned (default 1e-3).

    Example:
    >>> prior = UniformPrior(0.0, 0.5)
    >>> float(prior.sample(seed=(0, 3))) <= 0.5
    True
    """

    def __init__(self, low: float = 0.0, high: float = 0.5, min_phi: float = 1e-3):
        for arg, value in (("low", low), ("high", high)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
                raise TypeError(f"UniformPrior: `{arg}` must be a finite number. Received {arg}={value!r}")
        if not 0.0 <= low <= high <= 1.0 or high <= 0.0:
            raise ValueError(
                "UniformPrior needs 0 <= low <= high <= 1 and high > 0. "
                f"Received low={low}, high={high}"
            )
        self.low = float(low)
        self.high = float(high)
        self.min_phi = float(min_phi)

    @property
    def mean(self) -> float:
        return max(self.min_phi, 0.5 * (self.low + self.high))

    def sample(self, seed) -> tf.Tensor:
        """One float32 phi drawn from the prior; a pure function of `seed` (2 ints)."""
        seed = tf.cast(tf.convert_to_tensor(seed), tf.int64)
        u = tf.random.stateless_uniform((), seed=seed, dtype=tf.float32)
        phi = self.low + (self.high - self.low) * u
        return tf.maximum(phi, self.min_phi)

    def get_config(self) -> dict:
        return {"low": self.low, "high": self.high, "min_phi": self.min_phi}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"UniformPrior(low={self.low}, high={self.high})"


def get_prior(prior) -> UniformPrior:
    """Accept a prior object, a `(low, high)` pair or a serialized config."""
    if prior is None:
        return UniformPrior()
    if isinstance(prior, UniformPrior):
        return prior
    if isinstance(prior, dict):
        return keras.saving.deserialize_keras_object(prior)
    if isinstance(prior, (tuple, list)) and len(prior) == 2:
        return UniformPrior(*prior)
    raise TypeError(
        "`prior` must be a UniformPrior, a (low, high) pair or None. " f"Received prior={prior!r}"
    )


def validation_grid(prior, max_points: int = 6) -> tuple:
    """The phi values at which a model trained with `prior` is validated by default.

    The prior's ends (the lower end at least 0.05: phi near 0 shrinks every
    feature map to one pixel) and the multiples of 0.1 between them, thinned
    evenly to at most `max_points` values. For the default prior `U(0, 0.5)`
    this is `(0.05, 0.1, 0.2, 0.3, 0.4, 0.5)`, the grid that early stopping
    used on the WBC experiment (see RESULTS.md).

    Args:
        prior: a `UniformPrior` (or anything `get_prior` accepts).
        max_points: the most phi values returned (>= 2).

    Returns:
        A sorted tuple of floats in (0, 1].

    Example:
    >>> validation_grid(UniformPrior(0.0, 0.5))
    (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
    """
    if isinstance(max_points, bool) or not isinstance(max_points, numbers.Integral) or max_points < 2:
        raise ValueError(f"`max_points` must be an int >= 2. Received max_points={max_points!r}")
    prior = get_prior(prior)
    high = prior.high
    low = min(max(prior.low, 0.05), high)
    if low == high:
        return (round(high, 4),)
    inner = [k / 10 for k in range(1, 11) if low < k / 10 < high]
    points = [round(p, 4) for p in [low, *inner, high]]
    if len(points) > max_points:
        keep = np.unique(np.round(np.linspace(0, len(points) - 1, max_points)).astype(int))
        points = [points[i] for i in keep]
    return tuple(points)
