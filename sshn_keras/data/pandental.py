"""PanDental: panoramic dental X-rays with mandible and teeth masks (Abdi et al. 2015).

Supported layout (the `DentalPanoramicXrays` folder of the Mendeley Data
release "Panoramic Dental X-rays With Segmented Mandibles", doi
10.17632/hxt48yk462, 116 images)::

    <root>/Images/1.png ... 116.png          panoramic X-rays (~2900x1250, grey, some stored as RGB)
    <root>/Segmentation1/1.png ...           mandible masks
    <root>/Segmentation2/1.png ...           teeth masks

Assumed, not verified here (no copy of the data was available when this
loader was written): the folder names `Images`, `Segmentation1`,
`Segmentation2` and stems shared by image and masks come from public code
reading that release; that `Segmentation1` holds the mandible and
`Segmentation2` the teeth is an assumption (some descriptions of the release
call both folders mandible segmentations). Check a few masks of your copy,
and pass `structures` to say which folder holds what, e.g.
`structures={"mandible": "Segmentation1"}` for mandible only, or
`{"mandible": "Segmentation/maxillomandibular", "teeth": "Segmentation/teeth_mask"}`
for a nested layout. Mask files may be PNG, BMP, JPEG or TIFF.

Preprocessing:

* images: grey (colour files reduced to luma), divided by 255 to [0, 1],
  resized bilinearly to `target_size` (default 256x512, about the X-rays'
  aspect ratio);
* masks: grey; 0 is background and 255 the structure; any other value
  (JPEG or anti-aliasing noise) goes to the nearest of 0 / 255 and is
  counted in `remapped_pixels` and logged; label `k` (1-based) is the `k`-th
  entry of `structures`, later structures painted over earlier ones (teeth
  over mandible); resized by nearest neighbour;
* subjects: one X-ray per patient; the subject is the file stem.

Reference:
    Abdi, Kasaei, Mehdizadeh. Automatic segmentation of mandible in
    panoramic x-ray. J Med Imaging 2(4):044003 (2015).
"""

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from sshn_keras.data.assemble import assemble, check_pair
from sshn_keras.data.base import Sample, SegmentationData
from sshn_keras.data.folder import index_folder, read_any
from sshn_keras.data.paths import resolve_root
from sshn_keras.data.preprocess import check_size, encode_labels, normalize_intensity, resize_image, resize_labels
from sshn_keras.data.readers import read_mask
from sshn_keras.data.splits import PAPER_FRACTIONS, select_split

PANDENTAL_STRUCTURES = {"mandible": "Segmentation1", "teeth": "Segmentation2"}
PANDENTAL_IMAGES = "Images"


def list_pandental_samples(root: Path, structures: Mapping[str, str] = PANDENTAL_STRUCTURES) -> list:
    """List each X-ray with one mask per structure (`Sample.label` is a tuple, in `structures` order).

    Raises:
        FileNotFoundError: for a missing `Images/` or structure folder, or a
            missing mask of some image (named).
        ValueError: for an empty `Images/` folder or masks without an image.
    """
    root = Path(root)
    images = index_folder(root / PANDENTAL_IMAGES)
    if not images:
        raise ValueError(f"No images in {root / PANDENTAL_IMAGES}.")
    masks = {name: index_folder(root / folder) for name, folder in structures.items()}
    samples = []
    for name, files in masks.items():
        extra = sorted(set(files) - set(images))
        if extra:
            raise ValueError(f"Masks without an image in {root / structures[name]}: {extra[:10]}")
    for stem in sorted(images, key=lambda s: (len(s), s)):
        labels = []
        for name, files in masks.items():
            if stem not in files:
                raise FileNotFoundError(
                    f"Image {images[stem]} has no {name} mask in {root / structures[name]} (expected {stem}.png)."
                )
            labels.append(files[stem])
        samples.append(Sample(subject=stem, image=images[stem], label=tuple(labels), name=stem))
    return samples


def load_pandental(
    root=None,
    split: str | None = None,
    seed: int = 0,
    fractions: Sequence[float] = PAPER_FRACTIONS,
    target_size: tuple | None = (256, 512),
    structures: Mapping[str, str] = PANDENTAL_STRUCTURES,
    progress: bool = True,
) -> SegmentationData:
    """Load PanDental X-rays with a label map built from the structure masks (see the module docstring).

    Args:
        root: the folder holding `Images/` and the mask folders; None looks
            in `$SSHN_PANDENTAL_DIR`, then `../shared/data/pandental`.
        split: `"train"`, `"val"`, `"test"` or None for all images.
        seed: seed of the split.
        fractions: `(train, val, test)` fractions (default the paper's).
        target_size: `(height, width)` to resize to; None keeps the native
            size (then all images must share it).
        structures: ordered `{label name: mask folder under root}`; label
            `k` is the `k`-th structure (background is 0).
        progress: show a progress bar.

    Returns:
        `SegmentationData`: images `(N, H, W, 1)` float32 in [0, 1], labels
        `(N, H, W)` int32 in `0..len(structures)`, label names
        `["background", *structures]`.

    Raises:
        FileNotFoundError: for a missing folder or mask (named).
        ValueError: for bad `structures`, an unreadable file (named), an
            image/mask shape mismatch, or an empty split.

    Example:
    >>> data = load_pandental("DentalPanoramicXrays", split="train")   # doctest: +SKIP
    >>> data.label_names                                               # doctest: +SKIP
    ['background', 'mandible', 'teeth']
    """
    if not isinstance(structures, Mapping) or not structures or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in structures.items()
    ):
        raise ValueError(
            "`structures` must be a non-empty mapping {label name: mask folder}, e.g. "
            f"{PANDENTAL_STRUCTURES}. Received structures={structures!r}"
        )
    size = check_size(target_size)
    root = resolve_root(root, "pandental")
    samples = select_split(list_pandental_samples(root, structures), split, fractions, seed, dataset="PanDental")
    label_names = ["background", *structures]

    def decode(sample: Sample):
        image = read_any(sample.image, 1)
        labels = np.zeros(image.shape[:2], np.int32)
        remapped = 0
        for k, mask_file in enumerate(sample.label, start=1):
            mask = read_mask(mask_file)
            check_pair(image, mask, sample, mask_file)
            binary, count = encode_labels(mask, (0, 255), mask_file, stray="nearest")
            labels[binary == 1] = k
            remapped += count
        image = normalize_intensity(image, "uint8", sample.image)
        if size is not None:
            image, labels = resize_image(image, size), resize_labels(labels, size)
        return image, labels, remapped

    return assemble(samples, decode, label_names, split, "PanDental", progress)
