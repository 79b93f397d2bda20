"""Random smooth deformations; they live in `sshn_keras.ops.deformations` (re-exported here)."""

from sshn_keras.ops.deformations import make_registration_pairs, random_displacement

__all__ = ["make_registration_pairs", "random_displacement"]
