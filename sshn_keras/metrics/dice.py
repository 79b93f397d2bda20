"""Hard Dice of predicted segmentations: mean over foreground labels, and per label."""

import keras
import numpy as np
from keras import ops

from sshn_keras.ops.dice import label_map_dice, overlap_dice
from sshn_keras.ops.labels import spatial_axes, to_one_hot


def dice_per_label(y_true, y_pred):
    """Hard Dice per image and label, `(batch, num_classes)`; NaN where undefined.

    `y_pred` are probabilities (argmax is taken) or one-hot maps. A label
    absent from both the truth and the prediction of an image has no Dice
    (NaN) and is left out of every mean, rather than counted as 1 or 0.
    """
    num_classes = y_pred.shape[-1]
    hard = ops.one_hot(ops.argmax(y_pred, axis=-1), num_classes, dtype="float32")
    return overlap_dice(to_one_hot(y_true, y_pred), hard, spatial_axes(y_pred))


def hard_dice_per_label(labels, predicted, num_classes: int) -> np.ndarray:
    """`dice_per_label` for integer maps in numpy: `(batch, num_classes)`, NaN where undefined.

    Args:
        labels: true integer label maps `(batch, *spatial)` (or with a trailing 1).
        predicted: predicted integer label maps, same shape.
        num_classes: number of labels.
    """
    return label_map_dice(labels, predicted, labels=np.arange(num_classes))[0]


def mean_foreground_dice(y_true, y_pred):
    """Per-image Dice averaged over the foreground labels present, `(batch,)`."""
    d = np.asarray(dice_per_label(y_true, y_pred))[:, 1:]
    with np.errstate(invalid="ignore"):
        return np.nanmean(d, axis=-1) if d.size else np.full(d.shape[0], np.nan)


@keras.saving.register_keras_serializable(package="sshn_keras")
class DiceScore(keras.metrics.Metric):
    """Hard Dice averaged over images; over foreground labels, or for one label.

    Per image, each label's Dice is `2|T∩P| / (|T| + |P|)` of the argmax
    segmentation; a label absent from both is skipped. With `class_id=None`
    an image's score is the mean over its defined foreground labels; with
    `class_id=k` it is label k's Dice. The metric averages over images.

    Args:
        class_id: a single label to score, or None for the foreground mean.
        name: metric name (default `dice` or `dice_{class_id}`).

    Example:
    >>> m = DiceScore()
    >>> m.update_state(keras.ops.ones((1, 4, 4), "int32"), keras.ops.one_hot(keras.ops.ones((1, 4, 4), "int32"), 2))
    >>> float(m.result())
    1.0
    """

    def __init__(self, class_id: int | None = None, name: str | None = None, dtype=None):
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, int) or class_id < 0):
            raise ValueError(f"`class_id` must be a non-negative int or None. Received class_id={class_id!r}")
        super().__init__(name=name or ("dice" if class_id is None else f"dice_{class_id}"), dtype=dtype)
        self.class_id = class_id
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        d = dice_per_label(y_true, y_pred)
        if self.class_id is None:
            d = d[:, 1:]
            defined = ops.logical_not(ops.isnan(d))
            n = ops.sum(ops.cast(defined, "float32"), axis=-1)
            s = ops.sum(ops.where(defined, d, 0.0), axis=-1)
            per_image = s / ops.maximum(n, 1.0)
            valid = n > 0
        else:
            per_image = d[:, self.class_id]
            valid = ops.logical_not(ops.isnan(per_image))
            per_image = ops.where(valid, per_image, 0.0)
        self.total.assign_add(ops.sum(ops.where(valid, per_image, 0.0)))
        self.count.assign_add(ops.sum(ops.cast(valid, "float32")))

    def result(self):
        return self.total / ops.maximum(self.count, 1.0)

    def get_config(self):
        return {"class_id": self.class_id, "name": self.name, "dtype": self.dtype}
