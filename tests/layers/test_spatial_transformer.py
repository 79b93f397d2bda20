"""Tests of `SpatialTransformer` (pull warp by a dense displacement field)."""

import numpy as np
import pytest
import keras
import tensorflow as tf

from registration_reference import identity_grid, warp_reference
from sshn_keras.layers.spatial_transformer import SpatialTransformer

SHAPES = {"2d": (9, 11), "3d": (6, 7, 8)}


def random_pair(shape, channels=3, batch=2, scale=3.0, seed=0):
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((batch, *shape, channels)).astype(np.float32)
    flow = (scale * rng.standard_normal((batch, *shape, len(shape)))).astype(np.float32)
    return image, flow


@pytest.mark.parametrize("dim", ["2d", "3d"])
@pytest.mark.parametrize("interpolation,order", [("linear", 1), ("nearest", 0)])
@pytest.mark.parametrize("fill_value", [None, -2.5])
def test_matches_scipy_map_coordinates(dim, interpolation, order, fill_value):
    # Flows of about 3 voxels send many samples outside: both edge modes are exercised.
    image, flow = random_pair(SHAPES[dim], seed=1)
    out = SpatialTransformer(interpolation, fill_value=fill_value)([image, flow])
    ref = warp_reference(image, flow, order=order, fill_value=fill_value)
    np.testing.assert_allclose(np.asarray(out), ref, atol=1e-5, rtol=0)
    if fill_value is not None:
        loc = identity_grid(SHAPES[dim])[None] + flow
        outside = np.any((loc < 0) | (loc > np.array(SHAPES[dim]) - 1), axis=-1)
        assert outside.mean() > 0.2
        assert np.all(np.asarray(out)[outside] == np.float32(fill_value))


@pytest.mark.parametrize("dim", ["2d", "3d"])
@pytest.mark.parametrize("interpolation", ["linear", "nearest"])
@pytest.mark.parametrize("fill_value", [None, 7.0])
def test_zero_flow_is_identity(dim, interpolation, fill_value):
    image, flow = random_pair(SHAPES[dim], seed=2)
    out = SpatialTransformer(interpolation, fill_value=fill_value)([image, np.zeros_like(flow)])
    np.testing.assert_array_equal(np.asarray(out), image)


@pytest.mark.parametrize("interpolation", ["linear", "nearest"])
def test_integer_translation_2d_is_exact(interpolation):
    image, _ = random_pair((10, 12), channels=2, seed=3)
    flow = np.zeros((2, 10, 12, 2), np.float32)
    flow[..., 0], flow[..., 1] = 2.0, -3.0
    clamped = np.asarray(SpatialTransformer(interpolation)([image, flow]))
    filled = np.asarray(SpatialTransformer(interpolation, fill_value=0.5)([image, flow]))
    # out[i, j] = image[i + 2, j - 3] inside; clamped / filled outside.
    np.testing.assert_array_equal(clamped[:, :8, 3:], image[:, 2:, :9])
    np.testing.assert_array_equal(clamped[:, 8:, 3:], np.broadcast_to(image[:, 9:10, :9], clamped[:, 8:, 3:].shape))
    np.testing.assert_array_equal(filled[:, :8, 3:], image[:, 2:, :9])
    assert np.all(filled[:, 8:] == 0.5) and np.all(filled[:, :, :3] == 0.5)


def test_integer_translation_3d_is_exact():
    image, _ = random_pair((5, 6, 7), channels=1, seed=4)
    flow = np.zeros((2, 5, 6, 7, 3), np.float32)
    flow[..., 0], flow[..., 1], flow[..., 2] = -1.0, 2.0, 1.0
    out = np.asarray(SpatialTransformer()([image, flow]))
    np.testing.assert_array_equal(out[:, 1:, :4, :6], image[:, :4, 2:, 1:])


def test_xy_indexing_swaps_the_first_two_channels():
    image, flow = random_pair((5, 6, 7), seed=5)
    swapped = flow[..., [1, 0, 2]]
    ij = SpatialTransformer()([image, flow])
    xy = SpatialTransformer(indexing="xy")([image, swapped])
    np.testing.assert_array_equal(np.asarray(ij), np.asarray(xy))


def test_nearest_rounds_half_to_even():
    image = np.arange(8, dtype=np.float32).reshape(1, 8, 1, 1)
    flow = np.zeros((1, 8, 1, 2), np.float32)
    flow[..., 0] = 0.5  # sample at i + 0.5
    out = np.asarray(SpatialTransformer("nearest")([image, flow]))[0, :, 0, 0]
    expected = np.clip(np.round(np.arange(8) + 0.5), 0, 7)  # numpy rounds half to even too
    np.testing.assert_array_equal(out, expected)


def test_nearest_keeps_integer_labels():
    labels = np.random.default_rng(6).integers(0, 5, (2, 6, 7, 1)).astype(np.int32)
    flow = random_pair((6, 7), seed=6)[1]
    out = SpatialTransformer("nearest", fill_value=0)([labels, flow])
    assert out.dtype == tf.int32
    ref = warp_reference(labels, flow, order=0, fill_value=0)
    np.testing.assert_array_equal(np.asarray(out), ref.astype(np.int32))


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(7)
    image = rng.standard_normal((2, 6, 7, 2)).astype(np.float32)
    # Fractional parts in [0.2, 0.8]: a 1e-2 step stays in the same cell, where
    # linear interpolation is linear, so central differences are exact.
    flow = (rng.integers(-1, 2, (2, 6, 7, 2)) + rng.uniform(0.2, 0.8, (2, 6, 7, 2))).astype(np.float32)
    weights = rng.standard_normal((2, 6, 7, 2)).astype(np.float32)
    layer = SpatialTransformer()
    image_t, flow_t = tf.constant(image), tf.constant(flow)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([image_t, flow_t])
        value = tf.reduce_sum(layer([image_t, flow_t]) * weights)
    d_image, d_flow = tape.gradient(value, [image_t, flow_t])
    assert np.all(np.isfinite(d_image)) and np.any(np.asarray(d_image) != 0)

    def objective(f):
        return float(tf.reduce_sum(layer([image, f]) * weights))

    eps = 1e-2
    for index in [(0, 2, 3, 0), (1, 4, 1, 1), (0, 0, 6, 1)]:
        up, down = flow.copy(), flow.copy()
        up[index] += eps
        down[index] -= eps
        numeric = (objective(up) - objective(down)) / (2 * eps)
        np.testing.assert_allclose(float(d_flow[index]), numeric, rtol=1e-2, atol=1e-3)


