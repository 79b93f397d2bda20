"""Batched data augmentation that keeps images and label maps aligned.

Each sample of a batch draws its own flips, affine transform (rotation,
zoom, translation about the image centre) and intensity change, from a
stateless seed (so a pipeline seed reproduces the whole sequence). The same
flip and the same affine matrix are applied to the image (bilinear) and to
its label map (nearest neighbour, so labels stay integers from the declared
set); both use reflective filling at the borders, hence the same geometry
everywhere. Intensity changes touch the image only.

Layouts: images `(batch, H, W, C)` float32, labels `(batch, H, W)` int32.
"""

import math
from dataclasses import dataclass

import tensorflow as tf


@dataclass(frozen=True)
class Augmentation:
    """Ranges of the random augmentation (all drawn independently per sample).

    Args:
        flip_horizontal: mirror left-right with probability 1/2.
        flip_vertical: mirror top-bottom with probability 1/2.
        rotation: largest rotation in degrees (uniform in `[-rotation, rotation]`).
        scale: largest relative zoom (uniform in `[1 - scale, 1 + scale]`).
        translation: largest shift as a fraction of the image size, per axis.
        brightness: largest additive intensity shift.
        contrast: largest relative contrast change about the image mean.

    Raises:
        ValueError: for a negative range, `rotation > 180`, `scale >= 1`,
            `translation >= 1`.

    Example:
    >>> Augmentation(rotation=5.0, flip_vertical=True).rotation
    5.0
    """

    flip_horizontal: bool = True
    flip_vertical: bool = False
    rotation: float = 10.0
    scale: float = 0.1
    translation: float = 0.05
    brightness: float = 0.1
    contrast: float = 0.1

    def __post_init__(self):
        limits = {"rotation": 180.0, "scale": 1.0, "translation": 1.0, "brightness": math.inf, "contrast": 1.0}
        for name, limit in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= limit or (
                value == limit and name in ("scale", "translation", "contrast")
            ):
                raise ValueError(f"`{name}` must be a number in [0, {limit}{']' if name == 'rotation' else ')'}. Received {name}={value!r}")

    @property
    def has_affine(self) -> bool:
        """Whether any rotation, zoom or translation is drawn."""
        return bool(self.rotation or self.scale or self.translation)


def affine_matrices(draws, height: int, width: int, config: Augmentation):
    """`(batch, 8)` projective transforms (output -> input pixel) for `ImageProjectiveTransformV3`.

    `draws` is `(batch, 4)` uniform in [0, 1): angle, zoom, shift x, shift y.
    The forward map is `out = c + t + s R(angle) (in - c)` about the centre
    `c`; the matrices hold its inverse.
    """
    angle = (2.0 * draws[:, 0] - 1.0) * (config.rotation * math.pi / 180.0)
    zoom = 1.0 + (2.0 * draws[:, 1] - 1.0) * config.scale
    shift_x = (2.0 * draws[:, 2] - 1.0) * config.translation * width
    shift_y = (2.0 * draws[:, 3] - 1.0) * config.translation * height
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    cos, sin = tf.cos(angle) / zoom, tf.sin(angle) / zoom
    a2 = cx - cos * (cx + shift_x) - sin * (cy + shift_y)
    b2 = cy + sin * (cx + shift_x) - cos * (cy + shift_y)
    zeros = tf.zeros_like(angle)
    return tf.stack([cos, sin, a2, -sin, cos, b2, zeros, zeros], axis=1)


def _flip(images, labels, flags, axis: int):
    images = tf.where(flags[:, None, None, None], tf.reverse(images, [axis]), images)
    labels = tf.where(flags[:, None, None], tf.reverse(labels, [axis]), labels)
    return images, labels


def augment_batch(images, labels, seed, config: Augmentation = Augmentation()):
    """Augment one batch; the same geometry for image and labels.

    Args:
        images: `(batch, H, W, C)` float32 in [0, 1].
        labels: `(batch, H, W)` int32.
        seed: shape `(2,)` integer tensor (a stateless seed).
        config: the augmentation ranges.

    Returns:
        `(images, labels)` of the same shapes and dtypes; images clipped to [0, 1].
    """
    batch = tf.shape(images)[0]
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    draws = tf.random.stateless_uniform(tf.stack([batch, 8]), seed=tf.cast(seed, tf.int64))
    if config.flip_horizontal:
        images, labels = _flip(images, labels, draws[:, 0] < 0.5, axis=2)
    if config.flip_vertical:
        images, labels = _flip(images, labels, draws[:, 1] < 0.5, axis=1)
    if config.has_affine:
        matrices = affine_matrices(
            draws[:, 2:6], tf.cast(height, tf.float32), tf.cast(width, tf.float32), config
        )
        output_shape = tf.stack([height, width])
        images = tf.raw_ops.ImageProjectiveTransformV3(
            images=images, transforms=matrices, output_shape=output_shape, fill_value=0.0,
            interpolation="BILINEAR", fill_mode="REFLECT",
        )
        labels = tf.raw_ops.ImageProjectiveTransformV3(
            images=labels[..., None], transforms=matrices, output_shape=output_shape, fill_value=0.0,
            interpolation="NEAREST", fill_mode="REFLECT",
        )[..., 0]
    if config.brightness or config.contrast:
        contrast = 1.0 + (2.0 * draws[:, 6] - 1.0) * config.contrast
        brightness = (2.0 * draws[:, 7] - 1.0) * config.brightness
        mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
        images = (images - mean) * contrast[:, None, None, None] + mean + brightness[:, None, None, None]
        images = tf.clip_by_value(images, 0.0, 1.0)
    return images, labels
