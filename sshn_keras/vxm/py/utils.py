"""VoxelMorph's `vxm.py.utils`: loading volumes (`load_volfile`), zero-padding, nearest resizing."""

from __future__ import annotations

import os

import numpy as np
import scipy.ndimage

from sshn_keras.registration.vxm_dense import default_unet_features

VOLUME_SUFFIXES = (".nii", ".nii.gz", ".mgz", ".npy", ".npz")

__all__ = ["default_unet_features", "load_volfile", "pad", "resize"]


def pad(array: np.ndarray, shape) -> tuple:
    """Zero-pad `array` to `shape`, centred; returns `(padded, slices)` where `padded[slices]` is `array`.

    Raises:
        ValueError: for a target shape of another rank or smaller than the array.
    """
    shape = tuple(int(s) for s in shape)
    if array.shape == shape:
        return array, ...
    if len(shape) != array.ndim or any(p < v for p, v in zip(shape, array.shape)):
        raise ValueError(f"`pad_shape` must have the array's rank and be no smaller. Received {shape} for {array.shape}")
    padded = np.zeros(shape, dtype=array.dtype)
    offsets = [int((p - v) / 2) for p, v in zip(shape, array.shape)]
    slices = tuple(slice(o, o + n) for o, n in zip(offsets, array.shape))
    padded[slices] = array
    return padded, slices


def resize(array: np.ndarray, factor: float, batch_axis: bool = False) -> np.ndarray:
    """Nearest-neighbour zoom of the spatial axes by `factor` (the last axis is features)."""
    if factor == 1:
        return array
    factors = [factor] * (array.ndim - 1) + [1]
    if batch_axis:
        factors[0] = 1
    return scipy.ndimage.zoom(array, factors, order=0)


def load_volfile(
    filename,
    np_var: str = "vol",
    add_batch_axis: bool = False,
    add_feat_axis: bool = False,
    pad_shape=None,
    resize_factor: float = 1,
    ret_affine: bool = False,
):
    """Load a volume from `.nii`, `.nii.gz`, `.mgz`, `.npy` or `.npz` (VoxelMorph's `load_volfile`).

    An array (not a path) is returned as it is, after the same axis,
    padding and resizing steps, so preloaded volumes go through generators
    as files do.

    Args:
        filename: a path, or a preloaded array (`(vol, affine)` with `ret_affine`).
        np_var: the array of a multi-array `.npz` (default `"vol"`).
        add_batch_axis: prepend a batch axis.
        add_feat_axis: append a feature axis.
        pad_shape: zero-pad (centred) to this shape first.
        resize_factor: nearest-neighbour zoom factor (needs a feature axis).
        ret_affine: also return the voxel-to-world affine (None for numpy files).

    Returns:
        The volume, or `(volume, affine)` with `ret_affine`.

    Raises:
        ValueError: for a path that is not a file or has another suffix, or
            an `.npz` with several arrays and none named `np_var`.
    """
    affine = None
    if isinstance(filename, (str, os.PathLike)):
        path = os.fspath(filename)
        if not os.path.isfile(path):
            raise ValueError(f"{path!r} is not a file.")
        if path.endswith((".nii", ".nii.gz", ".mgz")):
            import nibabel as nib

            image = nib.load(path)
            vol = np.asarray(image.dataobj).squeeze()
            affine = image.affine
        elif path.endswith(".npy"):
            vol = np.load(path)
        elif path.endswith(".npz"):
            with np.load(path) as npz:
                if len(npz.files) == 1:
                    vol = npz[npz.files[0]]
                elif np_var in npz.files:
                    vol = npz[np_var]
                else:
                    raise ValueError(f"{path!r} holds arrays {npz.files}, none named np_var={np_var!r}.")
        else:
            raise ValueError(f"Unknown file type for {path!r}: expected one of {VOLUME_SUFFIXES}.")
    elif ret_affine:
        vol, affine = filename
    else:
        vol = np.asarray(filename)
    if pad_shape:
        vol, _ = pad(vol, pad_shape)
    if add_feat_axis:
        vol = vol[..., np.newaxis]
    if resize_factor != 1:
        vol = resize(vol, resize_factor)
    if add_batch_axis:
        vol = vol[np.newaxis, ...]
    return (vol, affine) if ret_affine else vol
