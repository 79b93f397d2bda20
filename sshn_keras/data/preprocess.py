"""Preprocessing shared by the loaders: intensities, label values, resizing.

* Intensities end in [0, 1] as float32 (`normalize_intensity`).
* Mask pixel values are mapped to labels `0..K-1` in the declared order;
  a value that was not declared is an error, or, where a loader chooses
  `stray="nearest"`, is mapped to the nearest declared value and counted
  (`encode_labels`).
* Images are resized bilinearly (antialiased when shrinking) and labels by
  nearest neighbour, both with pixel-centre alignment, so they stay aligned.
"""

from typing import Sequence

import numpy as np

INTENSITY_METHODS = ("uint8", "minmax", "unit")
STRAY_POLICIES = ("error", "nearest")


def normalize_intensity(image: np.ndarray, method: str, path="image") -> np.ndarray:
    """Scale intensities to [0, 1] float32.

    Args:
        image: array of any shape.
        method: `"uint8"` (divide by 255; values must lie in [0, 255]),
            `"minmax"` (per image: `(x - min) / (max - min)`, a constant
            image gives zeros) or `"unit"` (already in [0, 1]; values off
            by at most 1e-3 are clipped).
        path: file named in errors.

    Returns:
        float32 array of the same shape.

    Raises:
        ValueError: for an unknown method, non-finite values, or values out
            of the range the method expects.
    """
    if method not in INTENSITY_METHODS:
        raise ValueError(f"`method` must be one of {INTENSITY_METHODS}. Received method={method!r}")
    image = np.asarray(image, dtype=np.float32)
    if not np.all(np.isfinite(image)):
        raise ValueError(f"{path} holds {int(np.sum(~np.isfinite(image)))} NaN or infinite intensities.")
    lo, hi = (float(image.min()), float(image.max())) if image.size else (0.0, 0.0)
    if method == "uint8":
        if lo < 0 or hi > 255:
            raise ValueError(f"{path}: expected 8-bit intensities in [0, 255]. Received values in [{lo}, {hi}]")
        return image / np.float32(255.0)
    if method == "minmax":
        if hi <= lo:
            return np.zeros_like(image)
        return (image - np.float32(lo)) / np.float32(hi - lo)
    if lo < -1e-3 or hi > 1 + 1e-3:
        raise ValueError(f"{path}: expected intensities in [0, 1]. Received values in [{lo}, {hi}]")
    return np.clip(image, 0.0, 1.0)


def encode_labels(mask: np.ndarray, values: Sequence[int], path="mask", stray: str = "error") -> tuple:
    """Map mask pixel values to labels: `values[k]` becomes label `k`.

    Args:
        mask: integer array.
        values: the declared pixel values, in label order (e.g.
            `(0, 128, 255)` for background, cytoplasm, nucleus).
        path: file named in errors.
        stray: what to do with a pixel whose value is not declared:
            `"error"` raises; `"nearest"` gives it the label of the nearest
            declared value (ties go to the smaller value).

    Returns:
        `(labels, remapped)`: int32 labels of the mask's shape, and the
        number of pixels that held undeclared values.

    Raises:
        ValueError: for an unknown `stray`, or undeclared values with
            `stray="error"` (the message lists them and their counts).
    """
    if stray not in STRAY_POLICIES:
        raise ValueError(f"`stray` must be one of {STRAY_POLICIES}. Received stray={stray!r}")
    declared = np.asarray(values, dtype=np.int64)
    mask = np.asarray(mask)
    if mask.dtype.kind == "f":
        if not np.all(mask == np.round(mask)):
            raise ValueError(f"{path}: label values must be whole numbers; found fractional values.")
    mask = mask.astype(np.int64)
    order = np.argsort(declared, kind="stable")
    sorted_values = declared[order]
    pos = np.clip(np.searchsorted(sorted_values, mask), 0, len(sorted_values) - 1)
    exact = sorted_values[pos] == mask
    remapped = int(mask.size - np.count_nonzero(exact))
    if remapped:
        found, counts = np.unique(mask[~exact], return_counts=True)
        if stray == "error":
            listing = ", ".join(f"{int(v)} ({int(c)} px)" for v, c in zip(found[:10], counts[:10]))
            raise ValueError(
                f"{path}: label values outside the declared set {tuple(int(v) for v in declared)}: {listing}"
                + (" ..." if len(found) > 10 else "")
            )
        below = np.clip(pos - 1, 0, len(sorted_values) - 1)
        closer_below = np.abs(mask - sorted_values[below]) <= np.abs(sorted_values[pos] - mask)
        pos = np.where(~exact & closer_below, below, pos)
    return order[pos].astype(np.int32), remapped


def resize_image(image: np.ndarray, size: Sequence[int]) -> np.ndarray:
    """Resize a `(H, W, C)` float image to `size = (height, width)` bilinearly.

    Uses Pillow's float mode per channel (pixel-centre aligned; antialiased
    when shrinking). Returns the input unchanged when it already has `size`.
    """
    from PIL import Image

    height, width = int(size[0]), int(size[1])
    if image.shape[:2] == (height, width):
        return image.astype(np.float32, copy=False)
    channels = [
        np.asarray(Image.fromarray(np.ascontiguousarray(image[..., c], dtype=np.float32), mode="F").resize(
            (width, height), Image.Resampling.BILINEAR
        ))
        for c in range(image.shape[-1])
    ]
    return np.stack(channels, axis=-1).astype(np.float32)


def resize_labels(labels: np.ndarray, size: Sequence[int]) -> np.ndarray:
    """Resize a `(H, W)` label map to `size = (height, width)` by nearest neighbour.

    Output pixel `i` takes input pixel `floor((i + 0.5) * H / height)`, the
    same pixel-centre convention as `resize_image`.
    """
    height, width = int(size[0]), int(size[1])
    if labels.shape == (height, width):
        return labels
    rows = np.minimum(((np.arange(height) + 0.5) * labels.shape[0] / height).astype(np.int64), labels.shape[0] - 1)
    cols = np.minimum(((np.arange(width) + 0.5) * labels.shape[1] / width).astype(np.int64), labels.shape[1] - 1)
    return labels[rows[:, None], cols[None, :]]


def check_size(size, name: str = "target_size") -> tuple | None:
    """Return `(height, width)` as ints, or None; refuse anything else.

    Raises:
        ValueError: unless `size` is None or two positive ints.
    """
    if size is None:
        return None
    try:
        values = tuple(size)
    except TypeError:
        values = ()
    if len(values) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in values):
        raise ValueError(f"`{name}` must be None or (height, width), two positive ints. Received {name}={size!r}")
    return int(values[0]), int(values[1])
