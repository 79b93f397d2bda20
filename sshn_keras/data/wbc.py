"""The WBC (white blood cell) dataset of Zheng et al. (2018), in its published layout.

Layout (the public repository zxaoyou/segmentation_WBC, as downloaded by
`data_scripts/download_wbc.py`)::

    <root>/Dataset 1/001.bmp ... 300.bmp   RGB images, up to 120x120
    <root>/Dataset 1/001.png ... 300.png   masks
    <root>/Dataset 2/001.bmp ... 100.bmp   300x300 RGB images
    <root>/Dataset 2/001.png ... 100.png   masks

Preprocessing:

* images: RGB (or grey with `grayscale=True`, Pillow's ITU-R 601 luma),
  divided by 255 to [0, 1] float32, resized bilinearly to `target_size`
  (default 128x128: Dataset 1 is upsampled, Dataset 2 downsampled). Not all
  of Dataset 1 is 120x120: 76 of its images (e.g. 072, 106, 258) are
  smaller, 88 to 120 pixels per side and not always square; each image is
  resized to `target_size` as it is (no padding or cropping), so those few
  are stretched by at most 25% along one axis;
* masks: 0 -> 0 background (red blood cells included), 128 -> 1 cytoplasm,
  255 -> 2 nucleus, resized by nearest neighbour. Five masks of Dataset 2
  (034, 035, 047, 050, 076) hold about 300 pixels in all of stray grey values
  (2 to 50, from anti-aliased drawing); each stray pixel takes the label of
  the nearest of {0, 128, 255} (all of them become background), and the
  count per file is logged as a warning and kept in
  `SegmentationData.remapped_pixels`;
* subjects: the data has no patient ids; each image is its own subject
  (`"Dataset 1/001"`), and the split is random over all images of the
  chosen subsets.

Reference:
    Zheng, Wang, Wang, Liu. Fast and robust segmentation of white blood cell
    images by self-supervised learning. Micron 107:55-71 (2018).
"""

from pathlib import Path
from typing import Sequence

from sshn_keras.data.assemble import assemble, check_pair
from sshn_keras.data.base import Sample, SegmentationData
from sshn_keras.data.paths import resolve_root
from sshn_keras.data.preprocess import check_size, encode_labels, normalize_intensity, resize_image, resize_labels
from sshn_keras.data.readers import read_image, read_mask
from sshn_keras.data.splits import PAPER_FRACTIONS, select_split

WBC_LABEL_NAMES = ("background", "cytoplasm", "nucleus")
WBC_MASK_VALUES = (0, 128, 255)
WBC_SUBSETS = ("Dataset 1", "Dataset 2")


def list_wbc_samples(root: Path, subsets: Sequence[str] = WBC_SUBSETS) -> list:
    """List the image / mask pairs of the chosen WBC subsets.

    Raises:
        ValueError: for an unknown subset name, or an image without its mask
            (or a mask without its image).
        FileNotFoundError: for a missing subset folder.
    """
    subsets = (subsets,) if isinstance(subsets, str) else tuple(subsets)
    if not subsets or any(s not in WBC_SUBSETS for s in subsets):
        raise ValueError(f"`subsets` must be a non-empty selection of {WBC_SUBSETS}. Received subsets={subsets!r}")
    for subset in subsets:
        folder = Path(root) / subset
        if not folder.is_dir():
            raise FileNotFoundError(
                f"WBC folder {folder} not found (expected '{subset}/NNN.bmp' + '{subset}/NNN.png' under {root}). "
                "Get the data with: python data_scripts/download_wbc.py"
            )
    samples = []
    for subset in subsets:
        folder = Path(root) / subset
        images = {p.stem: p for p in folder.iterdir() if p.suffix.lower() == ".bmp"}
        masks = {p.stem: p for p in folder.iterdir() if p.suffix.lower() == ".png"}
        unpaired = sorted(set(images) ^ set(masks))
        if unpaired:
            raise ValueError(
                f"{folder}: every NNN.bmp image needs an NNN.png mask and vice versa; unpaired: {unpaired[:10]}"
            )
        if not images:
            raise ValueError(f"{folder} holds no NNN.bmp / NNN.png pairs.")
        for stem in sorted(images):
            name = f"{subset}/{stem}"
            samples.append(Sample(subject=name, image=images[stem], label=masks[stem], name=name))
    return samples


def load_wbc(
    root=None,
    split: str | None = None,
    seed: int = 0,
    fractions: Sequence[float] = PAPER_FRACTIONS,
    target_size: tuple | None = (128, 128),
    grayscale: bool = False,
    subsets: Sequence[str] = WBC_SUBSETS,
    progress: bool = True,
) -> SegmentationData:
    """Load the WBC dataset (see the module docstring for the preprocessing).

    Args:
        root: the folder holding `Dataset 1/` and `Dataset 2/`; None looks in
            `$SSHN_WBC_DIR`, then `../shared/data/wbc` (see `paths`).
        split: `"train"`, `"val"`, `"test"` or None for all images.
        seed: seed of the split.
        fractions: `(train, val, test)` fractions (default the paper's).
        target_size: `(height, width)` every sample is resized to; None keeps
            the native size (then only one subset can be loaded at a time).
        grayscale: one grey channel instead of RGB.
        subsets: which of `"Dataset 1"`, `"Dataset 2"` to load.
        progress: show a progress bar.

    Returns:
        `SegmentationData`: images `(N, H, W, 3 or 1)` float32 in [0, 1],
        labels `(N, H, W)` int32 in {0, 1, 2}.

    Raises:
        FileNotFoundError: if the folder is missing (the message names it
            and the download script).
        ValueError: for a damaged file (named), an image/mask size mismatch,
            unpaired files, or an empty split.

    Example:
    >>> data = load_wbc(split="train", seed=0)                # doctest: +SKIP
    >>> data.images.shape, data.label_names                   # doctest: +SKIP
    ((256, 128, 128, 3), ['background', 'cytoplasm', 'nucleus'])
    """
    size = check_size(target_size)
    root = resolve_root(root, "wbc")
    samples = select_split(list_wbc_samples(root, subsets), split, fractions, seed, dataset="WBC")

    def decode(sample: Sample):
        image = read_image(sample.image, "L" if grayscale else "RGB")
        mask = read_mask(sample.label)
        check_pair(image, mask, sample)
        image = normalize_intensity(image, "uint8", sample.image)
        if image.ndim == 2:
            image = image[..., None]
        labels, remapped = encode_labels(mask, WBC_MASK_VALUES, sample.label, stray="nearest")
        if size is not None:
            image, labels = resize_image(image, size), resize_labels(labels, size)
        return image, labels, remapped

    return assemble(samples, decode, WBC_LABEL_NAMES, split, "WBC", progress)
