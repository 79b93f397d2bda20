"""Tests of label encoding, resizing, intensity scaling and the colour table reader."""

import numpy as np
import pytest

from sshn_keras.data.colour_table import read_colour_table
from sshn_keras.data.preprocess import encode_labels, normalize_intensity, resize_image, resize_labels


def test_encode_labels_declared_values():
    mask = np.array([[0, 128, 255], [255, 0, 128]])
    labels, remapped = encode_labels(mask, (0, 128, 255))
    np.testing.assert_array_equal(labels, [[0, 1, 2], [2, 0, 1]])
    assert remapped == 0 and labels.dtype == np.int32


def test_encode_labels_stray_values():
    mask = np.array([[0, 7, 60, 70, 200, 255]])
    with pytest.raises(ValueError, match=r"m\.png: label values outside the declared set \(0, 128, 255\): 7 \(1 px\)"):
        encode_labels(mask, (0, 128, 255), "m.png")
    labels, remapped = encode_labels(mask, (0, 128, 255), stray="nearest")
    np.testing.assert_array_equal(labels, [[0, 0, 0, 1, 2, 2]])
    assert remapped == 4


def test_encode_labels_unsorted_values():
    labels, _ = encode_labels(np.array([5, 0, 9]), (9, 0, 5))
    np.testing.assert_array_equal(labels, [2, 1, 0])


def test_resize_labels_is_nearest_and_keeps_values():
    labels = np.arange(16).reshape(4, 4)
    np.testing.assert_array_equal(resize_labels(labels, (8, 8))[::2, ::2], labels)
    np.testing.assert_array_equal(resize_labels(labels, (2, 2)), [[5, 7], [13, 15]])


def test_resize_image_constant_and_shape():
    image = np.full((10, 12, 3), 0.25, np.float32)
    out = resize_image(image, (5, 7))
    assert out.shape == (5, 7, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, 0.25, atol=1e-6)


def test_normalize_intensity():
    np.testing.assert_allclose(normalize_intensity(np.array([0, 255], np.uint8), "uint8"), [0, 1])
    np.testing.assert_allclose(normalize_intensity(np.array([2.0, 4.0]), "minmax"), [0, 1])
    with pytest.raises(ValueError, match=r"x\.nii: expected intensities in \[0, 1\]"):
        normalize_intensity(np.array([0.0, 1.5]), "unit", "x.nii")
    with pytest.raises(ValueError, match="NaN"):
        normalize_intensity(np.array([np.nan]), "minmax")


def test_colour_table(tmp_path):
    path = tmp_path / "lut.txt"
    path.write_text("#No. Label Name: R G B A\n\n0 Unknown 0 0 0 0\n2 Left-Cortex 1 2 3 0  # comment\n")
    assert read_colour_table(path) == {0: "Unknown", 2: "Left-Cortex"}
    path.write_text("0 Unknown 0 0 0 0\nCortex 1 2 3 0\n")
    with pytest.raises(ValueError, match=r"lut\.txt, line 2"):
        read_colour_table(path)
    path.write_text("0 a\n0 b\n")
    with pytest.raises(ValueError, match="appears twice"):
        read_colour_table(path)
