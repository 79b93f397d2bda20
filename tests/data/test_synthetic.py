"""`make_synthetic_segmentation`: the synthetic images of the quick examples and smoke runs."""

import numpy as np
import pytest

from sshn_keras.data import make_synthetic_segmentation


def test_synthetic_data_is_deterministic_and_has_all_labels():
    a = make_synthetic_segmentation(16, size=32, seed=5)
    b = make_synthetic_segmentation(16, size=32, seed=5)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert set(np.unique(a.labels)) == {0, 1, 2, 3}
    assert a.images.min() >= 0 and a.images.max() <= 1
    assert not np.array_equal(a.images, make_synthetic_segmentation(16, size=32, seed=6).images)


def test_synthetic_data_bad_arguments():
    with pytest.raises(ValueError, match="size"):
        make_synthetic_segmentation(4, size=8)
    with pytest.raises(ValueError, match="num_images"):
        make_synthetic_segmentation(0)
