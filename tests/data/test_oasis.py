"""Tests of the neurite-oasis 2D loader on files written in the release's exact layout."""

import logging

import nibabel
import numpy as np
import pytest

from sshn_keras.data import load_oasis


def test_seg24_and_seg4(write_oasis, caplog):
    root = write_oasis(6)
    with caplog.at_level(logging.INFO, logger="sshn_keras.data"):
        data = load_oasis(root, labels="seg24", progress=False)
    assert data.images.shape == (6, 160, 192, 1) and data.labels.shape == (6, 160, 192)
    assert data.images.dtype == np.float32 and data.labels.dtype == np.int32
    assert data.num_classes == 25 and data.label_names[0] == "Unknown" and data.label_names[24] == "Structure-24"
    assert data.subjects[0] == "OAS1_0001" and data.names[0] == "OASIS_OAS1_0001_MR1"
    assert "OASIS: loaded 6 samples from 6 subjects" in caplog.text
    # Labels and image agree with what was written (2D files and files with a trailing axis alike).
    for i in (0, 1):
        written = np.asanyarray(nibabel.load(root / data.names[i] / "slice_seg24.nii.gz").dataobj).reshape(160, 192)
        np.testing.assert_array_equal(data.labels[i], written)
    seg4 = load_oasis(root, labels="seg4", progress=False)
    assert seg4.label_names == ["Unknown", "Cortex", "Subcortical-GM", "White-Matter", "CSF"]
    np.testing.assert_array_equal(seg4.labels, np.minimum(data.labels, 4))


def test_orig_images_resize_and_split(write_oasis):
    root = write_oasis(10)
    data = load_oasis(root, image="orig", target_size=(80, 96), split="train", seed=1, progress=False)
    assert data.images.shape == (6, 80, 96, 1)
    assert 0.0 <= data.images.min() < 0.1 and 0.9 < data.images.max() <= 1.0  # min-max scaled, then resized
    native = load_oasis(root, image="orig", progress=False)
    assert native.images[0].min() == 0.0 and native.images[0].max() == 1.0
    test = load_oasis(root, split="test", seed=1, progress=False)
    assert test.num_samples == 2 and not set(test.subjects) & set(data.subjects)


def test_missing_folder_names_download_script(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match=r"oasis_here.*download_oasis\.py"):
        load_oasis(tmp_path / "oasis_here")
    monkeypatch.setenv("SSHN_OASIS_DIR", str(tmp_path / "env_oasis"))
    with pytest.raises(FileNotFoundError, match=r"env_oasis.*SSHN_OASIS_DIR"):
        load_oasis()
    with pytest.raises(ValueError, match="No OASIS_OAS1_XXXX_MR1 subject folders"):
        load_oasis(tmp_path)


def test_nested_root_hint(write_oasis, tmp_path):
    write_oasis(2, root=tmp_path / "outer" / "neurite-oasis.2d.v1.0")
    with pytest.raises(ValueError, match="Did you mean root=.*neurite-oasis.2d.v1.0"):
        load_oasis(tmp_path / "outer")


def test_truncated_nifti_is_named(write_oasis, truncate_file):
    root = write_oasis(3)
    truncate_file(root / "OASIS_OAS1_0002_MR1" / "slice_seg24.nii.gz")
    with pytest.raises(ValueError, match=r"OASIS_OAS1_0002_MR1/slice_seg24\.nii\.gz"):
        load_oasis(root, progress=False)


def test_label_outside_colour_table(write_oasis):
    root = write_oasis(2)
    path = root / "OASIS_OAS1_0001_MR1" / "slice_seg4.nii.gz"
    seg = np.zeros((160, 192), np.uint8)
    seg[0, 0] = 7
    nibabel.save(nibabel.Nifti1Image(seg, np.eye(4)), str(path))
    with pytest.raises(ValueError, match=r"slice_seg4\.nii\.gz: label values outside the declared set.*7 \(1 px\)"):
        load_oasis(root, labels="seg4", progress=False)


def test_shape_mismatch_and_missing_files(write_oasis):
    root = write_oasis(2)
    nibabel.save(nibabel.Nifti1Image(np.zeros((160, 190), np.float32), np.eye(4)), str(root / "OASIS_OAS1_0002_MR1" / "slice_norm.nii.gz"))
    with pytest.raises(ValueError, match=r"shape mismatch.*slice_norm.*\(160, 190\).*slice_seg24.*\(160, 192\)"):
        load_oasis(root, progress=False)
    (root / "OASIS_OAS1_0001_MR1" / "slice_seg4.nii.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"OASIS_OAS1_0001_MR1 lacks slice_seg4\.nii\.gz"):
        load_oasis(root, labels="seg4", progress=False)
    (root / "seg24_labels.txt").unlink()
    with pytest.raises(FileNotFoundError, match=r"seg24_labels\.txt"):
        load_oasis(root, progress=False)


def test_bad_arguments(write_oasis):
    root = write_oasis(1)
    with pytest.raises(ValueError, match="labels"):
        load_oasis(root, labels="seg35")
    with pytest.raises(ValueError, match="target_size"):
        load_oasis(root, target_size=(0, 10))


def test_standin_writer_produces_loadable_oasis_layout(tmp_path):
    from sshn_keras.data import load_oasis, write_oasis_standin

    root = write_oasis_standin(tmp_path / "oasis", num_subjects=5, size=(64, 80))
    assert "NOT real MRI" in (root / "STAND-IN.txt").read_text()
    seg4 = load_oasis(root, labels="seg4", progress=False)
    seg24 = load_oasis(root, labels="seg24", progress=False)
    assert seg4.images.shape == (5, 64, 80, 1) and seg4.num_classes == 5
    assert set(np.unique(seg4.labels)) == {0, 1, 2, 3, 4}
    assert seg24.num_classes == 25 and seg24.labels.max() <= 24
