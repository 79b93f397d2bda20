"""The CAMUS echocardiography dataset (Leclerc et al. 2019), NIfTI release.

Layout (the `database_nifti` folder of the public release, 500 patients)::

    <root>/patient0001/patient0001_2CH_ED.nii.gz       apical 2-chamber view, end diastole
    <root>/patient0001/patient0001_2CH_ED_gt.nii.gz    its segmentation
    <root>/patient0001/patient0001_2CH_ES(_gt).nii.gz  end systole
    <root>/patient0001/patient0001_4CH_{ED,ES}(_gt).nii.gz
    (half_sequence files and Info_*.cfg beside them are ignored)

`root` may also be the folder that contains `database_nifti/`.

Preprocessing:

* images: 8-bit B-mode intensities divided by 255 to [0, 1] float32, one
  channel, resized bilinearly to `target_size` (default 256x256; the
  native sizes vary per patient, e.g. 778x549);
* orientation: nibabel returns the arrays as (x, y) = (width, height);
  images and labels are both transposed to (rows, columns) = (height,
  width), the same transpose for both, so they stay aligned;
* labels: 0 background, 1 left-ventricle endocardium (cavity),
  2 myocardium, 3 left atrium; any other value is an error naming the
  file; resized by nearest neighbour;
* subjects: the patient; all four images of a patient land in one split.

Reference:
    Leclerc et al. Deep learning for segmentation using an open large-scale
    dataset in 2D echocardiography. IEEE TMI 38(9):2198-2210 (2019).
"""

import re
from pathlib import Path
from typing import Sequence

from sshn_keras.data.assemble import assemble, check_pair
from sshn_keras.data.base import Sample, SegmentationData
from sshn_keras.data.paths import resolve_root
from sshn_keras.data.preprocess import check_size, encode_labels, normalize_intensity, resize_image, resize_labels
from sshn_keras.data.readers import read_nifti_2d
from sshn_keras.data.splits import PAPER_FRACTIONS, select_split

CAMUS_LABEL_NAMES = ("background", "lv_endocardium", "myocardium", "left_atrium")
CAMUS_VIEWS = ("2CH", "4CH")
CAMUS_INSTANTS = ("ED", "ES")
PATIENT_FOLDER = re.compile(r"^patient\d+$")


def _check_choice(values, allowed: tuple, name: str) -> tuple:
    values = (values,) if isinstance(values, str) else tuple(values)
    if not values or any(v not in allowed for v in values):
        raise ValueError(f"`{name}` must be a non-empty selection of {allowed}. Received {name}={values!r}")
    return values


def list_camus_samples(
    root: Path, views: Sequence[str] = CAMUS_VIEWS, instants: Sequence[str] = CAMUS_INSTANTS
) -> list:
    """List the (image, ground truth) pairs of every patient folder.

    Raises:
        ValueError: if no `patientNNNN` folder is found.
        FileNotFoundError: if a patient lacks a requested image or its `_gt`.
    """
    views = _check_choice(views, CAMUS_VIEWS, "views")
    instants = _check_choice(instants, CAMUS_INSTANTS, "instants")
    root = Path(root)
    if (root / "database_nifti").is_dir():
        root = root / "database_nifti"
    patients = sorted(p for p in root.iterdir() if p.is_dir() and PATIENT_FOLDER.match(p.name))
    if not patients:
        raise ValueError(
            f"No patientNNNN folders in {root}: expected the CAMUS NIfTI release "
            "(database_nifti/patient0001/patient0001_2CH_ED.nii.gz ...). See data_scripts/README.md."
        )
    samples = []
    for folder in patients:
        for view in views:
            for instant in instants:
                stem = f"{folder.name}_{view}_{instant}"
                image, label = folder / f"{stem}.nii.gz", folder / f"{stem}_gt.nii.gz"
                for path in (image, label):
                    if not path.is_file():
                        raise FileNotFoundError(f"CAMUS patient folder {folder} lacks {path.name} (expected {path}).")
                samples.append(Sample(subject=folder.name, image=image, label=label, name=stem))
    return samples


def load_camus(
    root=None,
    split: str | None = None,
    seed: int = 0,
    fractions: Sequence[float] = PAPER_FRACTIONS,
    target_size: tuple | None = (256, 256),
    views: Sequence[str] = CAMUS_VIEWS,
    instants: Sequence[str] = CAMUS_INSTANTS,
    progress: bool = True,
) -> SegmentationData:
    """Load CAMUS ED/ES frames with their segmentations (see the module docstring).

    Args:
        root: `database_nifti/` (or its parent); None looks in
            `$SSHN_CAMUS_DIR`, then `../shared/data/camus`.
        split: `"train"`, `"val"`, `"test"` or None for all patients.
        seed: seed of the split (by patient).
        fractions: `(train, val, test)` fractions (default the paper's).
        target_size: `(height, width)` to resize to; None keeps the native
            size (which differs between patients: then loading fails unless
            all selected images share one size).
        views: which of `"2CH"`, `"4CH"` to load.
        instants: which of `"ED"`, `"ES"` to load.
        progress: show a progress bar.

    Returns:
        `SegmentationData`: images `(N, H, W, 1)` float32 in [0, 1], labels
        `(N, H, W)` int32 in {0, 1, 2, 3}.

    Raises:
        FileNotFoundError: for a missing folder or file (named).
        ValueError: for bad arguments, an unreadable file (named), an
            image/label shape mismatch, label values outside {0, 1, 2, 3},
            or an empty split.

    Example:
    >>> data = load_camus("CAMUS_public/database_nifti", split="val", views="4CH")  # doctest: +SKIP
    """
    size = check_size(target_size)
    root = resolve_root(root, "camus")
    samples = select_split(list_camus_samples(root, views, instants), split, fractions, seed, dataset="CAMUS")

    def decode(sample: Sample):
        image = read_nifti_2d(sample.image).T
        segmentation = read_nifti_2d(sample.label).T
        check_pair(image, segmentation, sample)
        image = normalize_intensity(image, "uint8", sample.image)[..., None]
        labels, _ = encode_labels(segmentation, range(len(CAMUS_LABEL_NAMES)), sample.label, stray="error")
        if size is not None:
            image, labels = resize_image(image, size), resize_labels(labels, size)
        return image, labels, 0

    return assemble(samples, decode, CAMUS_LABEL_NAMES, split, "CAMUS", progress)