def test_symbolic_shapes_and_unknown_sizes():
    image = keras.Input((None, None, 4))
    flow = keras.Input((None, None, 2))
    out = SpatialTransformer()([image, flow])
    assert tuple(out.shape) == (None, None, None, 4)
    model = keras.Model([image, flow], out)
    x, f = random_pair((5, 9), channels=4, seed=8)
    np.testing.assert_allclose(model.predict([x, f], verbose=0), warp_reference(x, f), atol=1e-5)
    layer = SpatialTransformer()
    assert layer.compute_output_shape([(None, 8, None, 1), (None, None, 9, 2)]) == (None, 8, 9, 1)


def test_config_round_trip_and_save(tmp_path):
    layer = SpatialTransformer("nearest", indexing="xy", fill_value=3, name="warp")
    config = layer.get_config()
    assert {k: config[k] for k in ("interp_method", "indexing", "fill_value")} == {
        "interp_method": "nearest",
        "indexing": "xy",
        "fill_value": 3.0,
    }
    clone = SpatialTransformer.from_config(config)
    assert clone.get_config() == config

    image = keras.Input((6, 7, 1), name="image")
    flow = keras.Input((6, 7, 2), name="flow")
    model = keras.Model([image, flow], SpatialTransformer(fill_value=0.0, name="transformer")([image, flow]))
    path = tmp_path / "warp.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    x, f = random_pair((6, 7), channels=1, seed=9)
    np.testing.assert_array_equal(loaded.predict([x, f], verbose=0), model.predict([x, f], verbose=0))


def test_fit_step_trains_a_flow():
    # A tiny VoxelMorph-like model: conv on [moving, fixed] -> flow -> warp.
    moving = keras.Input((12, 12, 1))
    fixed = keras.Input((12, 12, 1))
    x = keras.layers.Concatenate()([moving, fixed])
    flow = keras.layers.Conv2D(2, 3, padding="same", kernel_initializer=keras.initializers.RandomNormal(stddev=1e-2))(x)
    moved = SpatialTransformer()([moving, flow])
    model = keras.Model([moving, fixed], moved)
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(10)
    a = rng.random((2, 12, 12, 1)).astype(np.float32)
    b = rng.random((2, 12, 12, 1)).astype(np.float32)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit([a, b], b, epochs=1, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(np.any(w0 != w1) for w0, w1 in zip(before, model.get_weights()))


def test_mixed_precision_policy():
    image, flow = random_pair((6, 7), seed=11)
    out = SpatialTransformer(dtype="mixed_float16")([image, flow])
    assert out.dtype == tf.float16
    np.testing.assert_allclose(np.asarray(out, np.float32), warp_reference(image, flow), atol=2e-2)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"interpolation": "bilinear"}, "interpolation"),
        ({"indexing": "yx"}, "indexing"),
        ({"fill_value": "zero"}, "fill_value"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SpatialTransformer(**kwargs)


def test_bad_inputs():
    image = np.zeros((1, 6, 7, 1), np.float32)
    with pytest.raises(ValueError, match="2 channels"):
        SpatialTransformer()([image, np.zeros((1, 6, 7, 3), np.float32)])
    with pytest.raises(ValueError, match="same spatial shape"):
        SpatialTransformer()([image, np.zeros((1, 6, 8, 2), np.float32)])
    with pytest.raises(ValueError, match="rank"):
        SpatialTransformer()([image, np.zeros((1, 6, 7, 5, 2), np.float32)])
    with pytest.raises(ValueError, match=r"\[image, flow\]"):
        SpatialTransformer()(image)
    with pytest.raises(ValueError, match="2 channels"):
        SpatialTransformer()([keras.Input((6, 7, 1)), keras.Input((6, 7, 3))])
    bad = np.zeros((1, 6, 7, 2), np.float32)
    bad[0, 1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SpatialTransformer()([image, bad])


def test_nan_flow_in_graph_fails_with_a_clear_message():
    layer = SpatialTransformer()
    warp = tf.function(lambda x, f: layer([x, f]))
    image = np.zeros((1, 6, 7, 1), np.float32)
    bad = np.zeros((1, 6, 7, 2), np.float32)
    bad[0, 0, 0, 1] = np.inf
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN or Inf"):
        warp(image, bad)


def test_mismatched_unknown_sizes_in_graph_fail_with_a_clear_message():
    layer = SpatialTransformer()
    spec = tf.TensorSpec((None, None, None, None), tf.float32)
    warp = tf.function(lambda x, f: layer([x, f]), input_signature=[spec, spec])
    image = np.random.default_rng(12).random((1, 6, 7, 1)).astype(np.float32)
    flow = np.zeros((1, 6, 7, 2), np.float32)
    np.testing.assert_array_equal(np.asarray(warp(image, flow)), image)
    with pytest.raises(tf.errors.InvalidArgumentError, match="same batch and spatial sizes"):
        warp(image, np.zeros((1, 6, 9, 2), np.float32))
