"""The segmentation task: one image in, class probabilities out (softmax head)."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from sshn_keras.ops.checks import check_int, checked_images
from sshn_keras.tasks.base import Task
from sshn_keras.tasks.validation import check_images, check_labels, check_not_empty


@dataclasses.dataclass(frozen=True)
class SegmentationTask(Task):
    """Segmentation: input `image (batch, *spatial, C)`, output softmax probabilities of `num_classes`.

    Trained with the package's segmentation losses (cross-entropy then soft
    Dice, `sshn_keras.losses`) and scored with Dice (`sshn_keras.metrics`).

    Args:
        num_classes: classes, background included (>= 2).

    Raises:
        ValueError: for `num_classes` < 2; TypeError for a non-int.

    Example:
    >>> SegmentationTask(num_classes=3).to_config()
    {'name': 'segmentation', 'num_classes': 3}
    """

    num_classes: int = 2
    name = "segmentation"
    input_names = ("image",)

    def __post_init__(self):
        object.__setattr__(self, "num_classes", check_int(self.num_classes, "num_classes"))
        if self.num_classes < 2:
            raise ValueError(f"`num_classes` must be an int >= 2 (background included). Received num_classes={self.num_classes}")

    def out_channels(self, ndims: int) -> int:
        return self.num_classes

    def backbone_input(self, inputs: dict):
        return inputs["image"]

    def outputs(self, inputs: dict, head):
        return keras.layers.Softmax(dtype="float32", name="softmax")(head)

    def fixed_model(self, inputs: dict, outputs, name: str) -> keras.Model:
        return keras.Model(inputs["image"], outputs, name=name)

    def split_inputs(self, inputs) -> tuple:
        if isinstance(inputs, dict):
            if "image" not in inputs:
                raise ValueError(f"A dict input must have the key 'image' (and optionally 'phi'). Received keys {list(inputs)}")
            unknown = sorted(set(inputs) - {"image", "phi"})
            if unknown:
                raise ValueError(f"A dict input takes the keys 'image' and 'phi'. Received unknown keys {unknown}")
            return {"image": inputs["image"]}, inputs.get("phi")
        return {"image": inputs}, None

    def checked_images(self, images: dict, image_shape: tuple, min_size: int) -> dict:
        return {"image": checked_images(images["image"], "image", min_size, image_shape[:-1], image_shape[-1])}

    def check_data(self, x, y, image_shape: tuple, num_stages: int, what: str = "x") -> None:
        check_not_empty(x, what)
        if isinstance(x, dict) and isinstance(x.get("image"), np.ndarray):
            x = x["image"]
        if isinstance(x, np.ndarray):
            check_images(x, image_shape, num_stages, what)
        if isinstance(y, np.ndarray):
            check_labels(y, self.num_classes, x.shape if isinstance(x, np.ndarray) else None)
