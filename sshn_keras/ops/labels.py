"""Label-map conventions shared by losses and metrics.

Labels may be integer maps `(batch, *spatial)` or `(batch, *spatial, 1)`, or
one-hot maps `(batch, *spatial, num_classes)`; predictions are always
probabilities `(batch, *spatial, num_classes)`.
"""

import tensorflow as tf
from keras import ops

from sshn_keras.ops.checks import checked_labels, poison_invalid


def to_one_hot(y_true, y_pred):
    """Return `y_true` as a float one-hot tensor shaped like `y_pred`."""
    num_classes = y_pred.shape[-1]
    pred_rank = len(y_pred.shape)
    if getattr(y_true.shape, "rank", 0) is None:  # a function retraced for labels of several ranks
        return _to_one_hot_any_rank(y_true, y_pred)
    true_rank = len(y_true.shape)
    if true_rank == pred_rank and y_true.shape[-1] == num_classes and num_classes != 1:
        y_true, valid = checked_labels(y_true, num_classes, one_hot=True)
        return poison_invalid(ops.cast(y_true, y_pred.dtype), valid)
    if true_rank == pred_rank and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    elif true_rank != pred_rank - 1:
        raise ValueError(
            f"Labels of shape {y_true.shape} do not fit predictions of shape {y_pred.shape}: expected "
            "integer maps (batch, *spatial) or (batch, *spatial, 1), or one-hot (batch, *spatial, classes)."
        )
    # Run-time checks; an invalid pixel also becomes NaN (XLA drops the assertion, not the NaN).
    y_true, valid = checked_labels(y_true, num_classes, one_hot=False)
    return poison_invalid(ops.one_hot(ops.cast(y_true, "int32"), num_classes, dtype=y_pred.dtype), valid)


def _to_one_hot_any_rank(y_true, y_pred):
    """`to_one_hot` for labels whose rank is only known at run time."""
    num_classes = y_pred.shape[-1]
    rank_matches = tf.equal(tf.rank(y_true), len(y_pred.shape))
    is_one_hot = tf.logical_and(rank_matches, tf.equal(tf.shape(y_true)[-1], num_classes)) if num_classes != 1 else tf.constant(False)
    return tf.cond(
        is_one_hot,
        lambda: to_one_hot(tf.ensure_shape(tf.reshape(y_true, tf.shape(y_pred)), y_pred.shape), y_pred),
        lambda: to_one_hot(tf.reshape(y_true, tf.shape(y_pred)[:-1]), y_pred),
    )


def spatial_axes(tensor) -> list:
    """Spatial axes `1 .. ndim - 2` of a channels-last tensor."""
    return list(range(1, len(tensor.shape) - 1))
