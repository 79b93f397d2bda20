"""Tests of `RescaleTransform` (resize a flow and scale its values)."""

import numpy as np
import pytest
import keras

from registration_reference import resize_align_corners_reference
from sshn_keras.layers.rescale_transform import RescaleTransform


def random_flow(shape, seed=0, batch=2):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, *shape, len(shape))).astype(np.float32)


@pytest.mark.parametrize("shape", [(8, 10), (4, 6, 8)])
@pytest.mark.parametrize("zoom", [0.5, 2.0])
@pytest.mark.parametrize("interpolation,order", [("linear", 1), ("nearest", 0)])
def test_matches_align_corners_reference(shape, zoom, interpolation, order):
    flow = random_flow(shape, seed=1)
    out = np.asarray(RescaleTransform(zoom, interpolation=interpolation)(flow))
    expected_shape = (2, *[int(n * zoom) for n in shape], len(shape))
    assert out.shape == expected_shape
    ref = zoom * resize_align_corners_reference(flow, zoom, order=order)
    if interpolation == "nearest":
        # Sample positions k * (n - 1) / (m - 1) can sit on a half (4.5 for n=10, m=5):
        # there tf rounds half to even and scipy half up, so compare elsewhere.
        halves = [np.isclose(np.linspace(0, n - 1, int(n * zoom)) % 1, 0.5) for n in shape]
        keep = ~np.any(np.stack(np.meshgrid(*halves, indexing="ij")), axis=0)
        assert keep.mean() > 0.5
        np.testing.assert_allclose(out[:, keep], ref[:, keep], atol=1e-5)
    else:
        np.testing.assert_allclose(out, ref, atol=1e-5)


def test_constant_flow_scales_by_the_factor():
    flow = np.full((1, 8, 8, 8, 3), 1.5, np.float32)
    np.testing.assert_allclose(np.asarray(RescaleTransform(0.5)(flow)), np.full((1, 4, 4, 4, 3), 0.75), atol=1e-6)
    np.testing.assert_allclose(np.asarray(RescaleTransform(2)(flow)), np.full((1, 16, 16, 16, 3), 3.0), atol=1e-6)


def test_corners_are_kept():
    flow = random_flow((6, 9), seed=2)
    out = np.asarray(RescaleTransform(2.0)(flow))
    np.testing.assert_array_equal(out[:, [0, -1]][:, :, [0, -1]], 2.0 * flow[:, [0, -1]][:, :, [0, -1]])


def test_shapes_config_and_save(tmp_path):
    layer = RescaleTransform(1 / 3, name="flow_resize")
    assert layer.compute_output_shape((None, 96, None, 2)) == (None, 32, None, 2)
    inputs = keras.Input((None, 12, 2))
    out = layer(inputs)
    assert tuple(out.shape) == (None, None, 4, 2)
    config = layer.get_config()
    assert (config["zoom_factor"], config["interp_method"]) == (1 / 3, "linear")
    assert RescaleTransform.from_config(config).get_config() == config
    model = keras.Model(inputs, out)
    model.save(tmp_path / "rescale.keras")
    loaded = keras.models.load_model(tmp_path / "rescale.keras", safe_mode=True)
    flow = random_flow((9, 12), seed=3)
    assert loaded.predict(flow, verbose=0).shape == (2, 3, 4, 2)
    np.testing.assert_array_equal(loaded.predict(flow, verbose=0), model.predict(flow, verbose=0))


@pytest.mark.parametrize("zoom", [0, -2.0, float("inf"), "2", None, True])
def test_bad_zoom_factor(zoom):
    with pytest.raises(ValueError, match="zoom_factor"):
        RescaleTransform(zoom)


def test_bad_interpolation_and_inputs():
    with pytest.raises(ValueError, match="interpolation"):
        RescaleTransform(2, interpolation="cubic")
    with pytest.raises(ValueError, match="ndims"):
        RescaleTransform(2)(np.zeros((1, 4, 4, 3), np.float32))
