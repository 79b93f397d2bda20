"""Checks of user arrays before they reach a model (clear errors, nothing clipped)."""

import numpy as np
import tensorflow as tf

from sshn_keras.ops.sizes import min_input_size


def check_images(x: np.ndarray, image_shape, num_stages: int, what: str = "x") -> None:
    """Raise `ValueError` if `x` is not a batch of images the model accepts."""
    expected = (None, *image_shape)
    if x.ndim != len(expected):
        raise ValueError(
            f"`{what}` must have shape (batch, {', '.join('?' if s is None else str(s) for s in image_shape)}) "
            f"(rank {len(expected)}, channels last). Received shape {x.shape}"
        )
    if x.size == 0:
        raise ValueError(f"`{what}` is empty (shape {x.shape}).")
    if x.shape[-1] != image_shape[-1]:
        raise ValueError(
            f"`{what}` must have {image_shape[-1]} channel(s) in its last axis. Received shape {x.shape}"
        )
    for n, want in zip(x.shape[1:-1], image_shape[:-1]):
        if want is not None and n != want:
            raise ValueError(f"`{what}` spatial shape must be {tuple(image_shape[:-1])}. Received shape {x.shape}")
    min_size = min_input_size(num_stages)
    if min(x.shape[1:-1]) < min_size:
        raise ValueError(
            f"`{what}` of spatial shape {x.shape[1:-1]} is too small for {num_stages} stages: "
            f"each axis needs at least {min_size} pixels."
        )
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise ValueError(f"`{what}` must hold real numbers. Received dtype {x.dtype}")
    if np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x)):
        raise ValueError(f"`{what}` holds {int(np.sum(~np.isfinite(x)))} NaN or infinite value(s).")


def check_not_empty(data, what: str = "x") -> None:
    """Raise `ValueError` if `data` is a `tf.data.Dataset` known to hold no element."""
    if isinstance(data, tf.data.Dataset) and int(data.cardinality()) == 0:
        raise ValueError(f"`{what}` is an empty dataset (0 batches): nothing to train or evaluate on.")


def check_labels(y: np.ndarray, num_classes: int, x_shape=None) -> None:
    """Raise `ValueError` unless `y` holds integer labels in [0, num_classes) or one-hot maps."""
    if x_shape is not None and y.shape[0] != x_shape[0]:
        raise ValueError(f"`y` has {y.shape[0]} samples but `x` has {x_shape[0]}.")
    spatial_rank = None if x_shape is None else len(x_shape) - 2
    one_hot = x_shape is not None and y.ndim == len(x_shape) and y.shape[-1] == num_classes and num_classes > 1
    if x_shape is not None:
        labels_shape = y.shape[1:-1] if (y.ndim == len(x_shape)) else y.shape[1:]
        if tuple(labels_shape) != tuple(x_shape[1:-1]) or y.ndim not in (spatial_rank + 1, spatial_rank + 2):
            raise ValueError(
                f"Labels of shape {y.shape} do not match images of shape {x_shape}: expected integer maps "
                f"{(x_shape[0], *x_shape[1:-1])} or {(x_shape[0], *x_shape[1:-1], 1)}, or one-hot "
                f"{(x_shape[0], *x_shape[1:-1], num_classes)}."
            )
    if one_hot:
        values = np.asarray(y, np.float64)
        sums = values.sum(axis=-1)
        if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1 or np.any(np.abs(sums - 1) > 1e-3):
            raise ValueError(
                f"One-hot labels `y` (last axis of {num_classes} classes) must hold finite values in [0, 1] summing "
                f"to 1 at every pixel. Received values in [{np.nanmin(values)}, {np.nanmax(values)}]"
                f"{', NaN included' if np.isnan(values).any() else ''}, pixel sums in "
                f"[{np.nanmin(sums)}, {np.nanmax(sums)}]."
            )
        return
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("Integer label maps must hold whole numbers; `y` holds non-integer values.")
    lo, hi = y.min(), y.max()
    if lo < 0 or hi >= num_classes:
        raise ValueError(
            f"Labels must lie in [0, {num_classes - 1}] for num_classes={num_classes}. "
            f"Received values in [{lo}, {hi}]."
        )


def check_fit_arrays(model, x: np.ndarray, y) -> None:
    """Check numpy training data for any model of the package (phi-conditioned or a plain U-Net).

    Raises:
        TypeError: if `y` is not a numpy array.
        ValueError: as `check_images` / `check_labels`.
    """
    if not isinstance(y, np.ndarray):
        raise TypeError(
            f"With numpy images `x`, `y` must be a numpy array of labels. Received y of type {type(y).__name__}"
        )
    if hasattr(model, "image_shape") and hasattr(model, "num_stages"):  # PhiConditionedModel
        image_shape, num_stages, num_classes = model.image_shape, model.num_stages, model.num_classes
    else:
        image_shape, num_stages, num_classes = tuple(model.inputs[0].shape[1:]), 1, int(model.outputs[0].shape[-1])
    check_images(x, image_shape, num_stages)
    check_labels(y, num_classes, x.shape)
