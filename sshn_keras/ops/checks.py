"""Argument checks and run-time (in-graph) checks of phi, images and labels.

Two kinds of checks, one vocabulary of messages (each names the argument,
the value received and the form expected):

* Python checks of constructor and function arguments (`check_int`,
  `check_float`, `check_ints`): numpy integers and floats are accepted,
  booleans, strings, non-integral floats and non-finite numbers refused.
* Run-time checks that live *inside* the graph (`checked_phi`,
  `checked_images`, `checked_labels`): `tf.debugging` assertions, so they
  hold on every path data can take (numpy arrays, tensors, `tf.data`,
  dict inputs, `tf.function`, `predict` / `evaluate` / `fit`, SavedModel
  signatures). A failed check raises `tf.errors.InvalidArgumentError`
  whose message names the argument and shows the offending values. They
  cost a few reductions per batch. TensorFlow compiles assertions away under
  XLA (`jit_compile=True`); the phi-conditioned models never use XLA.

This module imports nothing else from the package.
"""

import math
import numbers
import warnings

import keras
import numpy as np
import tensorflow as tf


# -- Python arguments -------------------------------------------------------------------------


def check_int(value, name: str, minimum: int | None = None, owner: str = "") -> int:
    """`value` as a Python int: an int or numpy integer (not a bool), `>= minimum`.

    Raises:
        TypeError: for a bool, a float, a string or any non-integer.
        ValueError: for a value below `minimum`.
    """
    prefix = f"{owner}: " if owner else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{prefix}`{name}` must be an int. Received {name}={value!r} of type {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{prefix}`{name}` must be an int >= {minimum}. Received {name}={value}")
    return value


def check_ints(values, name: str, minimum: int | None = None, owner: str = "") -> tuple:
    """A non-empty sequence of ints (each as `check_int`), returned as a tuple."""
    prefix = f"{owner}: " if owner else ""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{prefix}`{name}` must be a list of ints. Received {name}={values!r}")
    values = tuple(values)
    if not values:
        raise ValueError(f"{prefix}`{name}` must be a non-empty list of ints. Received {name}={values!r}")
    return tuple(check_int(v, name, minimum, owner) for v in values)


def check_bool(value, name: str, owner: str = "") -> bool:
    """`value` as a Python bool (a bool or numpy bool; not an int or a string)."""
    if not isinstance(value, (bool, np.bool_)):
        prefix = f"{owner}: " if owner else ""
        raise TypeError(f"{prefix}`{name}` must be True or False. Received {name}={value!r}")
    return bool(value)


def check_float(
    value, name: str, low: float | None = None, high: float | None = None, low_open: bool = False, owner: str = ""
) -> float:
    """`value` as a finite Python float in `[low, high]` (`(low, high]` with `low_open`).

    Raises:
        TypeError: for a bool, a string, None or a non-number.
        ValueError: for NaN, an infinity or a value out of range.
    """
    prefix = f"{owner}: " if owner else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{prefix}`{name}` must be a real number. Received {name}={value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{prefix}`{name}` must be a finite number. Received {name}={value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{prefix}`{name}` must be {'>' if low_open else '>='} {low}. Received {name}={value}")
    if high is not None and value > high:
        raise ValueError(f"{prefix}`{name}` must be <= {high}. Received {name}={value}")
    return value


def check_batch_size(kwargs: dict) -> None:
    """Refuse a `batch_size` / `epochs` keyword of `fit`, `predict` or `evaluate` that is not a positive int."""
    for name in ("batch_size", "epochs", "steps", "steps_per_epoch", "validation_steps"):
        if kwargs.get(name) is not None:
            check_int(kwargs[name], name, 1)


# -- in-graph checks ----------------------------------------------------------------------------


def _symbolic(*tensors) -> bool:
    return any(isinstance(t, keras.KerasTensor) for t in tensors)


def checked_phi(phi, name: str = "phi"):
    """phi as a float32 `(1, 1)` tensor, checked at run time.

    Accepts a scalar or any tensor of equal values (e.g. a `(batch, 1)`
    column of one phi); refuses NaN, infinities, values outside (0, 1] and a
    per-sample phi whose values differ (one phi per batch: every sample of a
    batch goes through the same network).

    Raises:
        TypeError: for a phi that is not numeric (at trace time).
        tf.errors.InvalidArgumentError: at run time, for the values above.
    """
    if _symbolic(phi):
        return keras.ops.reshape(keras.ops.cast(phi, "float32"), (-1, 1))[:1]
    phi = tf.convert_to_tensor(phi)
    if not (phi.dtype.is_floating or phi.dtype.is_integer):
        raise TypeError(f"`{name}` must be a real number in (0, 1]. Received a tensor of dtype {phi.dtype.name}")
    flat = tf.reshape(tf.cast(phi, tf.float32), (-1,))
    in_range = tf.reduce_all(tf.math.is_finite(flat)) & tf.reduce_all(flat > 0.0) & tf.reduce_all(flat <= 1.0)
    first = tf.debugging.Assert(
        (tf.size(flat) > 0) & in_range,
        [f"`{name}` must be a finite number in (0, 1]. Received {name} =", flat],
        summarize=16,
        name=f"check_{name}_range",
    )
    with tf.control_dependencies([first]):
        same = tf.debugging.Assert(
            tf.reduce_all(tf.equal(flat, flat[0])),
            [f"`{name}` must be one value for the whole batch (a per-sample {name} whose values differ is refused; "
             f"call once per phi). Received {name} =", flat],
            summarize=16,
            name=f"check_{name}_single",
        )
    with tf.control_dependencies([same]):
        return tf.reshape(flat[:1], (1, 1))


def warn_integer_images(dtype, name: str = "image") -> None:
    """Warn (once per trace) that integer images are used as they are, not rescaled."""
    dtype = tf.as_dtype(dtype)
    if dtype.is_integer:
        warnings.warn(
            f"`{name}` has dtype {dtype.name}: its values are used as they are (e.g. 0..255), not rescaled. "
            "If the model was trained on float images in [0, 1] (the package's loaders give those), "
            "divide by 255 first.",
            stacklevel=3,
        )


def checked_images(image, name: str = "image", min_size: int = 1, spatial_shape=None, channels: int | None = None):
    """`image` with run-time checks: finite values, spatial size and shape.

    Args:
        image: a `(batch, *spatial, C)` tensor.
        name: argument name for the messages.
        min_size: smallest spatial size per axis.
        spatial_shape: expected spatial shape (None entries: any).
        channels: expected channels (checked at trace time).

    Raises:
        ValueError: for a wrong rank or channel count known at trace time.
        tf.errors.InvalidArgumentError: at run time, for NaN or infinite
            values, or a spatial shape that is too small or not the expected one.
    """
    if _symbolic(image):
        return image
    image = tf.convert_to_tensor(image)
    if not (image.dtype.is_floating or image.dtype.is_integer) or image.dtype.is_bool:
        raise TypeError(f"`{name}` must hold real numbers. Received a tensor of dtype {image.dtype.name}")
    warn_integer_images(image.dtype, name)
    rank = None if spatial_shape is None else len(spatial_shape) + 2
    if rank is not None and image.shape.rank is not None and image.shape.rank != rank:
        raise ValueError(
            f"`{name}` must have rank {rank}: (batch, {', '.join('?' if s is None else str(s) for s in spatial_shape)}, "
            f"channels), channels last. Received shape {tuple(image.shape)}"
        )
    if channels is not None and image.shape[-1] is not None and image.shape[-1] != channels:
        raise ValueError(
            f"`{name}` must have {channels} channel(s) in its last axis. Received shape {tuple(image.shape)}"
        )
    if spatial_shape is not None and image.shape.rank == len(spatial_shape) + 2:  # sizes known at trace time
        for n, want in zip(image.shape[1:-1], spatial_shape):
            if n is not None and ((want is not None and n != want) or n < min_size):
                raise ValueError(
                    f"`{name}` must have spatial shape {_shape_text(spatial_shape)} with at least {min_size} pixel(s) "
                    f"per axis. Received shape {tuple(image.shape)}"
                )
    checks = []
    shape = tf.shape(image)
    spatial = shape[1:-1]
    size_ok = tf.reduce_all(spatial >= min_size)
    if spatial_shape is not None and any(s is not None for s in spatial_shape):
        expected = tf.constant([-1 if s is None else int(s) for s in spatial_shape], tf.int32)
        size_ok = size_ok & tf.reduce_all((expected < 0) | tf.equal(spatial, expected))
    if channels is not None:  # also at run time: a function retraced for several shapes no longer knows them
        size_ok = size_ok & tf.equal(shape[-1], channels)
    checks.append(
        tf.debugging.Assert(
            size_ok,
            [f"`{name}` must have spatial shape {_shape_text(spatial_shape)} with at least {min_size} pixel(s) per "
             f"axis{'' if channels is None else f' and {channels} channel(s)'}. Received shape", shape],
            name=f"check_{name}_shape",
        )
    )
    if image.dtype.is_floating:
        finite = tf.math.is_finite(image)
        checks.append(
            _assert(
                tf.reduce_all(finite),
                lambda: [f"`{name}` must hold finite values. Number of NaN or infinite values received:",
                         tf.reduce_sum(tf.cast(~finite, tf.int64))],
                f"check_{name}_finite",
            )
        )
    with tf.control_dependencies(checks):
        return tf.identity(image)


def _shape_text(spatial_shape) -> str:
    if spatial_shape is None:
        return "(any)"
    return "(" + ", ".join("any" if s is None else str(s) for s in spatial_shape) + ")"


def checked_labels(y_true, num_classes: int, one_hot: bool, name: str = "y") -> tuple:
    """`(y_true, valid)`: the labels with run-time checks of their values, and a per-pixel validity mask.

    Integer maps must hold whole numbers in `[0, num_classes)`; one-hot maps
    finite values in `[0, 1]` summing to 1 at every pixel (soft labels that
    are probability vectors pass). `valid` (a boolean `(batch, *spatial)`
    tensor, None for symbolic inputs) lets the caller turn invalid pixels
    into NaN (`poison_invalid`), so that where TensorFlow drops assertions
    (XLA) a bad label still makes the loss NaN instead of a wrong number.

    Raises:
        tf.errors.InvalidArgumentError: at run time, naming `name`, the
            range of values received and the range expected.
    """
    if _symbolic(y_true) or not tf.is_tensor(y_true) and not isinstance(y_true, np.ndarray):
        return y_true, None
    y = tf.convert_to_tensor(y_true)
    if y.dtype.is_bool or not (y.dtype.is_floating or y.dtype.is_integer):
        raise TypeError(f"`{name}` (labels) must hold numbers. Received a tensor of dtype {y.dtype.name}")
    if one_hot:
        values = tf.cast(y, tf.float32)
        sums = tf.reduce_sum(values, axis=-1)
        in_range = tf.reduce_all((values >= 0.0) & (values <= 1.0), axis=-1)  # False for NaN
        valid = in_range & (tf.abs(sums - 1.0) <= 1e-3)

        def message():
            return [
                f"`{name}` one-hot labels (last axis of {num_classes} classes) must hold finite values in [0, 1] "
                "summing to 1 at every pixel. Received values in [min, max] =", tf.reduce_min(values),
                tf.reduce_max(values), "and pixel sums in", tf.reduce_min(sums), tf.reduce_max(sums),
            ]
    else:
        if y.dtype.is_integer:  # whole numbers by construction
            valid = (y >= 0) & (y <= num_classes - 1)
        else:
            valid = tf.equal(y, tf.floor(y)) & (y >= 0) & (y <= num_classes - 1)  # False for NaN

        def message():
            values = tf.cast(y, tf.float32)
            return [
                f"`{name}` (integer labels) must hold whole numbers in [0, {num_classes - 1}] for {num_classes} "
                "classes (NaN refused). Received values in [min, max] =", tf.reduce_min(values), tf.reduce_max(values),
            ]

    with tf.control_dependencies([_assert(tf.reduce_all(valid), message, f"check_{name}_values")]):
        return tf.identity(y), valid


def _assert(condition, message, name: str):
    """An assertion whose message tensors (`message()`, reductions) are computed only when it fails."""

    def fail():
        with tf.control_dependencies([tf.debugging.Assert(False, message(), summarize=16, name=name)]):
            return tf.constant(False)

    return tf.cond(condition, lambda: tf.constant(True), fail)


def poison_invalid(one_hot, valid):
    """`one_hot` with NaN at the pixels where `valid` is False (None: unchanged)."""
    if valid is None:
        return one_hot
    return tf.where(valid[..., None], one_hot, tf.constant(float("nan"), one_hot.dtype))
