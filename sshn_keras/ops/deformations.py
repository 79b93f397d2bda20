"""Random smooth deformations, and synthetic registration pairs built with them.

A registration benchmark needs pairs whose labels can be compared after
registration: `make_registration_pairs` deforms real images and their label
maps with known random smooth deformations (images linearly, labels with
nearest neighbour), so the Dice between the moving labels warped by a
predicted flow and the fixed labels measures the registration, before
(identity flow) and after.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.ndimage import gaussian_filter

from sshn_keras.ops.integrate import integrate_velocity
from sshn_keras.ops.tensors import to_numpy
from sshn_keras.ops.warp import warp


def _check_positive(name: str, value, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"`{name}` must be a number. Received {name}={value!r}")
    ok = value >= 0 if allow_zero else value > 0
    if not (ok and value < float("inf")):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"`{name}` must be a {kind} finite number. Received {name}={value}")
    return float(value)


def random_displacement(
    shape: Sequence[int],
    max_displacement: float = 3.0,
    sigma: float = 4.0,
    batch_size: int | None = None,
    diffeomorphic: bool = False,
    int_steps: int = 7,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Random smooth displacement field(s), in voxels, `ij` indexing.

    Gaussian white noise, one channel per spatial axis, is smoothed by a
    Gaussian of standard deviation `sigma` voxels (per spatial axis,
    `scipy.ndimage.gaussian_filter`, mode "reflect") and scaled so that
    the longest displacement vector of each field has length
    `max_displacement`. With `diffeomorphic=True` that field is a
    stationary velocity, integrated by scaling and squaring (`int_steps`
    steps, as `VecInt`): the result is then (up to interpolation error)
    free of folding, and its longest vector is close to, not exactly,
    `max_displacement`. Without it, large `max_displacement / sigma`
    ratios can fold (check with `nonpositive_jacobian_fraction`).

    Args:
        shape: spatial shape, e.g. `(160, 192)` or `(96, 96, 96)`.
        max_displacement: longest displacement (or velocity) vector, voxels,
            >= 0.
        sigma: smoothing in voxels, > 0 (larger: smoother, more global).
        batch_size: None for one field `(*shape, ndims)`, else a batch
            `(batch_size, *shape, ndims)` of independent fields.
        diffeomorphic: integrate the field as a velocity (see above).
        int_steps: scaling and squaring steps when `diffeomorphic`.
        seed: int seed or `numpy.random.Generator` (None: fresh entropy).

    Returns:
        float32 array `(*shape, ndims)` or `(batch_size, *shape, ndims)`.

    Raises:
        ValueError: for an empty shape or non-positive sizes, a negative
            `max_displacement`, a non-positive `sigma` or a bad
            `batch_size`.

    Example:
    >>> d = random_displacement((32, 32), max_displacement=2.0, seed=0)
    >>> d.shape, round(float(np.linalg.norm(d, axis=-1).max()), 4)
    ((32, 32, 2), 2.0)
    """
    shape = tuple(int(n) for n in shape)
    if not shape or any(n < 1 for n in shape):
        raise ValueError(f"`shape` must be a non-empty spatial shape of positive sizes. Received shape={shape}")
    max_displacement = _check_positive("max_displacement", max_displacement, allow_zero=True)
    sigma = _check_positive("sigma", sigma)
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"`batch_size` must be a positive int or None. Received batch_size={batch_size!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    ndims = len(shape)
    n = 1 if batch_size is None else batch_size
    noise = rng.standard_normal((n, *shape, ndims))
    smooth = gaussian_filter(noise, sigma=(0.0, *([sigma] * ndims), 0.0), mode="reflect")
    norms = np.linalg.norm(smooth.reshape(n, -1, ndims), axis=-1).max(axis=1)
    scale = np.where(norms > 0, max_displacement / np.maximum(norms, 1e-12), 0.0)
    field = (smooth * scale.reshape((n,) + (1,) * (ndims + 1))).astype(np.float32)
    if diffeomorphic:
        field = to_numpy(integrate_velocity(field, int_steps)).astype(np.float32)
    return field if batch_size is not None else field[0]


