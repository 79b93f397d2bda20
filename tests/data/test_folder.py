"""Tests of the generic folder loader."""

import numpy as np
import pytest
from PIL import Image

from sshn_keras.data import load_folder

NAMES = ("background", "object")


def test_loads_pairs_with_declared_values(write_folder):
    root = write_folder(8)
    data = load_folder(root, label_values=(0, 255), label_names=NAMES, progress=False)
    assert data.images.shape == (8, 24, 32, 3) and set(np.unique(data.labels)) == {0, 1}
    assert data.names[0] == "p00_s0" and data.label_names == list(NAMES)
    grey = load_folder(root, label_values=(0, 255), channels=1, target_size=(12, 16), progress=False)
    assert grey.images.shape == (8, 12, 16, 1) and grey.label_names == ["background", "label_255"]


def test_subject_pattern_groups_samples(write_folder):
    root = write_folder(20)
    parts = {
        s: load_folder(root, label_values=(0, 255), split=s, subject_pattern=r"^(p\d+)_", progress=False)
        for s in ("train", "val", "test")
    }
    assert parts["train"].num_subjects == 6 and parts["train"].num_samples == 12
    assert not set(parts["train"].subjects) & set(parts["test"].subjects)
    with pytest.raises(ValueError, match="does not match subject_pattern"):
        load_folder(root, label_values=(0, 255), subject_pattern=r"^q")


def test_undeclared_values(write_folder):
    root = write_folder(2)
    mask = np.zeros((24, 32), np.uint8)
    mask[0, :3] = 200
    Image.fromarray(mask).save(root / "masks" / "p00_s1.png")
    with pytest.raises(ValueError, match=r"p00_s1\.png: label values outside the declared set \(0, 255\): 200 \(3 px\)"):
        load_folder(root, label_values=(0, 255), progress=False)
    data = load_folder(root, label_values=(0, 255), stray="nearest", progress=False)
    assert data.remapped_pixels == {"p00_s1": 3} and data.labels[1, 0, 0] == 1
    with pytest.raises(ValueError, match="Declare the labels"):
        load_folder(root)


def test_unpaired_missing_and_truncated(write_folder, truncate_file, tmp_path):
    root = write_folder(3)
    truncate_file(root / "images" / "p01_s0.png")
    with pytest.raises(ValueError, match=r"images/p01_s0\.png"):
        load_folder(root, label_values=(0, 255), progress=False)
    (root / "masks" / "p00_s1.png").unlink()
    with pytest.raises(ValueError, match=r"images without a mask .*\['p00_s1'\]"):
        load_folder(root, label_values=(0, 255))
    with pytest.raises(FileNotFoundError, match="Data folder not found"):
        load_folder(tmp_path / "absent", label_values=(0, 255))


def test_empty_split(write_folder):
    with pytest.raises(ValueError, match="'test' split of .* is empty"):
        load_folder(write_folder(3), label_values=(0, 255), split="test", fractions=(1.0, 0.0, 0.0))


def _write_nifti(path, array):
    import nibabel

    nibabel.save(nibabel.Nifti1Image(array, np.eye(4)), str(path))


def test_loads_3d_nifti_volumes(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    volumes = {}
    for i in range(3):
        image = rng.random((8, 10, 12)).astype(np.float32)
        mask = (image > 0.5).astype(np.uint8) + (image > 0.8).astype(np.uint8)
        _write_nifti(tmp_path / "images" / f"case{i}.nii.gz", image)
        _write_nifti(tmp_path / "masks" / f"case{i}.nii.gz", mask[..., None])  # trailing singleton axis dropped
        volumes[f"case{i}"] = (image, mask)
    data = load_folder(tmp_path, label_names=("background", "a", "b"), intensity="unit", progress=False)
    assert data.images.shape == (3, 8, 10, 12, 1) and data.labels.shape == (3, 8, 10, 12)
    assert data.image_shape == (8, 10, 12, 1)
    for k, name in enumerate(data.names):
        np.testing.assert_allclose(data.images[k, ..., 0], volumes[name][0])
        np.testing.assert_array_equal(data.labels[k], volumes[name][1])
    with pytest.raises(ValueError, match="target_size"):
        load_folder(tmp_path, label_names=("background", "a", "b"), intensity="unit", target_size=(4, 4), progress=False)
    _write_nifti(tmp_path / "masks" / "case0.nii.gz", np.zeros((8, 10, 11), np.uint8))
    with pytest.raises(ValueError, match="shape mismatch"):
        load_folder(tmp_path, label_names=("background", "a", "b"), intensity="unit", progress=False)
