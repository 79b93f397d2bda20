"""Registration accuracy and cost over phi: label Dice after warping, folding, GFLOPs, latency.

For each pair the network predicts the displacement that warps the moving
image onto the fixed one; the moving *label map* is warped with it
(nearest neighbour) and compared with the fixed labels (Dice per structure,
then the mean over structures). Rows have the shape of the segmentation
sweep's (`sshn_keras.sweep`), so `sshn_keras.plots.plot_methods` draws the
registration Pareto plots from the same results dict.

Cost (`registration_flops`): the U-Net at phi (exact, `unet_flops` with
`2 * C` input channels and `ndims` outputs), plus the warp and, with
`int_steps > 0`, the integration, which do not depend on phi. The warp is
counted as the linear resize is in `sshn_keras.flops` (`2**(d+1) - 1`
FLOPs per output value and channel) plus `d` adds per voxel for the
sampling coordinates.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Sequence

import numpy as np

from sshn_keras.architectures import UNetSpec, VxmDenseSpec
from sshn_keras.flops import resize_flops, unet_flops
from sshn_keras.ops.dice import label_map_dice
from sshn_keras.priors import validate_phi
from sshn_keras.ops.jacobian import nonpositive_jacobian_fraction
from sshn_keras.registration.graph import VXM_ARGUMENTS
from sshn_keras.registration.networks import displacement_model
from sshn_keras.registration.pairs import RegistrationPairs
from sshn_keras.registration.phi_networks import is_phi_registration_model
from sshn_keras.ops.resize import zoomed_size
from sshn_keras.ops.tensors import to_numpy
from sshn_keras.ops.warp import warp
from sshn_keras.progress import progress_bar
from sshn_keras.tasks import RegistrationTask


def warp_flops(spatial: Sequence[int], channels: int) -> int:
    """FLOPs of a linear pull warp of a `channels`-channel image on the grid `spatial`."""
    d = len(spatial)
    return resize_flops(spatial, channels) + d * math.prod(spatial)


def registration_flops(
    input_shape: Sequence[int],
    phi: float,
    filters=32,
    num_stages: int = 5,
    convs_per_stage: int = 2,
    kernel_size: int = 3,
    int_steps: int = 0,
    int_downsize: int = 2,
    **layout,
) -> dict:
    """FLOPs of one registration (one moving / fixed pair) at `phi`.

    Args:
        input_shape: one image, `(H, W, C)` or `(D, H, W, C)`, known sizes.
        phi, filters, num_stages, convs_per_stage, kernel_size, int_steps,
            int_downsize: the network on the U-Net layout (as
            `build_vxm_dense` takes them).
        **layout: VoxelMorph's layout instead (`architecture="vxm_dense"` or
            any of `nb_unet_features`, `nb_unet_levels`, `unet_feat_mult`,
            `nb_unet_conv_per_level`): counted on its Fixed network
            (`VxmDenseSpec.flops`); other keys (`inshape`, `src_feats`,
            `fill_value`, ...) are ignored.

    Returns:
        `{"unet": ..., "warp": ..., "integration": ..., "total": ...}` (ints).

    Example:
    >>> f = registration_flops((160, 192, 1), 0.5)
    >>> f["total"] == f["unet"] + f["warp"] + f["integration"]
    True
    """
    phi = validate_phi(phi)
    *spatial, channels = (int(n) for n in input_shape)
    d = len(spatial)
    vxm = {k: layout[k] for k in VXM_ARGUMENTS if layout.get(k) is not None}
    if vxm or layout.get("architecture") == "vxm_dense":
        spec = VxmDenseSpec(inshape=tuple(spatial), src_feats=channels, **vxm)
        unet = spec.flops(phi, RegistrationTask(int_steps, int_downsize))["total"]
    else:
        unet = unet_flops((*spatial, 2 * channels), d, phi, filters, num_stages, convs_per_stage, kernel_size)["total"]
    return _with_tail(unet, spatial, channels, int_steps, int_downsize)


def model_registration_flops(model, input_shape: Sequence[int], phi: float) -> dict:
    """`registration_flops` of a phi-conditioned registration model on any architecture, from its spec.

    The network part is `model.spec.flops(phi, model.task)` (exact, counted on
    the materialised network) for images of `input_shape`; warp and
    integration as in `registration_flops`.
    """
    phi = validate_phi(phi)
    *spatial, channels = (int(n) for n in input_shape)
    unet = model.spec.with_input_shape(input_shape).flops(phi, model.task)["total"]
    return _with_tail(unet, spatial, channels, model.task.int_steps, model.task.int_downsize)


def _with_tail(unet: int, spatial, channels: int, int_steps: int, int_downsize: int) -> dict:
    """`{"unet", "warp", "integration", "total"}`: the network's FLOPs plus the warp and the integration."""
    d = len(spatial)
    warp_cost = warp_flops(spatial, channels)
    integration = 0
    if int_steps > 0:
        low = spatial
        if int_downsize > 1:
            low = [zoomed_size(n, 1.0 / int_downsize) for n in spatial]
            # resize down and back up (values scaled on the smaller grid)
            integration += resize_flops(low, d) + resize_flops(spatial, d) + 2 * d * math.prod(low)
        integration += d * math.prod(low)  # v / 2**int_steps
        integration += int_steps * (warp_flops(low, d) + d * math.prod(low))  # v = v + warp(v, v)
    return {"unet": unet, "warp": warp_cost, "integration": integration, "total": unet + warp_cost + integration}


