"""Registration: warping ops, random deformations, Jacobians, and VoxelMorph-style SSHN networks.

Two levels, kept apart so that imports flow ops -> layers -> models:

* ops (imported with the package; no layers or models): `warping`,
  `deformations`, `jacobian`, and the training batches of `batches`
  (`scan_to_scan`, VoxelMorph's generator). The layers built on the ops
  live in `sshn_keras.layers` (`SpatialTransformer`, `VecInt`,
  `RescaleTransform`), the losses in `sshn_keras.losses.registration`.
* models and what uses them, loaded on first access (`sshn_keras.layers`
  imports `registration.warping`, so importing them here eagerly would be
  a cycle): `graph` (the `VxmDense` layout and convolution factories),
  `networks` (Fixed `build_vxm_dense`, `compile_registration`),
  `phi_networks` (`SSHNVxmDense`, `StochasticVxmDense`, `FiLMVxmDense`),
  `pairs` (labelled evaluation pairs), `evaluate` (Dice / folding / GFLOPs
  sweeps over phi) and `export` (SavedModel); `vxm_dense` (VoxelMorph's
  own `VxmDense`, loading its `.h5` weights through `vxm_weights`) on the
  shared `registration_model` base. `sshn_keras.vxm` mirrors VoxelMorph's
  namespaces on top of these.

Example:
>>> from sshn_keras.registration import SSHNVxmDense, compile_registration, scan_to_scan  # doctest: +SKIP
"""

import importlib

from sshn_keras.registration.batches import as_tuples, pair_batches, scan_to_scan
from sshn_keras.registration.deformations import make_registration_pairs, random_displacement
from sshn_keras.registration.jacobian import jacobian_determinant, nonpositive_jacobian_fraction
from sshn_keras.registration.warping import integrate_velocity, rescale_flow, resize_align_corners, warp

_LAZY = {
    "build_vxm_dense": "networks",
    "compile_registration": "networks",
    "displacement_model": "networks",
    "PhiVxmDense": "phi_networks",
    "SSHNVxmDense": "phi_networks",
    "StochasticVxmDense": "phi_networks",
    "FiLMVxmDense": "phi_networks",
    "REGISTRATION_METHODS": "phi_networks",
    "RegistrationPairs": "pairs",
    "subject_pairs": "pairs",
    "deformed_pairs": "pairs",
    "load_oasis_pairs": "pairs",
    "evaluate_registration": "evaluate",
    "registration_flops": "evaluate",
    "sweep_registration_phi": "evaluate",
    "sweep_registration_fixed": "evaluate",
    "warp_labels": "evaluate",
    "export_registration_saved_model": "export",
    "RegistrationModel": "registration_model",
    "VxmDense": "vxm_dense",
    "load_vxm_h5_weights": "vxm_weights",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = sorted(
    [
        "as_tuples",
        "integrate_velocity",
        "jacobian_determinant",
        "make_registration_pairs",
        "nonpositive_jacobian_fraction",
        "pair_batches",
        "random_displacement",
        "rescale_flow",
        "resize_align_corners",
        "scan_to_scan",
        "warp",
        *_LAZY,
    ]
)
