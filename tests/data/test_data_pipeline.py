"""Tests of the tf.data pipeline and of the batched augmentation."""

import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.data import Augmentation, SegmentationData, make_dataset
from sshn_keras.data.augment import augment_batch


def blocky(num: int = 10, size: int = 32, num_classes: int = 3, seed: int = 0):
    """Images whose first channel encodes the label (`label / (K - 1)`), in 4x4 blocks."""
    rng = np.random.default_rng(seed)
    labels = np.kron(rng.integers(0, num_classes, (num, size // 4, size // 4)), np.ones((1, 4, 4))).astype(np.int32)
    images = np.stack([labels / (num_classes - 1), rng.random(labels.shape)], -1).astype(np.float32)
    return images, labels


def collect(dataset):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(xs), np.concatenate(ys)


def test_batches_shapes_dtypes_and_every_sample_once():
    images, labels = blocky(10)
    data = SegmentationData(images, labels, ["a", "b", "c"], [str(i) for i in range(10)])
    batches = list(make_dataset(data, batch_size=4, seed=0))
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    x, y = batches[0]
    assert x.dtype == tf.float32 and y.dtype == tf.int32 and y.shape == (4, 32, 32)
    xs, _ = collect(make_dataset(data, batch_size=4, seed=0))
    assert sorted(xs[:, 0, 0, 1].tolist()) == sorted(images[:, 0, 0, 1].tolist())  # a permutation, nothing dropped
    one_hot = next(iter(make_dataset(data, batch_size=4, one_hot=True)))[1]
    assert one_hot.shape == (4, 32, 32, 3) and one_hot.dtype == tf.float32
    assert len(list(make_dataset(data, batch_size=4, drop_remainder=True))) == 2


def test_shuffle_is_seeded_and_reshuffles_each_epoch():
    images, labels = blocky(16)
    first = collect(make_dataset((images, labels), batch_size=16, seed=5, augment=True))
    again = collect(make_dataset((images, labels), batch_size=16, seed=5, augment=True))
    np.testing.assert_array_equal(first[0], again[0])
    dataset = make_dataset((images, labels), batch_size=16, seed=5)
    epoch1, epoch2 = collect(dataset)[1], collect(dataset)[1]
    assert not np.array_equal(epoch1, epoch2)
    unshuffled = collect(make_dataset((images, labels), batch_size=16, shuffle=False))[1]
    np.testing.assert_array_equal(unshuffled, labels)


def test_flips_keep_image_and_labels_exactly_aligned():
    images, labels = blocky(8)
    config = Augmentation(flip_vertical=True, rotation=0, scale=0, translation=0, brightness=0, contrast=0)
    x, y = augment_batch(tf.constant(images), tf.constant(labels), tf.constant([1, 2]), config)
    np.testing.assert_array_equal(np.round(x.numpy()[..., 0] * 2).astype(int), y.numpy())
    assert not np.array_equal(y.numpy(), labels)


def test_affine_keeps_alignment_and_label_set():
    images, labels = blocky(8)
    config = Augmentation(rotation=20, scale=0.2, translation=0.1, brightness=0, contrast=0)
    x, y = augment_batch(tf.constant(images), tf.constant(labels), tf.constant([3, 4]), config)
    x, y = x.numpy(), y.numpy()
    assert y.dtype == np.int32 and set(np.unique(y)) <= {0, 1, 2}
    assert not np.array_equal(y, labels)
    # Where the bilinear image value is a pure level (all neighbours of the sampled point share one
    # label), the nearest-neighbour label must be exactly that level: the geometry is the same.
    level = x[..., 0] * 2
    pure = np.abs(level - np.round(level)) < 1e-3
    assert pure.mean() > 0.6
    np.testing.assert_array_equal(np.round(level[pure]).astype(int), y[pure])
    # A deliberately different transform for the labels would break this.
    _, shifted = augment_batch(tf.constant(images), tf.constant(labels), tf.constant([5, 6]), config)
    assert np.mean(np.round(level[pure]).astype(int) == shifted.numpy()[pure]) < 0.9


def test_intensity_only_touches_images():
    images, labels = blocky(4)
    config = Augmentation(flip_horizontal=False, rotation=0, scale=0, translation=0, brightness=0.3, contrast=0.3)
    x, y = augment_batch(tf.constant(images), tf.constant(labels), tf.constant([0, 9]), config)
    np.testing.assert_array_equal(y.numpy(), labels)
    assert 0.0 <= x.numpy().min() and x.numpy().max() <= 1.0 and not np.allclose(x.numpy(), images)


def test_bad_inputs():
    images, labels = blocky(4)
    with pytest.raises(ValueError, match="match images"):
        make_dataset((images, labels[:, :10]))
    with pytest.raises(ValueError, match=r"Labels must lie in \[0, 1\]"):
        make_dataset((images, labels), num_classes=2)
    with pytest.raises(ValueError, match="one_hot"):
        make_dataset((images, labels), one_hot=True)
    with pytest.raises(ValueError, match="batch_size"):
        make_dataset((images, labels), batch_size=0)
    with pytest.raises(TypeError, match="augment"):
        make_dataset((images, labels), augment="yes")
    with pytest.raises(TypeError, match="SegmentationData"):
        make_dataset(images)
    with pytest.raises(ValueError, match="rotation"):
        Augmentation(rotation=-1)