def warp_labels(labels, displacement, chunk_size: int = 16) -> np.ndarray:
    """Warp integer label maps `(N, *spatial)` by displacements (nearest neighbour, clamped edges)."""
    labels = np.asarray(labels)
    displacement = np.asarray(displacement, np.float32)
    out = []
    for start in range(0, labels.shape[0], chunk_size):
        part = slice(start, start + chunk_size)
        out.append(to_numpy(warp(labels[part][..., None], displacement[part], "nearest"))[..., 0])
    return np.concatenate(out, axis=0).astype(labels.dtype, copy=False)


def _displacement_function(model, phi, batch_size):
    """`f(moving, fixed) -> displacement` for a phi-conditioned or a Fixed network."""
    if is_phi_registration_model(model):
        return lambda m, f: model.register(m, f, phi=phi, batch_size=batch_size)
    net = displacement_model(model)
    return lambda m, f: net.predict([m, f], batch_size=batch_size, verbose=0)


def evaluate_registration(
    model,
    pairs: RegistrationPairs,
    phi: float | None = None,
    batch_size: int = 8,
    arch: dict | None = None,
) -> dict:
    """Register every pair and score it: Dice after vs before, folding, GFLOPs, latency.

    Args:
        model: a phi-conditioned network (`SSHNVxmDense`, ...) or a Fixed /
            materialised one (`build_vxm_dense`).
        pairs: the evaluation pairs.
        phi: phi of a phi-conditioned model (None: its inference phi); must
            be None for a Fixed network.
        batch_size: inference batch size.
        arch: `build_vxm_dense` arguments for the FLOPs (default: the
            model's `registration_arguments()`, or its spec for a model on
            another layout; required for a Fixed network, together with its
            phi as `arch["phi"]`).

    Returns:
        A row: `phi`, `dice_mean`, `dice_std` (over pairs of the per-pair
        mean over structures), `dice_per_label` (`{name: mean over pairs}`),
        `dice_before_mean`, `dice_before_std`, `nonpositive_jacobian`
        (mean fraction of voxels with det(J) <= 0), `gflops`,
        `gflops_unet` (per pair) and `latency_ms` (per batch, after a
        warm-up batch).

    Raises:
        ValueError: for a phi given to a Fixed network, or a Fixed network
            without `arch`.
    """
    phi_model = is_phi_registration_model(model)
    if not phi_model and phi is not None:
        raise ValueError(f"{model.name!r} is a Fixed network (phi built in); do not pass `phi`.")
    by_spec = phi_model and arch is None and not isinstance(model.spec, UNetSpec)  # VoxelMorph's layout: count its spec
    if by_spec:
        arch = {}
    elif arch is None:
        if not phi_model:
            raise ValueError("A Fixed network needs `arch`: its build_vxm_dense arguments, with 'phi'.")
        arch = model.registration_arguments()
    arch = dict(arch)
    if phi_model:
        arch.pop("phi", None)
        phi = float(model.inference_phi.numpy()) if phi is None else validate_phi(phi)
    else:
        if "phi" not in arch:
            raise ValueError(f"`arch` of a Fixed network must hold its 'phi'. Received keys {sorted(arch)}")
        phi = validate_phi(arch.pop("phi"))
    predict = _displacement_function(model, phi if phi_model else None, batch_size)
    predict(pairs.moving[:batch_size], pairs.fixed[:batch_size])  # warm-up: trace outside the timing
    start = time.perf_counter()
    displacement = np.asarray(predict(pairs.moving, pairs.fixed))
    elapsed = time.perf_counter() - start

    structures = pairs.structures
    warped = warp_labels(pairs.moving_labels, displacement)
    after, _ = label_map_dice(pairs.fixed_labels, warped, structures)
    before, _ = label_map_dice(pairs.fixed_labels, pairs.moving_labels, structures)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # structures absent from a pair: NaN, left out
        per_pair, per_pair_before = np.nanmean(after, axis=1), np.nanmean(before, axis=1)
        per_label = np.nanmean(after, axis=0)
    if by_spec:
        flops = model_registration_flops(model, pairs.image_shape, phi)
    else:
        flops = registration_flops(**{**arch, "input_shape": pairs.image_shape}, phi=phi)
    n_batches = int(np.ceil(pairs.num_pairs / batch_size))
    return {
        "phi": phi,
        "dice_mean": float(np.nanmean(per_pair)),
        "dice_std": float(np.nanstd(per_pair)),
        "dice_per_label": {pairs.label_names[k]: float(v) for k, v in zip(structures, per_label)},
        "dice_before_mean": float(np.nanmean(per_pair_before)),
        "dice_before_std": float(np.nanstd(per_pair_before)),
        "nonpositive_jacobian": float(np.mean(nonpositive_jacobian_fraction(displacement))),
        "gflops": flops["total"] / 1e9,
        "gflops_unet": flops["unet"] / 1e9,
        "latency_ms": 1000.0 * elapsed / n_batches,
    }


