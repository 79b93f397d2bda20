"""Local normalised cross-correlation, VoxelMorph's `NCC` image loss, for 2D and 3D images."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

REDUCTIONS = ("mean", "max")


def check_window(win, ndims: int | None = None):
    """Return `win` (None, a positive int, or a list of positive ints, one per axis) or raise ValueError."""
    if win is None:
        return None
    if isinstance(win, (int, np.integer)) and not isinstance(win, bool):
        if win < 1:
            raise ValueError(f"`win` must be a positive int or a list of them. Received win={win!r}")
        return int(win)
    if isinstance(win, (list, tuple)) and win and all(
        isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w >= 1 for w in win
    ):
        if ndims is not None and len(win) != ndims:
            raise ValueError(f"`win` must have one size per spatial axis ({ndims}). Received win={list(win)}")
        return [int(w) for w in win]
    raise ValueError(f"`win` must be None, a positive int, or a list of positive ints. Received win={win!r}")


def local_ncc(y_true, y_pred, win=None, eps: float = 1e-5, signed: bool = False):
    """The local (windowed) squared correlation map of two images, VoxelMorph's `NCC.ncc`.

    Local sums over a `win`-sized box (all channels together) by
    convolution with 'same' padding, then `cross**2 / (var_I * var_J)`
    with `cross`, `var_I`, `var_J` clipped below at `eps`; with `signed`,
    `cross / sqrt(var_I * var_J + eps)`.

    Args:
        y_true, y_pred: `(batch, *spatial, channels)`, 1D to 3D.
        win: box size per axis (None: 9; an int: the same for every axis).
        eps: lower clip of the local variances and covariance.
        signed: return the signed correlation instead of its square.

    Returns:
        `(batch, *spatial, 1)` float32.
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.cast(y_pred, "float32")
    ndims = len(y_true.shape) - 2
    win = check_window(win, ndims)
    win = [9] * ndims if win is None else [win] * ndims if isinstance(win, int) else list(win)
    in_ch = int(y_pred.shape[-1])
    kernel = ops.ones((*win, in_ch, 1), "float32")

    def box(x):
        return ops.conv(x, kernel, strides=1, padding="same")

    i_sum, j_sum = box(y_true), box(y_pred)
    i2_sum, j2_sum, ij_sum = box(y_true * y_true), box(y_pred * y_pred), box(y_true * y_pred)
    win_size = float(np.prod(win) * in_ch)
    u_i = i_sum / win_size
    u_j = j_sum / win_size
    cross = ops.maximum(ij_sum - u_j * i_sum - u_i * j_sum + u_i * u_j * win_size, eps)
    i_var = ops.maximum(i2_sum - 2 * u_i * i_sum + u_i * u_i * win_size, eps)
    j_var = ops.maximum(j2_sum - 2 * u_j * j_sum + u_j * u_j * win_size, eps)
    if signed:
        return cross / ops.sqrt(i_var * j_var + eps)
    return (cross / i_var) * (cross / j_var)


def ncc_loss(y_true, y_pred, win=None, eps: float = 1e-5, signed: bool = False, reduce: str = "mean"):
    """Per-image `-NCC`, shape `(batch,)`: minus the mean (or max) of `local_ncc` (VoxelMorph's `NCC.loss`)."""
    if reduce not in REDUCTIONS:
        raise ValueError(f"`reduce` must be one of {REDUCTIONS}. Received reduce={reduce!r}")
    cc = local_ncc(y_true, y_pred, win, eps, signed)
    cc = ops.reshape(cc, (ops.shape(cc)[0], -1))
    return -(ops.mean(cc, axis=-1) if reduce == "mean" else ops.max(cc, axis=-1))


@keras.saving.register_keras_serializable(package="sshn_keras")
class NCC(keras.losses.Loss):
    """Local normalised cross-correlation loss (VoxelMorph's `NCC`): `-mean(local_ncc)` per image.

    Usable as a Keras loss (`loss=NCC()`) and as VoxelMorph calls it
    (`loss=NCC().loss`; `NCC().ncc(I, J)` for the map). The value lies in
    [-1, 0]; -1 for images proportional to each other.

    Args:
        win: window size: None (9 per axis), an int, or one int per axis.
        eps: lower clip of the local (co)variances (default 1e-5).
        signed: use the signed correlation instead of its square.
        name: loss name.
        reduction: Keras reduction (default `"sum_over_batch_size"`).
        dtype: loss dtype (default: Keras floatx).

    Input shape:
        `y_true`, `y_pred`: images `(batch, *spatial, channels)`, 1D to 3D.

    Output shape:
        A scalar after reduction; `call` and `loss` give `(batch,)`.

    Raises:
        ValueError: for a window that is not a positive int or list of
            them, a window list of the wrong length, a negative `eps`, or an
            unknown `reduce`.

    Example:
    >>> image = keras.random.uniform((2, 32, 32, 1), seed=0)
    >>> round(float(NCC()(image, 2.0 * image)), 4)
    -1.0
    """

    def __init__(
        self,
        win=None,
        eps: float = 1e-5,
        signed: bool = False,
        name: str = "ncc",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.win = check_window(win)
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not 0 <= eps < float("inf"):
            raise ValueError(f"`eps` must be a finite number >= 0. Received eps={eps!r}")
        self.eps = float(eps)
        self.signed = bool(signed)

    def ncc(self, y_true, y_pred):
        """The local correlation map `(batch, *spatial, 1)` (see `local_ncc`)."""
        return local_ncc(y_true, y_pred, self.win, self.eps, self.signed)

    def loss(self, y_true, y_pred, reduce: str = "mean"):
        """VoxelMorph's `NCC.loss`: `-NCC` per image, `(batch,)`; `reduce="max"` takes the max of the map."""
        return ncc_loss(y_true, y_pred, self.win, self.eps, self.signed, reduce)

    def call(self, y_true, y_pred):
        return ncc_loss(y_true, y_pred, self.win, self.eps, self.signed)

    def get_config(self):
        return {
            "win": self.win,
            "eps": self.eps,
            "signed": self.signed,
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self.dtype,
        }
