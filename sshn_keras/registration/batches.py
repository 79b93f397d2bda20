"""Training batches in VoxelMorph's format: `((moving, fixed), (fixed, zeros))`.

As VoxelMorph's `scan_to_scan` generator: the inputs are the moving and
fixed images, the targets the fixed image (for the image loss on `moved`)
and zeros shaped like the flow (ignored by `Grad`, which only looks at the
predicted flow). Images are channels-last, `(batch, *spatial, C)`, and the
zeros `(batch, *spatial, ndims)`, float32.

One difference: VoxelMorph yields lists (`[moving, fixed], [fixed, zeros]`);
these generators yield tuples, because Keras 3 feeds a Python generator
through `tf.data`, which refuses lists (TypeError: "`output_signature` must
contain objects that are subclass of `tf.TypeSpec`"). Indexing and
unpacking are the same. `as_tuples` converts any VoxelMorph-style
generator, and the phi-conditioned models' `fit` applies it by itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from sshn_keras.tasks.registration_model import as_tuples  # noqa: F401  (public here too)


def _check_images(images, name: str = "images") -> np.ndarray:
    images = np.asarray(images)
    if images.ndim not in (4, 5):
        raise ValueError(
            f"`{name}` must be a batch of 2D or 3D images, (N, H, W, C) or (N, D, H, W, C), channels last. "
            f"Received shape {images.shape}"
        )
    if images.shape[0] < 1:
        raise ValueError(f"`{name}` is empty (shape {images.shape}).")
    return images


def _check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int. Received batch_size={batch_size!r}")
    return int(batch_size)


def zeros_like_flow(moving: np.ndarray) -> np.ndarray:
    """Zeros `(batch, *spatial, ndims)` float32, the dummy target of the flow output."""
    ndims = moving.ndim - 2
    return np.zeros((moving.shape[0], *moving.shape[1:-1], ndims), np.float32)


def scan_to_scan(
    images,
    batch_size: int = 1,
    prob_same: float = 0.0,
    seed: int | None = None,
) -> Iterator[tuple]:
    """Endless random moving / fixed pairs from a set of scans (VoxelMorph's `scan_to_scan`).

    Each batch draws `batch_size` moving and `batch_size` fixed indices
    uniformly (with replacement, independently, as VoxelMorph); with
    probability `prob_same` the whole batch registers each scan to itself.

    Args:
        images: `(N, *spatial, C)` array of scans (2D or 3D, channels last).
        batch_size: pairs per batch.
        prob_same: probability that fixed = moving for a batch, in [0, 1].
        seed: seed of the draws (None: fresh entropy).

    Yields:
        `((moving, fixed), (fixed, zeros))`: float32 arrays, images
        `(batch_size, *spatial, C)`, zeros `(batch_size, *spatial, ndims)`.

    Raises:
        ValueError: for images that are not a non-empty batch of 2D / 3D
            images, a non-positive `batch_size`, or `prob_same` outside [0, 1].

    Example:
    >>> gen = scan_to_scan(np.zeros((5, 32, 32, 1), "float32"), batch_size=2, seed=0)
    >>> (moving, fixed), (target, zeros) = next(gen)
    >>> moving.shape, zeros.shape
    ((2, 32, 32, 1), (2, 32, 32, 2))
    """
    images = _check_images(images)
    batch_size = _check_batch_size(batch_size)
    if isinstance(prob_same, bool) or not isinstance(prob_same, (int, float)) or not 0.0 <= prob_same <= 1.0:
        raise ValueError(f"`prob_same` must be a probability in [0, 1]. Received prob_same={prob_same!r}")
    return _scan_to_scan(images, batch_size, float(prob_same), np.random.default_rng(seed))


def _scan_to_scan(images, batch_size, prob_same, rng):
    n = images.shape[0]
    while True:
        moving = images[rng.integers(0, n, batch_size)].astype(np.float32, copy=False)
        if prob_same > 0 and rng.random() < prob_same:
            fixed = moving
        else:
            fixed = images[rng.integers(0, n, batch_size)].astype(np.float32, copy=False)
        yield (moving, fixed), (fixed, zeros_like_flow(moving))


def pair_batches(
    moving,
    fixed,
    batch_size: int = 8,
    shuffle: bool = True,
    seed: int | None = 0,
    repeat: bool = True,
) -> Iterator[tuple]:
    """Batches of given moving / fixed pairs, in VoxelMorph's format.

    For pairs fixed in advance (e.g. `deformed_pairs`): pair `i` is
    `(moving[i], fixed[i])`.

    Args:
        moving, fixed: `(N, *spatial, C)` arrays of the same shape.
        batch_size: pairs per batch (the last batch of a pass may be smaller).
        shuffle: reshuffle the pairs at every pass.
        seed: seed of the shuffling.
        repeat: cycle forever (for `fit(..., steps_per_epoch=...)`) or stop
            after one pass.

    Yields:
        `((moving, fixed), (fixed, zeros))`, as `scan_to_scan`.

    Raises:
        ValueError: for arrays of different shapes or that are not batches
            of 2D / 3D images, or a non-positive `batch_size`.
    """
    moving = _check_images(moving, "moving")
    fixed = _check_images(fixed, "fixed")
    if moving.shape != fixed.shape:
        raise ValueError(
            f"`moving` and `fixed` must have the same shape. Received {moving.shape} and {fixed.shape}"
        )
    batch_size = _check_batch_size(batch_size)
    return _pair_batches(moving, fixed, batch_size, bool(shuffle), np.random.default_rng(seed), bool(repeat))


def _pair_batches(moving, fixed, batch_size, shuffle, rng, repeat):
    n = moving.shape[0]
    while True:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]
            m = moving[index].astype(np.float32, copy=False)
            f = fixed[index].astype(np.float32, copy=False)
            yield (m, f), (f, zeros_like_flow(m))
        if not repeat:
            return
