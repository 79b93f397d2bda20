"""Registration: random deformations, training batches, labelled pairs, VoxelMorph-style SSHN networks.

The functional ops live in `sshn_keras.ops` (`warp`, `integrate_velocity`,
`resize_align_corners`, `rescale_flow`, `jacobian_determinant`,
`nonpositive_jacobian_fraction`, `label_map_dice`) and are re-exported here;
the layers built on them in `sshn_keras.layers` (`SpatialTransformer`,
`VecInt`, `RescaleTransform`), the losses in `sshn_keras.losses.registration`.
This package adds `deformations`, `batches` (`scan_to_scan`, VoxelMorph's
generator), `graph` (which layout a network's arguments choose: VoxelMorph's
`VxmDense` U-Net by default, or the package's U-Net), `networks` (Fixed
`build_vxm_dense`, `compile_registration`), `phi_networks` (`SSHNVxmDense`,
`StochasticVxmDense`, `FiLMVxmDense`, with VoxelMorph's constructor;
`phi_vxm_dense` for any method), `pairs` (labelled evaluation pairs), `evaluate` (Dice / folding / GFLOPs sweeps over phi), `export`
(SavedModel), and `vxm_dense` (VoxelMorph's own `VxmDense`, loading its
`.h5` weights through `vxm_weights`) on the shared `registration_model`
base. `sshn_keras.vxm` mirrors VoxelMorph's namespaces on top of these.

Example:
>>> from sshn_keras.registration import SSHNVxmDense, compile_registration, scan_to_scan  # doctest: +SKIP
"""

from sshn_keras.ops.integrate import integrate_velocity
from sshn_keras.ops.jacobian import jacobian_determinant, nonpositive_jacobian_fraction
from sshn_keras.ops.rescale import rescale_flow
from sshn_keras.ops.resize import resize_align_corners
from sshn_keras.ops.warp import warp
from sshn_keras.registration.batches import as_tuples, pair_batches, scan_to_scan
from sshn_keras.registration.deformations import make_registration_pairs, random_displacement
from sshn_keras.registration.evaluate import (
    evaluate_registration,
    registration_flops,
    sweep_registration_fixed,
    sweep_registration_phi,
    warp_labels,
)
from sshn_keras.registration.export import export_registration_saved_model
from sshn_keras.registration.networks import build_vxm_dense, compile_registration, displacement_model
from sshn_keras.registration.pairs import RegistrationPairs, deformed_pairs, load_oasis_pairs, subject_pairs
from sshn_keras.registration.registration_model import RegistrationModel
from sshn_keras.registration.vxm_dense import VxmDense
from sshn_keras.registration.vxm_weights import load_vxm_h5_weights
from sshn_keras.registration.phi_networks import (
    REGISTRATION_METHODS,
    FiLMVxmDense,
    PhiVxmDense,
    SSHNVxmDense,
    StochasticVxmDense,
    is_phi_registration_model,
    phi_vxm_dense,
)

__all__ = [
    "FiLMVxmDense",
    "PhiVxmDense",
    "REGISTRATION_METHODS",
    "RegistrationModel",
    "RegistrationPairs",
    "SSHNVxmDense",
    "StochasticVxmDense",
    "VxmDense",
    "as_tuples",
    "build_vxm_dense",
    "compile_registration",
    "deformed_pairs",
    "displacement_model",
    "evaluate_registration",
    "export_registration_saved_model",
    "integrate_velocity",
    "is_phi_registration_model",
    "jacobian_determinant",
    "load_vxm_h5_weights",
    "load_oasis_pairs",
    "make_registration_pairs",
    "nonpositive_jacobian_fraction",
    "pair_batches",
    "phi_vxm_dense",
    "random_displacement",
    "registration_flops",
    "rescale_flow",
    "resize_align_corners",
    "scan_to_scan",
    "subject_pairs",
    "sweep_registration_fixed",
    "sweep_registration_phi",
    "warp",
    "warp_labels",
]
