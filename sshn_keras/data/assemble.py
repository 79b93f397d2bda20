"""Decode a list of samples into one `SegmentationData`, checking every one.

Nothing is dropped: a sample that cannot be read, whose image and label
shapes differ, or whose labels leave the declared set raises an error that
names its files. The number of samples loaded (and of label pixels
remapped) is logged on the `sshn_keras.data` logger and kept in the result.
A remapping is a warning the first time a process meets it; loading the same
files again (another split size, a second run) logs it at INFO level.
"""

import logging
from typing import Callable, Sequence

import numpy as np

from sshn_keras.data.base import Sample, SegmentationData
from sshn_keras.progress import progress_bar

logger = logging.getLogger("sshn_keras.data")
_reported_remaps: set = set()  # remap messages already logged as warnings in this process


def sample_files(sample: Sample) -> tuple:
    """`(image file, label file, ...)` of a sample, as strings."""
    labels = sample.label if isinstance(sample.label, tuple) else (sample.label,)
    return (str(sample.image), *(str(p) for p in labels))


def check_pair(image: np.ndarray, labels: np.ndarray, sample: Sample, label_file=None) -> None:
    """Raise `ValueError` unless image and label map have the same spatial shape (height, width[, depth]).

    Call it on the arrays as read, before any resizing; `label_file` (default
    `sample.label`) is the file named in the message.
    """
    spatial = 3 if image.ndim == 4 and labels.ndim == 3 else 2  # a volume (H, W, D, C) with labels (H, W, D)
    if image.shape[:spatial] != labels.shape[:spatial]:
        label_file = sample.label if label_file is None else label_file
        raise ValueError(
            f"Image/label shape mismatch for sample {sample.name!r}: image {sample.image} has shape "
            f"{image.shape} but label {label_file} has shape {labels.shape}."
        )


def assemble(
    samples: Sequence[Sample],
    decode: Callable,
    label_names: Sequence[str],
    split: str | None,
    dataset: str,
    progress: bool = True,
) -> SegmentationData:
    """Decode `samples` with `decode` and stack them.

    Args:
        samples: the samples to load (already restricted to the split).
        decode: `decode(sample) -> (image (H, W, C) float32, labels (H, W)
            int32, remapped_pixels int)`; it raises on unreadable files.
        label_names: names of labels `0..K-1`.
        split: recorded in the result.
        dataset: name used in messages and the progress bar.
        progress: show a tqdm progress bar.

    Returns:
        `SegmentationData` with one entry per sample, in the given order.

    Raises:
        ValueError: for no samples, samples of different sizes (pass a
            target size), or labels outside `[0, len(label_names))`.
    """
    if not samples:
        raise ValueError(f"No samples to load for {dataset} (split {split!r}).")
    images, labels, remapped = [], [], {}
    for sample in progress_bar(samples, progress, desc=f"Loading {dataset}", unit="sample"):
        image, label, count = decode(sample)
        if images and image.shape != images[0].shape:
            raise ValueError(
                f"{dataset}: sample {sample.name!r} ({sample.image}) has shape {image.shape} after preprocessing but "
                f"{samples[0].name!r} has {images[0].shape}; pass a `target_size` to resize all to one size."
            )
        bad = (label < 0) | (label >= len(label_names))
        if np.any(bad):
            raise ValueError(
                f"{sample_files(sample)[1:]}: {int(bad.sum())} label pixels outside [0, {len(label_names) - 1}] "
                f"(declared labels {list(label_names)})."
            )
        if count:
            remapped[sample.name] = int(count)
        images.append(image.astype(np.float32, copy=False))
        labels.append(label.astype(np.int32, copy=False))
    data = SegmentationData(
        images=np.stack(images),
        labels=np.stack(labels),
        label_names=list(label_names),
        subjects=[s.subject for s in samples],
        names=[s.name for s in samples],
        files=[sample_files(s) for s in samples],
        split=split,
        remapped_pixels=remapped,
    )
    if remapped:
        report_remapped(dataset, data)
    logger.info("%s: loaded %s", dataset, data.summary())
    return data


def report_remapped(dataset: str, data: SegmentationData) -> None:
    """Log `data`'s remapped label pixels: a warning the first time, INFO when the same files come again."""
    message = "%s: %d label pixels with undeclared values remapped in %d file(s): %s" % (
        dataset,
        data.num_remapped_pixels,
        len(data.remapped_pixels),
        ", ".join(f"{k} ({v} px)" for k, v in data.remapped_pixels.items()),
    )
    if message in _reported_remaps:
        logger.info("%s (reported before)", message)
    else:
        _reported_remaps.add(message)
        logger.warning(message)
