"""Tests of the CAMUS loader on files written in the NIfTI release's exact layout."""

import nibabel
import numpy as np
import pytest

from sshn_keras.data import load_camus


def test_loads_four_frames_per_patient(write_camus):
    root = write_camus(5)
    data = load_camus(root, target_size=(32, 48), progress=False)
    assert data.images.shape == (20, 32, 48, 1) and data.labels.shape == (20, 32, 48)
    assert data.label_names == ["background", "lv_endocardium", "myocardium", "left_atrium"]
    assert data.names[:4] == ["patient0001_2CH_ED", "patient0001_2CH_ES", "patient0001_4CH_ED", "patient0001_4CH_ES"]
    assert data.num_subjects == 5 and set(np.unique(data.labels)) == {0, 1, 2, 3}
    # The parent of database_nifti is accepted too.
    assert load_camus(root.parent, views="4CH", instants="ED", target_size=(32, 48), progress=False).num_samples == 5


def test_transposed_to_rows_and_columns(write_camus):
    root = write_camus(1)
    data = load_camus(root, target_size=None, views="2CH", instants="ED", progress=False)
    # Patient 1 is stored as (44, 30) = (width, height): loaded as 30 rows x 44 columns.
    assert data.images.shape == (1, 30, 44, 1)
    stored = np.asanyarray(nibabel.load(root / "patient0001" / "patient0001_2CH_ED_gt.nii.gz").dataobj)
    np.testing.assert_array_equal(data.labels[0], stored.T)
    image = np.asanyarray(nibabel.load(root / "patient0001" / "patient0001_2CH_ED.nii.gz").dataobj)
    np.testing.assert_allclose(data.images[0, ..., 0], image.T / 255.0, atol=1e-6)


def test_native_sizes_differ_between_patients(write_camus):
    with pytest.raises(ValueError, match="target_size"):
        load_camus(write_camus(2), target_size=None, progress=False)


def test_split_by_patient(write_camus):
    root = write_camus(10)
    parts = {s: load_camus(root, split=s, target_size=(16, 16), progress=False) for s in ("train", "val", "test")}
    assert [parts[s].num_samples for s in ("train", "val", "test")] == [24, 8, 8]
    assert not set(parts["train"].subjects) & (set(parts["val"].subjects) | set(parts["test"].subjects))


def test_bad_label_missing_gt_and_truncated(write_camus, truncate_file):
    root = write_camus(2)
    gt = root / "patient0001" / "patient0001_4CH_ES_gt.nii.gz"
    labels = np.zeros((44, 30), np.uint8)
    labels[3, 3] = 5
    nibabel.save(nibabel.Nifti1Image(labels, np.eye(4)), str(gt))
    with pytest.raises(ValueError, match=r"patient0001_4CH_ES_gt\.nii\.gz: label values outside.*5 \(1 px\)"):
        load_camus(root, progress=False)
    truncate_file(gt)
    with pytest.raises(ValueError, match=r"Cannot read NIfTI file .*patient0001_4CH_ES_gt\.nii\.gz"):
        load_camus(root, progress=False)
    gt.unlink()
    with pytest.raises(FileNotFoundError, match=r"patient0001 lacks patient0001_4CH_ES_gt\.nii\.gz"):
        load_camus(root, progress=False)


def test_missing_root_and_bad_views(tmp_path, write_camus):
    with pytest.raises(FileNotFoundError, match=r"camus_missing.*data_scripts/README\.md"):
        load_camus(tmp_path / "camus_missing")
    with pytest.raises(ValueError, match="No patientNNNN folders"):
        load_camus(tmp_path)
    with pytest.raises(ValueError, match="views"):
        load_camus(write_camus(1), views=("3CH",))
