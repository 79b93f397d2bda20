"""VoxelMorph's layer API: affines, compositions, argument names (references from VoxelMorph 0.2, layers.npz)."""

from pathlib import Path

import keras
import numpy as np
import pytest

from sshn_keras.layers import ComposeTransform, RescaleTransform, ResizeTransform, SpatialTransformer, VecInt

REF = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "vxm" / "layers.npz")
KEYS = ["2d", "3d"]


def ref(key, name):
    return REF[f"{key}_{name}"]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("warp_affine", {}),
        ("warp_affine_corner", {"shift_center": False}),
        ("warp_affine_fill", {"fill_value": 0.0}),
        ("warp_affine_nearest", {"interp_method": "nearest"}),
    ],
)
def test_spatial_transformer_affine_matches_voxelmorph(key, name, kwargs):
    image, affine = ref(key, "image"), ref(key, "affine")
    out = np.asarray(SpatialTransformer(**kwargs)([image, affine]))
    diff = float(np.abs(out - ref(key, name)).max())
    print(f"{key} {name}: max abs diff {diff:.1e}")
    assert diff <= 1e-5
    flat = affine.reshape(affine.shape[0], -1)  # the flattened form
    np.testing.assert_allclose(np.asarray(SpatialTransformer(**kwargs)([image, flat])), out, atol=1e-6)


@pytest.mark.parametrize("key", KEYS)
def test_rescale_and_compose_match_voxelmorph(key):
    affine, affine2, dense = ref(key, "affine"), ref(key, "affine2"), ref(key, "dense")
    np.testing.assert_allclose(np.asarray(RescaleTransform(0.5)(affine)), ref(key, "rescale_affine"), atol=1e-6)
    compose = ComposeTransform()
    cases = {
        "compose_dense_affine": [dense, affine],
        "compose_affine_dense": [affine, dense],
        "compose_affines": [affine, affine2],
        "compose_dense_dense": [dense, 0.5 * dense],
    }
    for name, transforms in cases.items():
        out = np.asarray(compose([keras.ops.convert_to_tensor(t) for t in transforms]))
        diff = float(np.abs(out - ref(key, name)).max())
        print(f"{key} {name}: max abs diff {diff:.1e}")
        assert out.shape == ref(key, name).shape and diff <= 1e-5


def test_identity_affine_is_the_zero_flow():
    image = np.random.default_rng(0).random((2, 7, 6, 5, 1)).astype("float32")
    identity = np.tile(np.eye(3, 4, dtype="float32"), (2, 1, 1))
    np.testing.assert_allclose(np.asarray(SpatialTransformer()([image, identity])), image, atol=1e-6)


def test_voxelmorph_argument_names_and_aliases():
    assert SpatialTransformer(interp_method="nearest").get_config()["interp_method"] == "nearest"
    assert SpatialTransformer(interpolation="nearest").interp_method == "nearest"  # the older spelling
    assert RescaleTransform(2, interpolation="nearest").interp_method == "nearest"
    with pytest.raises(ValueError, match="once"):
        SpatialTransformer(interp_method="nearest", interpolation="linear")
    layer = VecInt(method="ss", int_steps=5, out_time_pt=1)
    assert VecInt.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="out_time_pt"):
        VecInt(out_time_pt=0.5)
    resize = ResizeTransform(2, interp_method="linear")
    flow = np.ones((1, 8, 8, 2), "float32")
    np.testing.assert_allclose(np.asarray(resize(flow)), np.asarray(RescaleTransform(0.5)(flow)))
    assert ResizeTransform.from_config(resize.get_config()).vel_resize == 2.0
    compose = ComposeTransform(interp_method="nearest")
    assert ComposeTransform.from_config(compose.get_config()).get_config() == compose.get_config()


def test_wrong_transform_shapes_name_expected_and_received():
    image = np.zeros((1, 6, 7, 1), "float32")
    with pytest.raises(ValueError, match=r"affine matrix \(batch, 2, 3\).*Received transform shape \(1, 3, 4\)"):
        SpatialTransformer()([image, np.zeros((1, 3, 4), "float32")])
    with pytest.raises(ValueError, match=r"flattened \(batch, 6\).*Received transform shape \(1, 12\)"):
        SpatialTransformer()([image, np.zeros((1, 12), "float32")])
    with pytest.raises(ValueError, match=r"rank 4.*Received transform shape \(1, 6, 7, 1, 2\) \(rank 5\)"):
        SpatialTransformer()([image, np.zeros((1, 6, 7, 1, 2), "float32")])
    with pytest.raises(ValueError, match="indexing='ij'"):
        SpatialTransformer(indexing="xy")([image, np.tile(np.eye(2, 3, dtype="float32"), (1, 1, 1))])
    with pytest.raises(ValueError, match="at least two"):
        ComposeTransform()([np.zeros((1, 6, 7, 2), "float32")])
    with pytest.raises(ValueError, match=r"Received transform shape \(1, 3, 4\)"):
        ComposeTransform()([np.zeros((1, 6, 7, 2), "float32"), np.zeros((1, 3, 4), "float32")])


def test_affine_transformer_in_a_saved_model(tmp_path):
    image = keras.Input((6, 7, 1))
    matrix = keras.Input((2, 3))
    out = SpatialTransformer(interp_method="linear", shift_center=False, name="st")([image, matrix])
    model = keras.Model([image, matrix], out)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(1).random((2, 6, 7, 1)).astype("float32")
    a = np.tile(np.array([[1.0, 0.0, 0.5], [0.0, 1.0, -1.0]], "float32"), (2, 1, 1))
    np.testing.assert_allclose(loaded.predict([x, a], verbose=0), model.predict([x, a], verbose=0), atol=1e-6)
