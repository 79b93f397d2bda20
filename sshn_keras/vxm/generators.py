"""VoxelMorph's `vxm.generators`: `volgen` and `scan_to_scan`, yielding VoxelMorph's lists.

`scan_to_scan` yields `([moving, fixed], [fixed, zeros])` exactly as
VoxelMorph (lists; the registration models' `fit` accepts them). Draws use
numpy's global random state, as VoxelMorph's: seed with `np.random.seed`.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator

import numpy as np

from sshn_keras.vxm.py.utils import load_volfile

__all__ = ["scan_to_scan", "volgen"]


def _volume_list(vol_names) -> list:
    if isinstance(vol_names, (str, os.PathLike)):
        pattern = os.fspath(vol_names)
        if os.path.isdir(pattern):
            pattern = os.path.join(pattern, "*")
        vol_names = sorted(glob.glob(pattern))
    if isinstance(vol_names, np.ndarray):
        vol_names = list(vol_names)
    if not isinstance(vol_names, (list, tuple)) or len(vol_names) == 0:
        raise ValueError(
            "`vol_names` must be a directory, a glob pattern, or a non-empty list of volume files or arrays. "
            f"Received {type(vol_names).__name__} with no volumes"
        )
    return list(vol_names)


def volgen(
    vol_names,
    batch_size: int = 1,
    segs=None,
    np_var: str = "vol",
    pad_shape=None,
    resize_factor: float = 1,
    add_feat_axis: bool = True,
) -> Iterator[tuple]:
    """Endless batches of randomly drawn volumes (VoxelMorph's `volgen`).

    Args:
        vol_names: a directory, a glob pattern, a list of files, or a list /
            array of preloaded volumes (each without batch axis).
        batch_size: volumes per batch (drawn with replacement).
        segs: True (`.npz` files with a `seg` array) or a matching list of
            segmentations; None: images only.
        np_var, pad_shape, resize_factor, add_feat_axis: see `load_volfile`.

    Yields:
        `(vols,)` or `(vols, segs)`, each `(batch_size, *spatial[, 1])`.

    Raises:
        ValueError: for no volumes, a non-positive `batch_size`, or a `segs`
            list of another length.
    """
    vol_names = _volume_list(vol_names)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int. Received batch_size={batch_size!r}")
    if isinstance(segs, (list, tuple)) and len(segs) != len(vol_names):
        raise ValueError(f"`segs` must match the volumes one to one. Received {len(segs)} segs for {len(vol_names)} volumes")
    params = dict(np_var=np_var, add_batch_axis=True, add_feat_axis=add_feat_axis, pad_shape=pad_shape,
                  resize_factor=resize_factor)
    while True:
        indices = np.random.randint(len(vol_names), size=batch_size)
        vols = [np.concatenate([load_volfile(vol_names[i], **params) for i in indices], axis=0)]
        if segs is True:
            vols.append(np.concatenate([load_volfile(vol_names[i], **{**params, "np_var": "seg"}) for i in indices], axis=0))
        elif isinstance(segs, (list, tuple)):
            vols.append(np.concatenate([load_volfile(segs[i], **params) for i in indices], axis=0))
        yield tuple(vols)


def scan_to_scan(
    vol_names,
    bidir: bool = False,
    batch_size: int = 1,
    prob_same: float = 0,
    no_warp: bool = False,
    **kwargs,
) -> Iterator[tuple]:
    """Endless `([moving, fixed], [fixed, zeros])` batches for scan-to-scan registration (VoxelMorph's).

    Args:
        vol_names: volumes, as `volgen` takes them.
        bidir: targets `[fixed, moving, zeros]` for bidirectional models.
        batch_size: pairs per batch.
        prob_same: probability that a batch registers scans to themselves.
        no_warp: leave the zeros (the flow's dummy target) out.
        **kwargs: `volgen` arguments (`add_feat_axis`, `np_var`, `pad_shape`, ...).

    Yields:
        `(invols, outvols)`: lists of float arrays, images
        `(batch_size, *spatial, 1)`, zeros `(batch_size, *spatial, ndims)`.

    Raises:
        ValueError: for `prob_same` outside [0, 1] (and see `volgen`).

    Example:
    >>> images = np.random.default_rng(0).random((4, 32, 32), dtype="float32")
    >>> (moving, fixed), (target, zeros) = next(scan_to_scan(list(images), batch_size=2))
    >>> moving.shape, zeros.shape
    ((2, 32, 32, 1), (2, 32, 32, 2))
    """
    if isinstance(prob_same, bool) or not isinstance(prob_same, (int, float)) or not 0 <= prob_same <= 1:
        raise ValueError(f"`prob_same` must be a probability in [0, 1]. Received prob_same={prob_same!r}")
    gen = volgen(vol_names, batch_size=batch_size, **kwargs)
    zeros = None
    while True:
        scan1 = next(gen)[0]
        scan2 = next(gen)[0]
        if prob_same > 0 and np.random.rand() < prob_same:
            if np.random.rand() > 0.5:
                scan1 = scan2
            else:
                scan2 = scan1
        if not no_warp and zeros is None:
            shape = scan1.shape[1:-1]
            zeros = np.zeros((batch_size, *shape, len(shape)), np.float32)
        invols = [scan1, scan2]
        outvols = [scan2, scan1] if bidir else [scan2]
        if not no_warp:
            outvols.append(zeros)
        yield (invols, outvols)
