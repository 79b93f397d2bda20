"""A generic loader for a folder of images and masks (users' own data).

Layout::

    <root>/<images>/case01.png     any of .png .bmp .jpg .jpeg .tif .tiff .nii .nii.gz
    <root>/<masks>/case01.png      same stem (plus `mask_suffix`), any supported extension

NIfTI files may hold 2D slices or 3D volumes (`(H, W, D)`, trailing
singleton axes dropped); a folder of volumes loads as `(N, H, W, D, 1)`
images with `(N, H, W, D)` label maps (no resizing: `target_size` is for 2D).

Every image needs its mask and every mask its image (no sample is silently
left out). Mask pixel values are declared: either `label_names` alone (the
masks hold labels 0..K-1) or `label_values` (the pixel value of each label,
in label order, e.g. `(0, 128, 255)`); any other value is an error, or, with
`stray="nearest"`, goes to the nearest declared value and is counted.
"""

import re
from pathlib import Path
from typing import Sequence

import numpy as np

from sshn_keras.data.assemble import assemble, check_pair
from sshn_keras.data.base import Sample, SegmentationData
from sshn_keras.data.preprocess import (
    INTENSITY_METHODS,
    STRAY_POLICIES,
    check_size,
    encode_labels,
    normalize_intensity,
    resize_image,
    resize_labels,
)
from sshn_keras.data.readers import read_image, read_mask, read_nifti
from sshn_keras.data.splits import PAPER_FRACTIONS, select_split

IMAGE_SUFFIXES = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".nii", ".nii.gz")


