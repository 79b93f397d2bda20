"""The 2D neurite-oasis brain MRI dataset (the tutorial's dataset), in its published layout.

Layout of the extracted `neurite-oasis.2d.v1.0.tar` (what
`data_scripts/download_oasis.py` produces)::

    <root>/seg24_labels.txt, <root>/seg4_labels.txt     FreeSurfer colour tables
    <root>/OASIS_OAS1_0001_MR1/slice_norm.nii.gz        160x192, intensities in [0, 1]
                              /slice_orig.nii.gz        raw intensities
                              /slice_seg24.nii.gz       labels 0..24
                              /slice_seg4.nii.gz        labels 0..4
    <root>/OASIS_OAS1_0002_MR1/...

Preprocessing:

* image: `slice_norm` (skull-stripped, bias-corrected, already in [0, 1];
  values off by at most 1e-3 are clipped) or `slice_orig` (min-max scaled
  per image); one channel; the nibabel array is used as stored
  (160 rows x 192 columns), trailing singleton axes dropped;
* labels: `slice_seg24` or `slice_seg4`; the colour table beside the subject
  folders declares the label values and names. Its indices, sorted, become
  labels 0..K-1 (the identity for the published tables, whose indices are
  already 0..24 / 0..4); index 0 is added as "background" if the table
  lacks it. A value not in the table is an error naming the file;
* resizing: none by default (`target_size` resizes images bilinearly and
  labels by nearest neighbour);
* subjects: one slice per subject folder; the subject id is the folder
  name without the `OASIS_` prefix and session suffix (`OAS1_0001`).

Reference:
    Marcus et al. Open Access Series of Imaging Studies (OASIS), J Cogn
    Neurosci 2007; Hoopes, Dalca et al., the neurite-oasis release (2021).
"""

import re
from pathlib import Path
from typing import Sequence

from sshn_keras.data.assemble import assemble, check_pair
from sshn_keras.data.base import Sample, SegmentationData
from sshn_keras.data.colour_table import read_colour_table
from sshn_keras.data.paths import resolve_root
from sshn_keras.data.preprocess import check_size, encode_labels, normalize_intensity, resize_image, resize_labels
from sshn_keras.data.readers import read_nifti_2d
from sshn_keras.data.splits import PAPER_FRACTIONS, select_split

OASIS_SEGMENTATIONS = ("seg24", "seg4")
OASIS_IMAGES = ("norm", "orig")
SUBJECT_FOLDER = re.compile(r"^OASIS_(OAS\d+_\d+)(_MR\d+)?$")


def oasis_label_names(root: Path, labels: str = "seg24") -> tuple:
    """`(label_names, values)` from `<root>/<labels>_labels.txt` (see the module docstring)."""
    table = read_colour_table(Path(root) / f"{labels}_labels.txt")
    table.setdefault(0, "background")
    values = sorted(table)
    return [table[v] for v in values], values


def list_oasis_samples(root: Path, labels: str = "seg24", image: str = "norm") -> list:
    """List the subject folders of an extracted neurite-oasis 2D release.

    Raises:
        ValueError: if `root` holds no `OASIS_*` subject folder.
        FileNotFoundError: if a subject folder lacks the image or label file.
    """
    root = Path(root)
    folders = sorted(p for p in root.iterdir() if p.is_dir() and SUBJECT_FOLDER.match(p.name))
    if not folders:
        nested = [p for p in root.iterdir() if p.is_dir() and any(SUBJECT_FOLDER.match(q.name) for q in p.iterdir())]
        hint = f" Did you mean root={nested[0]}?" if nested else ""
        raise ValueError(
            f"No OASIS_OAS1_XXXX_MR1 subject folders in {root}.{hint} "
            "Get the data with: python data_scripts/download_oasis.py"
        )
    samples = []
    for folder in folders:
        image_file, label_file = folder / f"slice_{image}.nii.gz", folder / f"slice_{labels}.nii.gz"
        for path in (image_file, label_file):
            if not path.is_file():
                raise FileNotFoundError(f"OASIS subject folder {folder} lacks {path.name} (expected {path}).")
        subject = SUBJECT_FOLDER.match(folder.name).group(1)
        samples.append(Sample(subject=subject, image=image_file, label=label_file, name=folder.name))
    return samples


def load_oasis(
    root=None,
    split: str | None = None,
    seed: int = 0,
    fractions: Sequence[float] = PAPER_FRACTIONS,
    labels: str = "seg24",
    image: str = "norm",
    target_size: tuple | None = None,
    progress: bool = True,
) -> SegmentationData:
    """Load 2D neurite-oasis slices (see the module docstring for the preprocessing).

    Args:
        root: the extracted release (subject folders and label tables at
            its top level); None looks in `$SSHN_OASIS_DIR`, then
            `../shared/data/oasis`.
        split: `"train"`, `"val"`, `"test"` or None for all subjects.
        seed: seed of the split.
        fractions: `(train, val, test)` fractions (default the paper's).
        labels: `"seg24"` (24 structures + background) or `"seg4"`.
        image: `"norm"` (normalised) or `"orig"` (raw) intensities.
        target_size: `(height, width)` to resize to, or None (160x192).
        progress: show a progress bar.

    Returns:
        `SegmentationData`: images `(N, 160, 192, 1)` float32 in [0, 1],
        labels `(N, 160, 192)` int32, label names from the colour table.

    Raises:
        FileNotFoundError: for a missing folder (named, with the download
            script), colour table or subject file.
        ValueError: for bad arguments, an unreadable file (named), an
            image/label shape mismatch, label values not in the colour
            table, or an empty split.

    Example:
    >>> data = load_oasis("data/oasis", split="train", labels="seg4")   # doctest: +SKIP
    >>> data.num_classes                                                # doctest: +SKIP
    5
    """
    if labels not in OASIS_SEGMENTATIONS:
        raise ValueError(f"`labels` must be one of {OASIS_SEGMENTATIONS}. Received labels={labels!r}")
    if image not in OASIS_IMAGES:
        raise ValueError(f"`image` must be one of {OASIS_IMAGES}. Received image={image!r}")
    size = check_size(target_size)
    root = resolve_root(root, "oasis")
    samples = list_oasis_samples(root, labels, image)
    label_names, values = oasis_label_names(root, labels)
    samples = select_split(samples, split, fractions, seed, dataset="OASIS")

    def decode(sample: Sample):
        pixels = read_nifti_2d(sample.image)
        segmentation = read_nifti_2d(sample.label)
        check_pair(pixels, segmentation, sample)
        pixels = normalize_intensity(pixels, "unit" if image == "norm" else "minmax", sample.image)[..., None]
        label_map, _ = encode_labels(segmentation, values, sample.label, stray="error")
        if size is not None:
            pixels, label_map = resize_image(pixels, size), resize_labels(label_map, size)
        return pixels, label_map, 0

    return assemble(samples, decode, label_names, split, "OASIS", progress)
