"""`tf.data` pipelines that SSHN models' `fit` consumes.

The loaders decode every file once into memory; the pipeline keeps those
arrays as its cache and, per batch, gathers shuffled indices (one gather
per batch rather than one slice per sample), optionally augments the whole
batch with the same geometry for images and labels, and prefetches.
Batches are `(images (B, H, W, C) float32, labels (B, H, W) int32)` or,
with `one_hot=True`, labels `(B, H, W, num_classes)` float32.
"""

import numpy as np
import tensorflow as tf

from sshn_keras.data.augment import Augmentation, augment_batch
from sshn_keras.data.base import SegmentationData


def _arrays(data, num_classes: int | None) -> tuple:
    """`(images, labels, num_classes)` from a `SegmentationData` or an `(images, labels)` pair."""
    if isinstance(data, SegmentationData):
        images, labels = data.images, data.labels
        num_classes = data.num_classes if num_classes is None else num_classes
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        images, labels = np.asarray(data[0]), np.asarray(data[1])
    else:
        raise TypeError(
            f"`data` must be a SegmentationData or an (images, labels) pair of arrays. Received {type(data).__name__}"
        )
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"Images must have shape (N, H, W, C) with N > 0. Received shape {images.shape}")
    if labels.shape != images.shape[:3]:
        raise ValueError(
            f"Labels must have shape {images.shape[:3]} (N, H, W) to match images {images.shape}. "
            f"Received shape {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"Labels must be integers. Received dtype {labels.dtype}")
    if num_classes is not None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
            raise ValueError(f"`num_classes` must be an int >= 2. Received num_classes={num_classes!r}")
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= num_classes:
            raise ValueError(f"Labels must lie in [0, {num_classes - 1}]. Received values in [{lo}, {hi}]")
    return images.astype(np.float32, copy=False), labels.astype(np.int32, copy=False), num_classes


def _augmentation(augment) -> Augmentation | None:
    if augment is None or augment is False:
        return None
    if augment is True:
        return Augmentation()
    if isinstance(augment, Augmentation):
        return augment
    raise TypeError(f"`augment` must be a bool, None or an Augmentation. Received {augment!r}")


def make_dataset(
    data,
    batch_size: int = 8,
    shuffle: bool = True,
    seed: int = 0,
    augment: bool | Augmentation | None = False,
    one_hot: bool = False,
    num_classes: int | None = None,
    repeat: bool = False,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Build a batched, shuffled, optionally augmented `tf.data.Dataset`.

    Args:
        data: a `SegmentationData` (from any loader) or an `(images, labels)`
            pair: images `(N, H, W, C)` in [0, 1], labels `(N, H, W)` ints.
        batch_size: samples per batch.
        shuffle: reshuffle every epoch (deterministic given `seed`).
        seed: seed of shuffling and augmentation draws.
        augment: False / None (off), True (default `Augmentation()`), or an
            `Augmentation`. Use it for training pipelines only.
        one_hot: labels as one-hot `(B, H, W, num_classes)` float32 instead
            of integer maps `(B, H, W)`.
        num_classes: number of labels (taken from `SegmentationData` when
            not given; needed for `one_hot` with arrays).
        repeat: repeat forever (then give `fit` a `steps_per_epoch`).
        drop_remainder: drop the last, smaller batch.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` batches, prefetched.

    Raises:
        TypeError: for `data` or `augment` of the wrong type.
        ValueError: for bad shapes, labels outside `[0, num_classes)`, a
            non-positive batch size, or `one_hot` without `num_classes`.

    Example:
    >>> train = load_wbc(split="train")                                      # doctest: +SKIP
    >>> model.fit(make_dataset(train, batch_size=8, augment=True), epochs=5)  # doctest: +SKIP
    """
    images, labels, num_classes = _arrays(data, num_classes)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int. Received batch_size={batch_size!r}")
    if one_hot and num_classes is None:
        raise ValueError("`one_hot=True` needs `num_classes` (or pass a SegmentationData).")
    config = _augmentation(augment)
    num_samples = images.shape[0]
    images_t, labels_t = tf.constant(images), tf.constant(labels)

    indices = tf.data.Dataset.range(num_samples)
    if shuffle:
        indices = indices.shuffle(num_samples, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        indices = indices.repeat()
    batches = indices.batch(int(batch_size), drop_remainder=drop_remainder)
    dataset = batches.map(
        lambda i: (tf.gather(images_t, i), tf.gather(labels_t, i)), num_parallel_calls=tf.data.AUTOTUNE
    )
    if config is not None:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        dataset = tf.data.Dataset.zip((dataset, seeds)).map(
            lambda pair, s: augment_batch(pair[0], pair[1], s, config), num_parallel_calls=tf.data.AUTOTUNE
        )
    if one_hot:
        dataset = dataset.map(lambda x, y: (x, tf.one_hot(y, num_classes, dtype=tf.float32)))
    return dataset.prefetch(tf.data.AUTOTUNE)
