"""What every dataset loader returns: `SegmentationData`, plus the `Sample` it is built from.

A loader first lists its samples (`Sample`: a subject id and the files of
one image / label pair), selects the subjects of the requested split, then
decodes only those files. `SegmentationData` keeps the arrays together with
what a user needs to trust them: label names, subject ids, source files, and
how many label pixels were remapped (never silently).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Sample:
    """One image / label pair of a dataset, before decoding.

    Args:
        subject: the id the split is made by (a patient, a subject, an image).
        image: path of the image file.
        label: path of the label (mask / segmentation) file, or a tuple of
            paths where a loader builds one label map from several masks.
        name: a short unique name of the sample (defaults to the image stem).
    """

    subject: str
    image: Path
    label: Path | tuple
    name: str = ""

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", Path(self.image).name)


@dataclass
class SegmentationData:
    """Decoded images and integer label maps of one dataset (or one split of it).

    Args:
        images: `(N, H, W, C)` (or volumes `(N, H, W, D, C)`) float32,
            channels last, intensities in [0, 1].
        labels: `(N, H, W)` (or `(N, H, W, D)`) int32, values in
            `[0, len(label_names))`.
        label_names: `label_names[k]` names label `k` (background first).
        subjects: subject id of each sample (length N).
        names: unique name of each sample (length N).
        files: `(image file, label file)` of each sample (length N).
        split: `"train"`, `"val"`, `"test"`, or None for the whole dataset.
        remapped_pixels: `{sample name: pixels}` whose label value was not
            one of the declared values and was remapped (see the loader).

    Example:
    >>> data = SegmentationData(np.zeros((2, 8, 8, 1), "float32"), np.zeros((2, 8, 8), "int32"),
    ...                         ["background", "cell"], ["a", "b"])
    >>> data.num_samples, data.num_classes, data.image_shape
    (2, 2, (8, 8, 1))
    """

    images: np.ndarray
    labels: np.ndarray
    label_names: list
    subjects: list
    names: list = field(default_factory=list)
    files: list = field(default_factory=list)
    split: str | None = None
    remapped_pixels: dict = field(default_factory=dict)

    def __post_init__(self):
        self.label_names = list(self.label_names)
        self.subjects = [str(s) for s in self.subjects]
        if not self.names:
            self.names = [f"sample{i}" for i in range(len(self.subjects))]
        if self.images.ndim not in (4, 5):
            raise ValueError(
                f"`images` must have shape (N, H, W, C) (2D) or (N, H, W, D, C) (3D). Received shape {self.images.shape}"
            )
        if self.labels.shape != self.images.shape[:-1]:
            raise ValueError(
                f"`labels` must have shape {self.images.shape[:-1]} (N, *spatial) to match images of shape "
                f"{self.images.shape}. Received shape {self.labels.shape}"
            )
        n = self.images.shape[0]
        for what, values in (("subjects", self.subjects), ("names", self.names)):
            if len(values) != n:
                raise ValueError(f"`{what}` must have one entry per sample ({n}). Received {len(values)}")
        if self.files and len(self.files) != n:
            raise ValueError(f"`files` must have one entry per sample ({n}). Received {len(self.files)}")

    @property
    def num_samples(self) -> int:
        """Number of samples N."""
        return int(self.images.shape[0])

    @property
    def num_classes(self) -> int:
        """Number of labels, background included."""
        return len(self.label_names)

    @property
    def num_subjects(self) -> int:
        """Number of distinct subjects."""
        return len(set(self.subjects))

    @property
    def image_shape(self) -> tuple:
        """`(H, W, C)` (or `(H, W, D, C)`) of one image."""
        return tuple(int(s) for s in self.images.shape[1:])

    @property
    def num_remapped_pixels(self) -> int:
        """Total label pixels remapped from undeclared values."""
        return int(sum(self.remapped_pixels.values()))

    def summary(self) -> str:
        """One line: samples, subjects, shapes, classes and remapped pixels."""
        split = "all" if self.split is None else self.split
        text = (
            f"{self.num_samples} samples from {self.num_subjects} subjects (split: {split}), "
            f"images {self.image_shape}, {self.num_classes} classes {self.label_names}"
        )
        if self.remapped_pixels:
            text += (
                f"; {self.num_remapped_pixels} label pixels with undeclared values remapped "
                f"in {len(self.remapped_pixels)} file(s)"
            )
        return text
