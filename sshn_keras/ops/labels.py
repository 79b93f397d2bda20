"""Label-map conventions shared by losses and metrics.

Labels may be integer maps `(batch, *spatial)` or `(batch, *spatial, 1)`, or
one-hot maps `(batch, *spatial, num_classes)`; predictions are always
probabilities `(batch, *spatial, num_classes)`.
"""

from keras import ops


def to_one_hot(y_true, y_pred):
    """Return `y_true` as a float one-hot tensor shaped like `y_pred`."""
    num_classes = y_pred.shape[-1]
    pred_rank = len(y_pred.shape)
    true_rank = len(y_true.shape)
    if true_rank == pred_rank and y_true.shape[-1] == num_classes and num_classes != 1:
        return ops.cast(y_true, y_pred.dtype)
    if true_rank == pred_rank and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    elif true_rank != pred_rank - 1:
        raise ValueError(
            f"Labels of shape {y_true.shape} do not fit predictions of shape {y_pred.shape}: expected "
            "integer maps (batch, *spatial) or (batch, *spatial, 1), or one-hot (batch, *spatial, classes)."
        )
    return ops.one_hot(ops.cast(y_true, "int32"), num_classes, dtype=y_pred.dtype)


def spatial_axes(tensor) -> list:
    """Spatial axes `1 .. ndim - 2` of a channels-last tensor."""
    return list(range(1, len(tensor.shape) - 1))
