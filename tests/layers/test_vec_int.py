"""Tests of `VecInt` (scaling and squaring of a stationary velocity field)."""

import numpy as np
import pytest
import keras
from scipy.ndimage import gaussian_filter

from registration_reference import scaling_and_squaring_reference
from sshn_keras.layers.vec_int import VecInt

SHAPES = {"2d": (12, 14), "3d": (7, 8, 9)}


def smooth_velocity(shape, scale=4.0, seed=0, batch=2):
    rng = np.random.default_rng(seed)
    v = gaussian_filter(rng.standard_normal((batch, *shape, len(shape))), sigma=(0, *[1.5] * len(shape), 0))
    return (scale * v / np.abs(v).max()).astype(np.float32)


@pytest.mark.parametrize("dim", ["2d", "3d"])
@pytest.mark.parametrize("int_steps", [1, 7])
def test_matches_numpy_scaling_and_squaring(dim, int_steps):
    v = smooth_velocity(SHAPES[dim], seed=1)
    out = VecInt(int_steps=int_steps)(v)
    np.testing.assert_allclose(np.asarray(out), scaling_and_squaring_reference(v, int_steps), atol=1e-4, rtol=0)


def test_zero_steps_returns_the_input():
    v = smooth_velocity((6, 7), seed=2)
    np.testing.assert_array_equal(np.asarray(VecInt(int_steps=0)(v)), v)


def test_zero_velocity_gives_zero_displacement():
    v = np.zeros((1, 5, 6, 7, 3), np.float32)
    np.testing.assert_array_equal(np.asarray(VecInt()(v)), v)


def test_constant_velocity_is_a_translation():
    v = np.full((1, 10, 10, 2), 0.75, np.float32)
    np.testing.assert_allclose(np.asarray(VecInt()(v)), v, atol=1e-5)


def test_xy_indexing_is_consistent_with_ij():
    v = smooth_velocity(SHAPES["3d"], seed=3)
    ij = np.asarray(VecInt()(v))
    xy = np.asarray(VecInt(indexing="xy")(v[..., [1, 0, 2]]))
    np.testing.assert_allclose(xy[..., [1, 0, 2]], ij, atol=1e-6)


def test_symbolic_config_and_save(tmp_path):
    inputs = keras.Input((None, None, 2), name="velocity")
    layer = VecInt(int_steps=5, name="integrate")
    out = layer(inputs)
    assert tuple(out.shape) == (None, None, None, 2)
    config = layer.get_config()
    assert (config["int_steps"], config["method"], config["indexing"]) == (5, "ss", "ij")
    assert VecInt.from_config(config).get_config() == config
    model = keras.Model(inputs, out)
    model.save(tmp_path / "vecint.keras")
    loaded = keras.models.load_model(tmp_path / "vecint.keras", safe_mode=True)
    v = smooth_velocity((9, 10), seed=4)
    np.testing.assert_array_equal(loaded.predict(v, verbose=0), model.predict(v, verbose=0))


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"int_steps": -1}, "int_steps"),
        ({"int_steps": 2.5}, "int_steps"),
        ({"method": "rk45"}, "method"),
        ({"indexing": "ji"}, "indexing"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        VecInt(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="ndims"):
        VecInt()(np.zeros((1, 5, 6, 3), np.float32))
    with pytest.raises(ValueError, match="single"):
        VecInt()([np.zeros((1, 5, 6, 2), np.float32)])
    bad = np.zeros((1, 5, 6, 2), np.float32)
    bad[0, 2, 2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        VecInt()(bad)