def make_registration_pairs(
    images,
    labels,
    max_displacement: float = 4.0,
    sigma: float = 6.0,
    diffeomorphic: bool = True,
    warp_fixed: bool = True,
    int_steps: int = 7,
    seed: int | None = 0,
    chunk_size: int = 8,
    return_flows: bool = False,
):
    """Turn images and label maps into registration pairs with known deformations.

    For each image `i`, two independent random displacements are drawn
    (`random_displacement`): `moving_i = warp(image_i, u_i)` and
    `fixed_i = warp(image_i, w_i)` (identity `w_i = 0` when
    `warp_fixed=False`). Images are warped linearly with clamped edges,
    labels with nearest neighbour, so the labels stay integer. Registering
    moving to fixed should raise the label Dice
    (`sshn_keras.losses.registration.mean_label_map_dice`) above its value
    before registration.

    Args:
        images: `(N, *spatial, channels)` array (channels-last, 2D or 3D).
        labels: integer label maps `(N, *spatial)` or `(N, *spatial, 1)`.
        max_displacement, sigma, diffeomorphic, int_steps: passed to
            `random_displacement`.
        warp_fixed: also deform the fixed image (default True), so that the
            fixed image is not always the undeformed original.
        seed: int seed or None; the same seed gives the same pairs.
        chunk_size: images warped at once (bounds memory for 3D).
        return_flows: also return the two displacement arrays.

    Returns:
        `(moving, fixed, moving_labels, fixed_labels)`: images float32
        `(N, *spatial, channels)`, labels with the input's shape and dtype;
        with `return_flows`, also `(moving_flows, fixed_flows)`, float32
        `(N, *spatial, ndims)`, pull displacements from each output to the
        input image.

    Raises:
        ValueError: for images without a channel axis, labels whose spatial
            shape or count differs from the images', or a bad
            `chunk_size` (and as `random_displacement`).

    Example:
    >>> images = np.random.default_rng(0).random((2, 16, 16, 1), dtype=np.float32)
    >>> labels = (images[..., 0] > 0.5).astype(np.int32)
    >>> moving, fixed, ml, fl = make_registration_pairs(images, labels, max_displacement=2.0, sigma=3.0)
    >>> moving.shape, ml.shape, ml.dtype
    ((2, 16, 16, 1), (2, 16, 16), dtype('int32'))
    """
    images = np.asarray(to_numpy(images))
    labels = np.asarray(to_numpy(labels))
    if images.ndim < 3:
        raise ValueError(f"`images` must be (N, *spatial, channels), channels-last. Received shape {images.shape}")
    spatial = images.shape[1:-1]
    label_has_channel = labels.ndim == images.ndim
    label_spatial = labels.shape[1:-1] if label_has_channel else labels.shape[1:]
    if (
        labels.shape[0] != images.shape[0]
        or tuple(label_spatial) != tuple(spatial)
        or (label_has_channel and labels.shape[-1] != 1)
    ):
        raise ValueError(
            f"`labels` must be (N, *spatial) or (N, *spatial, 1) matching images (N, *spatial, channels). "
            f"Received images shape {images.shape} and labels shape {labels.shape}"
        )
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"`chunk_size` must be a positive int. Received chunk_size={chunk_size!r}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"`labels` must be integer label maps. Received dtype {labels.dtype}")

    rng = np.random.default_rng(seed)
    count = images.shape[0]
    kwargs = dict(max_displacement=max_displacement, sigma=sigma, diffeomorphic=diffeomorphic, int_steps=int_steps)
    moving_flows = random_displacement(spatial, batch_size=count, seed=rng, **kwargs)
    if warp_fixed:
        fixed_flows = random_displacement(spatial, batch_size=count, seed=rng, **kwargs)
    else:
        fixed_flows = np.zeros_like(moving_flows)

    images = images.astype(np.float32, copy=False)
    label_maps = labels if label_has_channel else labels[..., None]
    outputs = {"moving": [], "fixed": [], "moving_labels": [], "fixed_labels": []}
    for start in range(0, count, chunk_size):
        part = slice(start, start + chunk_size)
        for key, flows in (("moving", moving_flows), ("fixed", fixed_flows)):
            outputs[key].append(to_numpy(warp(images[part], flows[part], "linear")))
            outputs[key + "_labels"].append(to_numpy(warp(label_maps[part], flows[part], "nearest")))
    result = {key: np.concatenate(value, axis=0) for key, value in outputs.items()}
    for key in ("moving_labels", "fixed_labels"):
        result[key] = result[key].astype(labels.dtype, copy=False)
        if not label_has_channel:
            result[key] = result[key][..., 0]
    pairs = (result["moving"], result["fixed"], result["moving_labels"], result["fixed_labels"])
    if return_flows:
        return pairs + (moving_flows, fixed_flows)
    return pairs