def sweep_registration_phi(model, pairs: RegistrationPairs, phis, batch_size: int = 8, progress: bool = True) -> list:
    """`evaluate_registration` of a phi-conditioned network at each phi (a progress bar, one row per phi).

    The network is built once: phi is an input of its functional network,
    so the sweep pays no rebuild or retrace per phi.

    Args:
        model: `SSHNVxmDense`, `StochasticVxmDense` or `FiLMVxmDense`.
        pairs: the evaluation pairs.
        phis: phi values in (0, 1] (see `sshn_keras.sweep.phi_grid`).
        batch_size: inference batch size.
        progress: show a tqdm progress bar.

    Returns:
        A list of rows (see `evaluate_registration`).

    Raises:
        TypeError: for a network without a phi input (use `sweep_registration_fixed`).
    """
    if not is_phi_registration_model(model):
        raise TypeError(f"{model.name!r} has its phi built in; use `sweep_registration_fixed`.")
    phis = [validate_phi(p) for p in phis]
    return [
        evaluate_registration(model, pairs, phi, batch_size)
        for phi in progress_bar(phis, progress, desc="phi sweep (registration)")
    ]


def sweep_registration_fixed(model, pairs: RegistrationPairs, phi: float, arch: dict, batch_size: int = 8) -> dict:
    """The row of `sweep_registration_phi` for a Fixed network at its own `phi` (`arch`: its `build_vxm_dense` arguments)."""
    return evaluate_registration(model, pairs, None, batch_size, arch={**arch, "phi": validate_phi(phi)})
