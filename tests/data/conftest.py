"""Fixtures of tests/data: the real WBC folder and writers of format-exact dataset copies.

The OASIS, CAMUS and PanDental writers create tiny files in exactly the
published layouts (file names, formats, dtypes, axis order) with seeded
content, so loaders are tested on the formats without the real data.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from sshn_keras.data.paths import REPO_ROOT

WBC_DIR = Path(os.environ.get("SSHN_WBC_DIR") or (REPO_ROOT / ".." / "shared" / "data" / "wbc")).resolve()

OASIS_SEG4_TABLE = """# FreeSurfer-style colour table of the 4-label neurite-oasis segmentation
#No. Label Name:  R   G   B   A

0   Unknown        0   0   0   0
1   Cortex       245 245 245   0
2   Subcortical-GM 220 248 164  0
3   White-Matter 120  18 134   0
4   CSF           60  58 210   0
"""


def _write_nifti(path: Path, array: np.ndarray) -> None:
    import nibabel

    nibabel.save(nibabel.Nifti1Image(array, np.eye(4)), str(path))


def _blocks(rng: np.random.Generator, shape: tuple, num_labels: int) -> np.ndarray:
    """A label map of coarse rectangles (so resizing keeps every label visible)."""
    labels = np.zeros(shape, np.int32)
    for k in range(1, num_labels):
        r, c = rng.integers(0, shape[0] - 6), rng.integers(0, shape[1] - 6)
        labels[r : r + 6, c : c + 6] = k
    return labels


@pytest.fixture
def wbc_dir() -> Path:
    """The real WBC data (skipped, with the reason, when the folder is absent)."""
    if not (WBC_DIR / "Dataset 1").is_dir():
        pytest.skip(f"Real WBC data not found at {WBC_DIR} (set SSHN_WBC_DIR or run data_scripts/download_wbc.py)")
    return WBC_DIR


@pytest.fixture
def write_oasis(tmp_path):
    """`write_oasis(num_subjects=6, size=(160, 192)) -> root` in the neurite-oasis 2D layout."""

    def write(num_subjects: int = 6, size: tuple = (160, 192), root: Path | None = None) -> Path:
        root = root or tmp_path / "oasis"
        root.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(0)
        (root / "seg4_labels.txt").write_text(OASIS_SEG4_TABLE)
        lines = ["# seg24 colour table", "0 Unknown 0 0 0 0"]
        lines += [f"{k} Structure-{k:02d} {k * 10 % 256} {k * 7 % 256} {k * 3 % 256} 0" for k in range(1, 25)]
        (root / "seg24_labels.txt").write_text("\n".join(lines) + "\n")
        for i in range(num_subjects):
            folder = root / f"OASIS_OAS1_{i + 1:04d}_MR1"
            folder.mkdir(exist_ok=True)
            seg24 = _blocks(rng, size, 25)
            seg4 = np.minimum(seg24, 4)
            norm = (seg24 / 24.0 * 0.8 + 0.1 * rng.random(size)).astype(np.float32)
            orig = (norm * 180 + 20).astype(np.float32)
            # Even subjects: 2D arrays; odd: a trailing singleton axis, both occur in practice.
            extra = (lambda a: a) if i % 2 == 0 else (lambda a: a[..., None])
            _write_nifti(folder / "slice_norm.nii.gz", extra(norm))
            _write_nifti(folder / "slice_orig.nii.gz", extra(orig))
            _write_nifti(folder / "slice_seg24.nii.gz", extra(seg24.astype(np.uint8)))
            _write_nifti(folder / "slice_seg4.nii.gz", extra(seg4.astype(np.uint8)))
        return root

    return write


@pytest.fixture
def write_camus(tmp_path):
    """`write_camus(num_patients=5) -> database_nifti` in the CAMUS NIfTI layout.

    Arrays are stored as nibabel sees them, (width, height): a patient's
    images are `(40, 30)` on disk, i.e. 30 rows x 40 columns once loaded.
    """

    def write(num_patients: int = 5) -> Path:
        root = tmp_path / "CAMUS_public" / "database_nifti"
        rng = np.random.default_rng(1)
        for p in range(1, num_patients + 1):
            folder = root / f"patient{p:04d}"
            folder.mkdir(parents=True)
            width, height = 40 + 4 * (p % 2), 30
            for view in ("2CH", "4CH"):
                for instant in ("ED", "ES"):
                    labels = _blocks(rng, (height, width), 4)
                    image = (labels * 60 + rng.integers(0, 20, labels.shape)).astype(np.uint8)
                    stem = f"patient{p:04d}_{view}_{instant}"
                    _write_nifti(folder / f"{stem}.nii.gz", image.T.copy())
                    _write_nifti(folder / f"{stem}_gt.nii.gz", labels.astype(np.uint8).T.copy())
                _write_nifti(folder / f"patient{p:04d}_{view}_half_sequence.nii.gz", np.zeros((width, height, 3), np.uint8))
            (folder / "Info_2CH.cfg").write_text("ED: 1\nES: 12\n")
        return root

    return write


@pytest.fixture
def write_pandental(tmp_path):
    """`write_pandental(num_images=5) -> root` in the DentalPanoramicXrays layout.

    `Images/N.png` (grey; image 2 stored as RGB), `Segmentation1/N.png`
    (mandible, 0/255) and `Segmentation2/N.png` (teeth, 0/255, inside the
    mandible); mask 3 holds 7 stray pixels of value 3.
    """
    from PIL import Image

    def write(num_images: int = 5, size: tuple = (40, 96)) -> Path:
        root = tmp_path / "DentalPanoramicXrays"
        for sub in ("Images", "Segmentation1", "Segmentation2"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(2)
        for n in range(1, num_images + 1):
            mandible = np.zeros(size, np.uint8)
            mandible[20:36, 10:86] = 255
            teeth = np.zeros(size, np.uint8)
            teeth[20:26, 20 + n : 76] = 255
            image = (40 + mandible // 3 + teeth // 3 + rng.integers(0, 10, size)).astype(np.uint8)
            if n == 3:
                mandible[0, :7] = 3
            picture = Image.fromarray(image)
            (picture.convert("RGB") if n == 2 else picture).save(root / "Images" / f"{n}.png")
            Image.fromarray(mandible).save(root / "Segmentation1" / f"{n}.png")
            Image.fromarray(teeth).save(root / "Segmentation2" / f"{n}.png")
        return root

    return write


@pytest.fixture
def write_folder(tmp_path):
    """`write_folder(num_images=8) -> root` with `images/pXX_sY.png` and `masks/pXX_sY.png` (values 0 / 255)."""
    from PIL import Image

    def write(num_images: int = 8, size: tuple = (24, 32)) -> Path:
        root = tmp_path / "mydata"
        (root / "images").mkdir(parents=True)
        (root / "masks").mkdir()
        rng = np.random.default_rng(3)
        for i in range(num_images):
            stem = f"p{i // 2:02d}_s{i % 2}"
            mask = np.zeros(size, np.uint8)
            mask[4:12, 5 + i : 20] = 255
            image = np.stack([mask // 2 + rng.integers(0, 50, size)] * 3, -1).astype(np.uint8)
            Image.fromarray(image).save(root / "images" / f"{stem}.png")
            Image.fromarray(mask).save(root / "masks" / f"{stem}.png")
        return root

    return write


def truncate(path: Path, keep: float = 0.5) -> None:
    """Cut a file to a fraction of its size (a broken download)."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.fixture
def truncate_file():
    """`truncate_file(path, keep=0.5)`: cut a file short, as a broken download would."""
    return truncate