def file_stem(path: Path) -> str | None:
    """The name without a supported image suffix, or None for other files."""
    name = path.name
    for suffix in IMAGE_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def index_folder(folder: Path) -> dict:
    """`{stem: path}` of the image files in `folder`.

    Raises:
        FileNotFoundError: if `folder` is missing.
        ValueError: if two files share a stem (`a.png` and `a.bmp`).
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"Folder not found: {folder}")
    files = {}
    for path in sorted(folder.iterdir()):
        stem = file_stem(path) if path.is_file() else None
        if stem is None:
            continue
        if stem in files:
            raise ValueError(f"Two files with the stem {stem!r} in {folder}: {files[stem].name} and {path.name}")
        files[stem] = path
    return files


def pair_files(image_dir: Path, mask_dir: Path, mask_suffix: str = "") -> list:
    """`[(stem, image path, mask path)]` sorted by stem; every image needs its mask and vice versa.

    Raises:
        FileNotFoundError: for a missing folder.
        ValueError: for unpaired files (listed) or an empty folder.
    """
    images, masks = index_folder(image_dir), index_folder(mask_dir)
    if mask_suffix:
        masks = {k[: -len(mask_suffix)]: v for k, v in masks.items() if k.endswith(mask_suffix)}
    lonely_images, lonely_masks = sorted(set(images) - set(masks)), sorted(set(masks) - set(images))
    if lonely_images or lonely_masks:
        raise ValueError(
            f"Unpaired files: images without a mask in {mask_dir}: {lonely_images[:10]}; "
            f"masks without an image in {image_dir}: {lonely_masks[:10]}"
        )
    if not images:
        raise ValueError(f"No image files ({', '.join(IMAGE_SUFFIXES)}) in {image_dir}")
    return [(stem, images[stem], masks[stem]) for stem in sorted(images)]


def is_nifti(path: Path) -> bool:
    """Whether `path` is a NIfTI file (`.nii` / `.nii.gz`)."""
    return path.name.lower().endswith((".nii", ".nii.gz"))


def read_any(path: Path, channels: int | None) -> np.ndarray:
    """Read an image file (NIfTI or Pillow) as `(H, W, C)`, or a 3D NIfTI volume as `(H, W, D, 1)`.

    `channels`: 1 (colour files reduced to luma), 3 (grey repeated, RGBA
    dropped to RGB) or None (as stored: grey stays 1, colour becomes 3).
    """
    if is_nifti(path):
        array = read_nifti(path)
        if array.ndim == 3:
            if channels == 3:
                raise ValueError(f"{path} is a 3D volume; `channels=3` applies to 2D colour images only.")
            return array[..., None]
    else:
        array = read_image(path)
        if array.ndim == 3:
            if channels == 1 or (channels is None and array.shape[-1] == 2):
                array = read_image(path, "L")
            elif array.shape[-1] != 3:
                array = read_image(path, "RGB")
    if array.ndim == 2:
        array = array[..., None]
    if channels == 3 and array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    return array


def resolve_labels(label_names, label_values) -> tuple:
    """`(names, values)` from the declared label names and/or pixel values.

    Raises:
        ValueError: if neither is given, their lengths differ, fewer than two
            labels, or repeated values.
    """
    if label_names is None and label_values is None:
        raise ValueError(
            "Declare the labels: pass `label_names` (masks hold 0..K-1) and/or `label_values` "
            "(the mask pixel value of each label, in label order, e.g. (0, 255))."
        )
    values = list(range(len(label_names))) if label_values is None else [int(v) for v in label_values]
    names = (
        [("background" if v == 0 else f"label_{v}") for v in values] if label_names is None else [str(n) for n in label_names]
    )
    if len(names) != len(values) or len(values) < 2 or len(set(values)) != len(values):
        raise ValueError(
            "`label_names` and `label_values` must describe at least 2 labels, one distinct value per name. "
            f"Received label_names={label_names!r}, label_values={label_values!r}"
        )
    return names, values


def load_folder(
    root,
    images: str = "images",
    masks: str = "masks",
    label_names: Sequence[str] | None = None,
    label_values: Sequence[int] | None = None,
    split: str | None = None,
    seed: int = 0,
    fractions: Sequence[float] = PAPER_FRACTIONS,
    target_size: tuple | None = None,
    channels: int | None = None,
    intensity: str = "uint8",
    mask_suffix: str = "",
    subject_pattern: str | None = None,
    stray: str = "error",
    progress: bool = True,
) -> SegmentationData:
    """Load a folder of images and masks paired by file stem.

    Args:
        root: the dataset folder.
        images: subfolder of the images.
        masks: subfolder of the masks.
        label_names: names of labels 0..K-1 (background first).
        label_values: mask pixel value of each label, in label order
            (default `0..K-1`).
        split: `"train"`, `"val"`, `"test"` or None for everything.
        seed: seed of the split.
        fractions: `(train, val, test)` fractions (default the paper's).
        target_size: `(height, width)` to resize to (images bilinear, masks
            nearest), or None to keep the size (then all must agree).
        channels: 1 (grey, luma of colour files), 3 (RGB, grey repeated),
            or None for the channels of the first image.
        intensity: `"uint8"` (divide by 255), `"minmax"` (per image) or
            `"unit"` (already in [0, 1]).
        mask_suffix: the mask stem is the image stem plus this (e.g. `"_mask"`).
        subject_pattern: regular expression searched in the image stem whose
            first group (or whole match) is the subject id, so that several
            images of one subject share a split (e.g. `r"^(p\\d+)_"`);
            None: each image is its own subject.
        stray: undeclared mask values: `"error"` or `"nearest"` (remapped
            and counted in `remapped_pixels`).
        progress: show a progress bar.

    Returns:
        `SegmentationData` (images `(N, H, W, C)` float32 in [0, 1], labels
        `(N, H, W)` int32; for NIfTI volumes `(N, H, W, D, 1)` and
        `(N, H, W, D)`).

    Raises:
        FileNotFoundError: for a missing folder (named).
        ValueError: for undeclared labels, bad arguments, unpaired or
            unreadable files (named), image/mask shape mismatches, a stem
            not matching `subject_pattern`, or an empty split.

    Example:
    >>> data = load_folder("my_data", label_values=(0, 255), label_names=("background", "cell"),
    ...                    target_size=(128, 128), split="train")   # doctest: +SKIP
    """
    names, values = resolve_labels(label_names, label_values)
    size = check_size(target_size)
    if channels not in (None, 1, 3):
        raise ValueError(f"`channels` must be None, 1 or 3. Received channels={channels!r}")
    if intensity not in INTENSITY_METHODS:
        raise ValueError(f"`intensity` must be one of {INTENSITY_METHODS}. Received intensity={intensity!r}")
    if stray not in STRAY_POLICIES:
        raise ValueError(f"`stray` must be one of {STRAY_POLICIES}. Received stray={stray!r}")
    pattern = re.compile(subject_pattern) if subject_pattern is not None else None
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"Data folder not found: {root}")
    samples = []
    for stem, image_file, mask_file in pair_files(root / images, root / masks, mask_suffix):
        subject = stem
        if pattern is not None:
            match = pattern.search(stem)
            if match is None:
                raise ValueError(f"Image {image_file}: its stem {stem!r} does not match subject_pattern={subject_pattern!r}")
            subject = match.group(1) if pattern.groups else match.group(0)
        samples.append(Sample(subject=subject, image=image_file, label=mask_file, name=stem))
    samples = select_split(samples, split, fractions, seed, dataset=str(root))
    if channels is None:
        channels = 1 if read_any(samples[0].image, None).shape[-1] == 1 else 3

    def decode(sample: Sample):
        image = read_any(sample.image, channels)
        mask = read_nifti(sample.label) if is_nifti(sample.label) else read_mask(sample.label)
        check_pair(image, mask, sample)
        if image.ndim == 4 and size is not None:
            raise ValueError(f"`target_size` resizes 2D images; {sample.image} is a 3D volume {image.shape[:3]}. "
                             "Resample volumes to one size beforehand, or pass target_size=None.")
        image = normalize_intensity(image, intensity, sample.image)
        labels, remapped = encode_labels(mask, values, sample.label, stray=stray)
        if size is not None:
            image, labels = resize_image(image, size), resize_labels(labels, size)
        return image, labels, remapped

    return assemble(samples, decode, names, split, root.name or str(root), progress)
