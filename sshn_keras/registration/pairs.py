"""Registration pairs with labels, for measuring registration accuracy (Dice before vs after).

Two kinds of pairs:

* `subject_pairs`: random ordered pairs of distinct subjects of a dataset
  (inter-subject registration, e.g. OASIS brains; `load_oasis_pairs`);
* `deformed_pairs`: each image against a copy of itself deformed by a known
  random smooth deformation (`make_registration_pairs`), so any labelled
  dataset (WBC, the synthetic scenes) becomes a registration benchmark.

Both return a `RegistrationPairs`: moving / fixed images and their integer
label maps. Registering moving to fixed and warping the moving labels with
the predicted displacement (nearest neighbour) should raise the label Dice
above `dice_before()` (the identity transform's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sshn_keras.ops.dice import mean_label_map_dice
from sshn_keras.registration.deformations import make_registration_pairs


@dataclass
class RegistrationPairs:
    """Moving / fixed images and their label maps; pair `i` registers `moving[i]` to `fixed[i]`.

    Args:
        moving, fixed: float32 images `(N, *spatial, C)`, channels last.
        moving_labels, fixed_labels: integer label maps `(N, *spatial)`.
        label_names: `label_names[k]` names label `k` (background first);
            None: `label_k`.
        description: where the pairs come from (kept in results).

    Raises:
        ValueError: for images that are not 2D / 3D batches, moving and fixed
            of different shapes, label maps that do not match the images or
            are not integer.

    Example:
    >>> images = np.zeros((2, 16, 16, 1), "float32")
    >>> labels = np.zeros((2, 16, 16), "int32")
    >>> RegistrationPairs(images, images, labels, labels).num_pairs
    2
    """

    moving: np.ndarray
    fixed: np.ndarray
    moving_labels: np.ndarray
    fixed_labels: np.ndarray
    label_names: list | None = None
    description: str = ""
    subjects: list = field(default_factory=list)

    def __post_init__(self):
        self.moving = np.asarray(self.moving, np.float32)
        self.fixed = np.asarray(self.fixed, np.float32)
        self.moving_labels = np.asarray(self.moving_labels)
        self.fixed_labels = np.asarray(self.fixed_labels)
        if self.moving.ndim not in (4, 5):
            raise ValueError(
                f"`moving` must be (N, *spatial, C) with 2 or 3 spatial axes, channels last. "
                f"Received shape {self.moving.shape}"
            )
        if self.moving.shape != self.fixed.shape:
            raise ValueError(
                f"`moving` and `fixed` must have the same shape. Received {self.moving.shape} and {self.fixed.shape}"
            )
        for name in ("moving_labels", "fixed_labels"):
            labels = getattr(self, name)
            if labels.ndim == self.moving.ndim and labels.shape[-1] == 1:
                labels = labels[..., 0]
                setattr(self, name, labels)
            if labels.shape != self.moving.shape[:-1]:
                raise ValueError(
                    f"`{name}` must be integer maps of shape {self.moving.shape[:-1]} (N, *spatial) to match the "
                    f"images {self.moving.shape}. Received shape {labels.shape}"
                )
            if not np.issubdtype(labels.dtype, np.integer):
                raise ValueError(f"`{name}` must be integer label maps. Received dtype {labels.dtype}")
        if self.label_names is None:
            top = int(max(self.moving_labels.max(), self.fixed_labels.max()))
            self.label_names = [f"label_{k}" for k in range(top + 1)]
        self.label_names = list(self.label_names)

    @property
    def num_pairs(self) -> int:
        """Number of pairs N."""
        return int(self.moving.shape[0])

    @property
    def image_shape(self) -> tuple:
        """`(*spatial, C)` of one image."""
        return tuple(int(n) for n in self.moving.shape[1:])

    @property
    def structures(self) -> np.ndarray:
        """The foreground label ids that Dice is computed over: `1 .. len(label_names) - 1`."""
        return np.arange(1, len(self.label_names))

    def dice_before(self) -> np.ndarray:
        """Per-pair mean Dice over structures of the unregistered pairs (identity transform), `(N,)`."""
        return mean_label_map_dice(self.fixed_labels, self.moving_labels, self.structures)

    def subset(self, index) -> "RegistrationPairs":
        """The pairs selected by `index` (slice or indices)."""
        subjects = list(np.asarray(self.subjects, dtype=object)[index]) if self.subjects else []
        return RegistrationPairs(
            self.moving[index], self.fixed[index], self.moving_labels[index], self.fixed_labels[index],
            self.label_names, self.description, subjects,
        )


def _images_labels(data) -> tuple:
    """`(images, labels, label_names, names)` from a dataset object or an `(images, labels)` pair."""
    if isinstance(data, (tuple, list)) and len(data) == 2:
        images, labels = data
        return np.asarray(images), np.asarray(labels), None, None
    if hasattr(data, "images") and hasattr(data, "labels"):
        return np.asarray(data.images), np.asarray(data.labels), getattr(data, "label_names", None), getattr(data, "names", None)
    raise TypeError(
        "`data` must be a dataset with `images` and `labels` (e.g. `load_oasis(...)`, `load_wbc(...)`) or an "
        f"(images, labels) pair. Received {type(data).__name__}"
    )


def subject_pairs(data, num_pairs: int = 100, seed: int = 0, description: str = "subject pairs") -> RegistrationPairs:
    """Random ordered pairs of distinct images of a dataset (inter-subject registration).

    Args:
        data: a dataset (`SegmentationData` from `load_oasis`, ...) or an
            `(images, labels)` pair; at least two images.
        num_pairs: number of pairs (drawn with replacement over pairs, never
            an image with itself).
        seed: seed of the draw.
        description: kept in the result.

    Returns:
        `RegistrationPairs` (subjects: `"moving->fixed"` names when the
        dataset has names).

    Raises:
        ValueError: for fewer than two images or a non-positive `num_pairs`.
    """
    images, labels, names, sample_names = _images_labels(data)
    n = images.shape[0]
    if n < 2:
        raise ValueError(f"Subject pairs need at least 2 images. Received {n}")
    if isinstance(num_pairs, bool) or not isinstance(num_pairs, (int, np.integer)) or num_pairs < 1:
        raise ValueError(f"`num_pairs` must be a positive int. Received num_pairs={num_pairs!r}")
    rng = np.random.default_rng(seed)
    moving = rng.integers(0, n, num_pairs)
    fixed = (moving + rng.integers(1, n, num_pairs)) % n  # never the same image
    subjects = [f"{sample_names[i]}->{sample_names[j]}" for i, j in zip(moving, fixed)] if sample_names else []
    return RegistrationPairs(
        images[moving], images[fixed], labels[moving], labels[fixed], names, description, subjects
    )


def deformed_pairs(
    data,
    max_displacement: float = 4.0,
    sigma: float = 6.0,
    diffeomorphic: bool = True,
    seed: int = 0,
    description: str = "random smooth deformations",
) -> RegistrationPairs:
    """Each image against a copy of itself under known random smooth deformations.

    `make_registration_pairs` deforms both sides (moving and fixed) of every
    image independently; labels are warped with nearest neighbour.

    Args:
        data: a dataset (`load_wbc(...)`, `make_synthetic_segmentation(...)`)
            or an `(images, labels)` pair.
        max_displacement, sigma, diffeomorphic: of the random deformations
            (see `random_displacement`), in voxels.
        seed: seed of the deformations.
        description: kept in the result.

    Returns:
        `RegistrationPairs`, one pair per image.
    """
    images, labels, names, sample_names = _images_labels(data)
    moving, fixed, moving_labels, fixed_labels = make_registration_pairs(
        images, labels, max_displacement=max_displacement, sigma=sigma, diffeomorphic=diffeomorphic, seed=seed
    )
    return RegistrationPairs(moving, fixed, moving_labels, fixed_labels, names, description, list(sample_names or []))


def load_oasis_pairs(
    root=None,
    split: str | None = "test",
    labels: str = "seg4",
    num_pairs: int = 100,
    seed: int = 0,
    split_seed: int = 0,
    **load_kwargs,
) -> RegistrationPairs:
    """Random inter-subject pairs of one split of the 2D neurite-oasis data (`load_oasis`).

    Train with `scan_to_scan(load_oasis(root, "train").images)`; evaluate on
    these pairs (subjects of the other split, so nothing seen in training).

    Args:
        root: the extracted release (see `load_oasis`).
        split: `"train"`, `"val"`, `"test"` or None.
        labels: `"seg4"` or `"seg24"`.
        num_pairs: number of pairs.
        seed: seed of the pair draw.
        split_seed: seed of the subject split (`load_oasis(seed=...)`).
        **load_kwargs: more `load_oasis` arguments (`target_size`, ...).

    Returns:
        `RegistrationPairs` with the colour table's label names.
    """
    from sshn_keras.data import load_oasis

    data = load_oasis(root, split=split, seed=split_seed, labels=labels, **load_kwargs)
    return subject_pairs(data, num_pairs, seed, description=f"OASIS {split or 'all'} subject pairs ({labels})")
