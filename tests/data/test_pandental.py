"""Tests of the PanDental loader on files written in the DentalPanoramicXrays layout."""

import logging

import numpy as np
import pytest
from PIL import Image

from sshn_keras.data import load_pandental


def test_mandible_and_teeth_labels(write_pandental, caplog):
    root = write_pandental(5)
    with caplog.at_level(logging.INFO, logger="sshn_keras.data"):
        data = load_pandental(root, target_size=None, progress=False)
    assert data.images.shape == (5, 40, 96, 1) and data.label_names == ["background", "mandible", "teeth"]
    assert data.names == ["1", "2", "3", "4", "5"]
    first = data.labels[0]
    assert first[30, 50] == 1 and first[22, 50] == 2 and first[5, 5] == 0  # teeth painted over mandible
    # Mask 3 holds 7 stray pixels of value 3: remapped to background and reported.
    assert data.remapped_pixels == {"3": 7}
    assert "7 label pixels with undeclared values remapped in 1 file(s): 3 (7 px)" in caplog.text
    # The RGB-stored image 2 is read as grey.
    grey = np.asarray(Image.open(root / "Images" / "2.png").convert("L")) / 255.0
    np.testing.assert_allclose(data.images[1, ..., 0], grey, atol=1e-6)


def test_default_resize_and_structures(write_pandental):
    root = write_pandental(5)
    data = load_pandental(root, progress=False)
    assert data.images.shape == (5, 256, 512, 1) and set(np.unique(data.labels)) == {0, 1, 2}
    mandible = load_pandental(root, structures={"mandible": "Segmentation1"}, target_size=None, progress=False)
    assert mandible.num_classes == 2 and mandible.labels[0, 22, 50] == 1


def test_split(write_pandental):
    root = write_pandental(10)
    train = load_pandental(root, split="train", target_size=(16, 32), progress=False)
    val = load_pandental(root, split="val", target_size=(16, 32), progress=False)
    assert train.num_samples == 6 and val.num_samples == 2 and not set(train.names) & set(val.names)


def test_missing_mask_and_truncated_image(write_pandental, truncate_file):
    root = write_pandental(3)
    truncate_file(root / "Images" / "2.png")
    with pytest.raises(ValueError, match=r"Images/2\.png"):
        load_pandental(root, progress=False)
    (root / "Segmentation2" / "3.png").unlink()
    with pytest.raises(FileNotFoundError, match=r"Images/3\.png has no teeth mask in .*Segmentation2"):
        load_pandental(root, progress=False)


def test_mask_size_mismatch_and_missing_folders(write_pandental, tmp_path):
    root = write_pandental(2)
    Image.fromarray(np.zeros((40, 90), np.uint8)).save(root / "Segmentation1" / "1.png")
    with pytest.raises(ValueError, match=r"shape mismatch.*Segmentation1/1\.png has shape \(40, 90\)"):
        load_pandental(root, progress=False)
    with pytest.raises(FileNotFoundError, match="Segmentation9"):
        load_pandental(root, structures={"mandible": "Segmentation9"})
    with pytest.raises(FileNotFoundError, match=r"nothing_here.*data_scripts/README\.md"):
        load_pandental(tmp_path / "nothing_here")
    with pytest.raises(ValueError, match="structures"):
        load_pandental(root, structures=["Segmentation1"])
