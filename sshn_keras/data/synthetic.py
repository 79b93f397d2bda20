"""The embedded default dataset: synthetic 2D scenes that need context to segment.

Each image holds a few textured objects on a smooth, noisy background:

* label 1, "disc": a disc filled with a striped texture (a cell body);
* label 2, "square": a rotated square of the *same* mean intensity, filled
  with a checkerboard texture: no single pixel tells discs and squares
  apart, only a neighbourhood (texture) or the object's outline (shape);
* label 3, "nucleus": a darker blob inside some discs.

Generation is deterministic for a given seed and needs no download.
"""

from dataclasses import dataclass

import numpy as np

LABEL_NAMES = ("background", "disc", "square", "nucleus")


@dataclass
class SyntheticSegmentation:
    """Images `(N, H, W, 1)` float32 in [0, 1], labels `(N, H, W)` int32."""

    images: np.ndarray
    labels: np.ndarray
    label_names: tuple = LABEL_NAMES

    @property
    def num_classes(self) -> int:
        return len(self.label_names)


def make_synthetic_segmentation(
    num_images: int = 256, size: int = 64, seed: int = 0, max_objects: int = 4
) -> SyntheticSegmentation:
    """Generate the synthetic segmentation dataset.

    Args:
        num_images: number of images (> 0).
        size: side of the square images in pixels (>= 16).
        seed: random seed; the same seed gives the same data.
        max_objects: most objects per image (each image has 1..max_objects).

    Returns:
        `SyntheticSegmentation` with images, labels and label names.

    Raises:
        ValueError: for a non-positive `num_images`, `size < 16` or
            `max_objects < 1`.

    Example:
    >>> data = make_synthetic_segmentation(8, size=32)
    >>> data.images.shape, data.labels.shape, data.num_classes
    ((8, 32, 32, 1), (8, 32, 32), 4)
    """
    if isinstance(num_images, bool) or not isinstance(num_images, int) or num_images < 1:
        raise ValueError(f"`num_images` must be a positive int. Received num_images={num_images!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 16:
        raise ValueError(f"`size` must be an int >= 16. Received size={size!r}")
    if isinstance(max_objects, bool) or not isinstance(max_objects, int) or max_objects < 1:
        raise ValueError(f"`max_objects` must be a positive int. Received max_objects={max_objects!r}")
    rng = np.random.default_rng(seed)
    images = np.empty((num_images, size, size, 1), np.float32)
    labels = np.empty((num_images, size, size), np.int32)
    for i in range(num_images):
        images[i, ..., 0], labels[i] = _scene(rng, size, max_objects)
    return SyntheticSegmentation(images, labels)


def _smooth_field(rng, size, cells=4):
    coarse = rng.normal(size=(cells, cells))
    idx = np.linspace(0, cells - 1, size)
    rows = np.array([np.interp(idx, np.arange(cells), c) for c in coarse])
    return np.array([np.interp(idx, np.arange(cells), r) for r in rows.T]).T


def _scene(rng, size, max_objects):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    image = 0.3 + 0.06 * _smooth_field(rng, size)
    label = np.zeros((size, size), np.int32)
    for _ in range(rng.integers(1, max_objects + 1)):
        kind = rng.integers(1, 3)
        radius = rng.uniform(0.09, 0.17) * size
        cy, cx = rng.uniform(radius, size - radius, size=2)
        if kind == 1:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
        else:
            angle = rng.uniform(0, np.pi / 2)
            u = (yy - cy) * np.cos(angle) + (xx - cx) * np.sin(angle)
            v = -(yy - cy) * np.sin(angle) + (xx - cx) * np.cos(angle)
            half = radius * 0.886  # same area as a disc of this radius
            mask = (np.abs(u) <= half) & (np.abs(v) <= half)
        freq = rng.uniform(0.6, 1.0)
        theta = rng.uniform(0, np.pi)
        along = freq * (yy * np.cos(theta) + xx * np.sin(theta))
        across = freq * (-yy * np.sin(theta) + xx * np.cos(theta))
        texture = 0.1 * (np.sin(along) if kind == 1 else np.sign(np.sin(along) * np.sin(across)))
        image = np.where(mask, 0.65 + texture, image)
        label[mask] = kind
        if kind == 1 and rng.random() < 0.7:
            r2 = rng.uniform(0.3, 0.5) * radius
            oy, ox = rng.uniform(-0.3, 0.3, size=2) * radius
            nucleus = (yy - cy - oy) ** 2 + (xx - cx - ox) ** 2 <= r2**2
            image = np.where(nucleus, 0.45 + 0.5 * texture, image)
            label[nucleus] = 3
    image = image + rng.normal(0, 0.05, size=image.shape)
    return np.clip(image, 0.0, 1.0).astype(np.float32), label
