"""Tests of random smooth deformations and synthetic registration pairs."""

import numpy as np
import pytest

from sshn_keras.layers.spatial_transformer import SpatialTransformer
from sshn_keras.losses.registration import mean_label_map_dice
from sshn_keras.registration.deformations import make_registration_pairs, random_displacement
from sshn_keras.registration.jacobian import nonpositive_jacobian_fraction


def test_random_displacement_shape_magnitude_and_seed():
    d = random_displacement((20, 24), max_displacement=3.0, sigma=3.0, seed=0)
    assert d.shape == (20, 24, 2) and d.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(d, axis=-1).max(), 3.0, rtol=1e-5)
    np.testing.assert_array_equal(d, random_displacement((20, 24), 3.0, 3.0, seed=0))
    assert not np.array_equal(d, random_displacement((20, 24), 3.0, 3.0, seed=1))
    batch = random_displacement((6, 7, 8), max_displacement=2.0, sigma=2.0, batch_size=3, seed=0)
    assert batch.shape == (3, 6, 7, 8, 3)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=-1).reshape(3, -1).max(axis=1), 2.0, rtol=1e-5)
    assert not np.allclose(batch[0], batch[1])
    assert np.all(random_displacement((5, 5), max_displacement=0.0, seed=0) == 0)


def test_diffeomorphic_fields_do_not_fold():
    # Large displacements for the smoothing: the plain field folds, the integrated one does not.
    plain = random_displacement((64, 64), max_displacement=8.0, sigma=3.0, batch_size=2, seed=0)
    diffeo = random_displacement((64, 64), max_displacement=8.0, sigma=3.0, batch_size=2, seed=0, diffeomorphic=True)
    assert np.all(nonpositive_jacobian_fraction(plain) > 0.01)
    assert np.all(nonpositive_jacobian_fraction(diffeo) == 0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"shape": ()}, "shape"),
        ({"shape": (4, 0)}, "shape"),
        ({"max_displacement": -1.0}, "max_displacement"),
        ({"sigma": 0}, "sigma"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_random_displacement_bad_arguments(kwargs, match):
    args = {"shape": (8, 8), **kwargs}
    with pytest.raises(ValueError, match=match):
        random_displacement(**args)


def blob_data(count=3, shape=(32, 32), seed=0):
    """Images that are smooth functions of three labelled blobs."""
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1)
    labels = np.zeros((count, *shape), np.int32)
    for i in range(count):
        for label in (1, 2, 3):
            center = rng.uniform(6, np.array(shape) - 6)
            labels[i][np.linalg.norm(grid - center, axis=-1) < rng.uniform(4, 7)] = label
    images = (labels / 3.0 + 0.05 * rng.standard_normal(labels.shape))[..., None].astype(np.float32)
    return images, labels


def inverse_displacement(u, iterations=30):
    """Fixed point v = -u(x + v(x)): warping by v undoes warping by u."""
    v = np.zeros_like(u)
    warp = SpatialTransformer()
    for _ in range(iterations):
        v = -np.asarray(warp([u, v]))
    return v


def test_registration_pairs_shapes_and_determinism():
    images, labels = blob_data()
    pairs = make_registration_pairs(images, labels, max_displacement=3.0, sigma=4.0, seed=1)
    moving, fixed, moving_labels, fixed_labels = pairs
    assert moving.shape == fixed.shape == images.shape and moving.dtype == np.float32
    assert moving_labels.shape == fixed_labels.shape == labels.shape and moving_labels.dtype == np.int32
    assert set(np.unique(moving_labels)) <= set(np.unique(labels))
    again = make_registration_pairs(images, labels, max_displacement=3.0, sigma=4.0, seed=1, chunk_size=2)
    for a, b in zip(pairs, again):
        np.testing.assert_array_equal(a, b)
    with_channel = make_registration_pairs(images, labels[..., None], max_displacement=3.0, sigma=4.0, seed=1)
    assert with_channel[2].shape == labels.shape + (1,)
    np.testing.assert_array_equal(with_channel[2][..., 0], moving_labels)


def test_registration_accuracy_is_measurable():
    images, labels = blob_data(count=2, seed=3)
    moving, fixed, moving_labels, fixed_labels, moving_flows, fixed_flows = make_registration_pairs(
        images, labels, max_displacement=4.0, sigma=5.0, warp_fixed=False, seed=2, return_flows=True
    )
    np.testing.assert_array_equal(fixed, images)
    np.testing.assert_array_equal(fixed_labels, labels)
    assert np.all(fixed_flows == 0)
    before = mean_label_map_dice(fixed_labels, moving_labels)
    # The true registration flow is the inverse of the known deformation.
    recovered = SpatialTransformer("nearest")([moving_labels[..., None], inverse_displacement(moving_flows)])
    after = mean_label_map_dice(fixed_labels, recovered)
    assert np.all(before < 0.9)
    assert np.all(after > 0.95) and np.all(after > before)


def test_registration_pairs_bad_inputs():
    images, labels = blob_data(count=2)
    with pytest.raises(ValueError, match="labels"):
        make_registration_pairs(images, labels[:, :10])
    with pytest.raises(ValueError, match="labels"):
        make_registration_pairs(images, labels[:1])
    with pytest.raises(ValueError, match="integer"):
        make_registration_pairs(images, labels.astype(np.float32))
    with pytest.raises(ValueError, match="channels"):
        make_registration_pairs(images[0, ..., 0], labels[0])
    with pytest.raises(ValueError, match="chunk_size"):
        make_registration_pairs(images, labels, chunk_size=0)
