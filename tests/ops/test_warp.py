"""Functional warping ops called directly (their layers are tested against references in tests/layers)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.ops.integrate import integrate_velocity
from sshn_keras.ops.rescale import rescale_flow
from sshn_keras.ops.resize import linear_resize, resize_align_corners, zoomed_size
from sshn_keras.ops.warp import swap_xy, warp


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("interpolation", ["linear", "nearest"])
def test_integer_shift_moves_the_image(interpolation):
    image = np.arange(20, dtype=np.float32).reshape(1, 4, 5, 1)
    flow = np.zeros((1, 4, 5, 2), np.float32)
    flow[..., 1] = 1.0  # pull from one column to the right
    out = _np(warp(image, flow, interpolation))
    np.testing.assert_array_equal(out[0, :, :4, 0], image[0, :, 1:, 0])
    np.testing.assert_array_equal(out[0, :, 4, 0], image[0, :, 4, 0])  # clamped edge
    filled = _np(warp(image, flow, interpolation, fill_value=-1.0))
    np.testing.assert_array_equal(filled[0, :, 4, 0], -1.0)


def test_linear_warp_interpolates_between_voxels():
    image = np.array([0.0, 10.0, 20.0], np.float32).reshape(1, 3, 1)
    flow = np.full((1, 3, 1), 0.25, np.float32)
    np.testing.assert_allclose(_np(warp(image, flow))[0, :, 0], [2.5, 12.5, 20.0])


def test_xy_indexing_swaps_channels():
    flow = np.random.default_rng(0).normal(size=(1, 3, 4, 2)).astype(np.float32)
    np.testing.assert_array_equal(_np(swap_xy(flow)), flow[..., ::-1])


def test_integration_of_a_constant_velocity_is_a_translation():
    velocity = np.full((1, 8, 8, 2), 0.5, np.float32)
    disp = _np(integrate_velocity(velocity, int_steps=4))
    np.testing.assert_allclose(disp[:, 2:-2, 2:-2], 0.5, atol=1e-6)
    assert integrate_velocity(velocity, int_steps=0) is velocity


def test_resize_align_corners_keeps_corners_and_sizes():
    x = np.random.default_rng(1).normal(size=(1, 5, 7, 2)).astype(np.float32)
    y = _np(resize_align_corners(x, 2.0))
    assert y.shape == (1, zoomed_size(5, 2.0), zoomed_size(7, 2.0), 2) == (1, 10, 14, 2)
    np.testing.assert_allclose(y[0, [0, -1]][:, [0, -1]], x[0, [0, -1]][:, [0, -1]], rtol=1e-6)
    assert zoomed_size(96, 1 / 3) == 32 and zoomed_size(None, 0.5) is None


def test_rescale_flow_scales_values_with_the_grid():
    flow = np.ones((1, 4, 4, 2), np.float32)
    np.testing.assert_allclose(_np(rescale_flow(flow, 0.5)), 0.5)
    np.testing.assert_allclose(_np(rescale_flow(flow, 2.0)), 2.0)


def test_linear_resize_2d_is_tf_bilinear_and_3d_is_separable():
    x = np.random.default_rng(2).normal(size=(2, 6, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(_np(linear_resize(x, (3, 4))), _np(tf.image.resize(x, (3, 4))), rtol=1e-6)
    constant = np.full((1, 4, 6, 5, 2), 3.0, np.float32)
    np.testing.assert_allclose(_np(linear_resize(constant, (2, 3, 7))), 3.0)


def test_old_import_paths_re_export_the_ops():
    from sshn_keras import labels, ops
    from sshn_keras.layers import sizes
    from sshn_keras.registration import jacobian, warping

    assert warping.warp is warp and warping.integrate_velocity is integrate_velocity
    assert warping.rescale_flow is rescale_flow and warping.resize_align_corners is resize_align_corners
    assert jacobian.jacobian_determinant is ops.jacobian_determinant
    assert sizes.scaled_size is ops.scaled_size and labels.to_one_hot is ops.to_one_hot
