"""Tests of the WBC loader on the real data (../shared/data/wbc, or $SSHN_WBC_DIR)."""

import logging
import shutil

import numpy as np
import pytest

from sshn_keras.data import load_wbc

STRAY_FILES = {"Dataset 2/034": 97, "Dataset 2/035": 3, "Dataset 2/047": 179, "Dataset 2/050": 22, "Dataset 2/076": 3}


def test_loads_all_400_images(wbc_dir, caplog):
    with caplog.at_level(logging.INFO, logger="sshn_keras.data"):
        data = load_wbc(wbc_dir, progress=False)
    assert data.num_samples == 400 and data.num_subjects == 400
    assert data.images.shape == (400, 128, 128, 3) and data.images.dtype == np.float32
    assert data.labels.shape == (400, 128, 128) and data.labels.dtype == np.int32
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0
    assert set(np.unique(data.labels)) == {0, 1, 2}
    assert data.label_names == ["background", "cytoplasm", "nucleus"]
    assert sum(n.startswith("Dataset 1/") for n in data.names) == 300
    # The stray grey values are remapped, counted per file and reported, never silently.
    assert data.remapped_pixels == STRAY_FILES
    assert "304 label pixels with undeclared values remapped in 5 file(s)" in caplog.text
    assert "WBC: loaded 400 samples" in caplog.text


def test_default_root_and_env_override(wbc_dir, monkeypatch):
    monkeypatch.setenv("SSHN_WBC_DIR", str(wbc_dir))
    data = load_wbc(split="test", subsets=("Dataset 2",), target_size=(32, 32), progress=False)
    assert data.num_samples == 20 and data.images.shape[1:] == (32, 32, 3)


def test_splits_partition_the_images(wbc_dir):
    parts = {s: load_wbc(wbc_dir, split=s, seed=0, target_size=(16, 16), progress=False) for s in ("train", "val", "test")}
    assert [parts[s].num_samples for s in ("train", "val", "test")] == [256, 64, 80]
    names = [set(parts[s].names) for s in parts]
    assert not names[0] & names[1] and not names[0] & names[2] and len(set.union(*names)) == 400
    again = load_wbc(wbc_dir, split="val", seed=0, target_size=(16, 16), progress=False)
    assert again.names == parts["val"].names


def test_grayscale_and_native_size(wbc_dir):
    data = load_wbc(wbc_dir, subsets="Dataset 2", split="val", target_size=None, grayscale=True, progress=False)
    assert data.images.shape == (16, 300, 300, 1)
    # 76 images of Dataset 1 are smaller than 120x120 (e.g. 072 is 104x104): native sizes cannot be stacked.
    with pytest.raises(ValueError, match=r"Dataset 1/072.*\(104, 104, 3\).*target_size"):
        load_wbc(wbc_dir, subsets="Dataset 1", target_size=None, progress=False)


def test_missing_folder_names_it_and_the_script(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere.*download_wbc\.py"):
        load_wbc(tmp_path / "nowhere")
    (tmp_path / "Dataset 1").mkdir()
    with pytest.raises(FileNotFoundError, match=r"Dataset 2.*download_wbc\.py"):
        load_wbc(tmp_path)


@pytest.fixture
def wbc_copy(wbc_dir, tmp_path):
    """A copy of the first 5 pairs of Dataset 1 and Dataset 2 to break on purpose."""
    for subset in ("Dataset 1", "Dataset 2"):
        (tmp_path / subset).mkdir()
        for stem in ("001", "002", "003", "004", "005"):
            for suffix in (".bmp", ".png"):
                shutil.copy(wbc_dir / subset / f"{stem}{suffix}", tmp_path / subset / f"{stem}{suffix}")
    return tmp_path


def test_truncated_file_is_named(wbc_copy, truncate_file):
    truncate_file(wbc_copy / "Dataset 1" / "003.png")
    with pytest.raises(ValueError, match=r"Dataset 1/003\.png"):
        load_wbc(wbc_copy, progress=False)


def test_unpaired_and_mismatched_files(wbc_copy):
    from PIL import Image

    Image.open(wbc_copy / "Dataset 2" / "002.png").resize((120, 120)).save(wbc_copy / "Dataset 2" / "002.png")
    with pytest.raises(ValueError, match=r"shape mismatch.*Dataset 2/002\.bmp.*\(300, 300, 3\).*002\.png.*\(120, 120\)"):
        load_wbc(wbc_copy, progress=False)
    (wbc_copy / "Dataset 1" / "004.png").unlink()
    with pytest.raises(ValueError, match=r"unpaired: \['004'\]"):
        load_wbc(wbc_copy, progress=False)


def test_a_remapping_is_a_warning_once_per_process(wbc_dir, caplog):
    """Loading the same files twice warns once; the second load still says it at INFO level."""
    from sshn_keras.data import assemble

    assemble._reported_remaps.clear()
    with caplog.at_level(logging.INFO, logger="sshn_keras.data"):
        for _ in range(2):
            data = load_wbc(wbc_dir, split="test", seed=0, target_size=(16, 16), progress=False)
    remaps = [r for r in caplog.records if "undeclared values remapped in 1 file(s): Dataset 2/034" in r.getMessage()]
    assert data.remapped_pixels and [r.levelno for r in remaps] == [logging.WARNING, logging.INFO]
    assert remaps[1].getMessage().endswith("(reported before)")
