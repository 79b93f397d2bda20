"""Tests of the Jacobian determinant and the folding check."""

import numpy as np
import pytest

from sshn_keras.ops.jacobian import jacobian_determinant, nonpositive_jacobian_fraction


def identity_grid(shape, dtype):
    """(*shape, ndims) voxel coordinates, ij indexing."""
    return np.moveaxis(np.indices(shape, dtype=dtype), 0, -1)


@pytest.mark.parametrize("shape", [(6, 7, 2), (4, 5, 6, 3), (3, 6, 7, 2), (2, 4, 5, 6, 3)])
def test_zero_flow_has_unit_determinant(shape):
    det = jacobian_determinant(np.zeros(shape, np.float32))
    assert det.shape == shape[:-1]
    np.testing.assert_array_equal(det, 1.0)
    fraction = nonpositive_jacobian_fraction(np.zeros(shape))
    assert np.all(np.asarray(fraction) == 0.0)


def test_matches_linalg_det_of_np_gradient():
    rng = np.random.default_rng(0)
    for shape in [(7, 8), (5, 6, 7)]:
        disp = rng.standard_normal((*shape, len(shape)))
        phi = disp + identity_grid(shape, np.float64)
        # jac[..., i, k] = d phi_k / d x_i
        jac = np.stack([np.gradient(phi, axis=i) for i in range(len(shape))], axis=-2)
        np.testing.assert_allclose(jacobian_determinant(disp), np.linalg.det(jac), atol=1e-10)


def test_affine_determinants():
    shape = (8, 9, 10)
    grid = identity_grid(shape, np.float64)
    stretch = grid * np.array([0.5, 1.0, 2.0])  # x -> diag(1.5, 2, 3) x
    shrink = stretch - grid  # x -> diag(0.5, 1, 2) x
    np.testing.assert_allclose(jacobian_determinant(stretch), 1.5 * 2 * 3)
    np.testing.assert_allclose(jacobian_determinant(shrink), 0.5 * 1 * 2)


def test_folding_is_detected():
    shape = (16, 16)
    grid = identity_grid(shape, np.float64)
    reflect = np.zeros((*shape, 2))
    reflect[..., 0] = -2 * grid[..., 0]  # x0 -> -x0: determinant -1 everywhere
    np.testing.assert_allclose(jacobian_determinant(reflect), -1.0)
    assert nonpositive_jacobian_fraction(reflect) == 1.0
    # A local fold: rows 6..9 pushed past their neighbours.
    local = np.zeros((*shape, 2))
    local[6:10, :, 0] = 5.0
    fraction = nonpositive_jacobian_fraction(local)
    assert 0 < fraction < 0.5
    batch = np.stack([np.zeros((*shape, 2)), local])
    np.testing.assert_allclose(nonpositive_jacobian_fraction(batch), [0.0, fraction])


def test_bad_shapes():
    with pytest.raises(ValueError, match="2D and 3D"):
        jacobian_determinant(np.zeros((5, 5, 5, 5, 4)))
    with pytest.raises(ValueError, match="spatial"):
        jacobian_determinant(np.zeros((5, 2)))
