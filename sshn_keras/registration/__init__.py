"""Registration building blocks: warping functions, random deformations, Jacobians.

The Keras layers built on these live in `sshn_keras.layers`
(`SpatialTransformer`, `VecInt`, `RescaleTransform`) and the losses in
`sshn_keras.losses.registration` (`MSE`, `Grad`, label-map Dice). This
package imports no layers or models (imports flow ops -> layers -> models).
"""

from sshn_keras.registration.deformations import make_registration_pairs, random_displacement
from sshn_keras.registration.jacobian import jacobian_determinant, nonpositive_jacobian_fraction
from sshn_keras.registration.warping import integrate_velocity, rescale_flow, resize_align_corners, warp

__all__ = [
    "integrate_velocity",
    "jacobian_determinant",
    "make_registration_pairs",
    "nonpositive_jacobian_fraction",
    "random_displacement",
    "rescale_flow",
    "resize_align_corners",
    "warp",
]
