"""`VxmDense` against VoxelMorph 0.2's own TensorFlow model (fixtures from tests/fixtures/make_vxm_fixtures.py)."""

from pathlib import Path

import keras
import numpy as np
import pytest

from sshn_keras.registration.vxm_dense import VxmDense, unet_features

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vxm"

# The VxmDense arguments each fixture was made with (make_vxm_fixtures.MODELS).
CONFIGS = {
    "vxm2d": dict(inshape=(64, 64)),
    "vxm3d": dict(inshape=(16, 16, 16), nb_unet_features=4, nb_unet_levels=3, unet_feat_mult=2, nb_unet_conv_per_level=2),
    "vxm2d_bidir": dict(
        inshape=(32, 32), nb_unet_features=[[8, 16, 16], [16, 16, 16, 8]], int_steps=5, bidir=True,
        unet_half_res=True, src_feats=2, trg_feats=2,
    ),
}
# Parameter counts VoxelMorph reports for the same arguments.
VXM_PARAMS = {"vxm2d": 109170, "vxm3d": 22655, "vxm2d_bidir": 16658}


def output_names(config):
    return ["moved", "moved_target", "flow"] if config.get("bidir") else ["moved", "flow"]


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_voxelmorph_weights_give_voxelmorphs_outputs(name):
    config = CONFIGS[name]
    model = VxmDense(**config)
    assert model.count_params() == VXM_PARAMS[name]
    model.load_weights(FIXTURES / f"{name}.h5")
    ref = np.load(FIXTURES / f"{name}.npz")
    outputs = model.predict([ref["source"], ref["target"]], verbose=0)
    for key, out in zip(output_names(config), outputs):
        diff = float(np.abs(out - ref[key]).max())
        print(f"{name} {key}: max abs diff {diff:.2e} (max |value| {np.abs(ref[key]).max():.2f})")
        assert out.shape == ref[key].shape
        assert diff <= 1e-5
    warp = model.register(ref["source"], ref["target"])
    diff = float(np.abs(warp - ref["warp"]).max())
    print(f"{name} warp (register): max abs diff {diff:.2e} (max |warp| {np.abs(ref['warp']).max():.2f} voxels)")
    assert diff <= 1e-5
    assert np.abs(ref["warp"]).max() > 1.0  # the warp moves voxels, so interpolation is exercised


def test_names_match_voxelmorph():
    model = VxmDense(**CONFIGS["vxm2d"])
    assert [t.name for t in model.inputs] == ["vxm_dense_source_input", "vxm_dense_target_input"]
    assert model.output_names == ["vxm_dense_transformer", "vxm_dense_flow_resize"]
    assert [tuple(o.shape) for o in model.outputs] == [(None, 64, 64, 1), (None, 32, 32, 2)]
    flow = model.get_layer("vxm_dense_flow")
    assert flow.kernel_size == (3, 3) and float(np.std(flow.get_weights()[0])) < 1e-4  # RandomNormal(0, 1e-5)
    assert isinstance(model.get_layer("vxm_dense_unet_enc_pooling_0"), keras.layers.MaxPooling2D)
    assert model.get_layer("vxm_dense_unet_dec_upsample_0").interpolation == "nearest"


def test_loads_a_full_model_h5_saved_by_voxelmorph():
    config = CONFIGS["vxm2d_bidir"]
    model = VxmDense(**config)
    model.load_weights(FIXTURES / "vxm2d_bidir_full.h5")  # written by VoxelMorph's model.save
    ref = np.load(FIXTURES / "vxm2d_bidir.npz")
    moved = model.predict([ref["source"], ref["target"]], verbose=0)[0]
    assert float(np.abs(moved - ref["moved"]).max()) <= 1e-5


def test_other_model_name_loads_by_layer_order():
    model = VxmDense(**CONFIGS["vxm2d_bidir"], name="my_vxm")
    model.load_weights(FIXTURES / "vxm2d_bidir.h5")
    ref = np.load(FIXTURES / "vxm2d_bidir.npz")
    assert float(np.abs(model.register(ref["source"], ref["target"]) - ref["warp"]).max()) <= 1e-5


def test_weights_of_another_architecture_give_a_clear_error():
    fewer_convs = VxmDense(inshape=(64, 64), nb_unet_features=[[16, 32, 32, 32], [32, 32, 32, 32, 32, 16]])
    with pytest.raises(ValueError, match="holds weights for 12 layers.*has 11 layers"):
        fewer_convs.load_weights(FIXTURES / "vxm2d.h5")
    other_widths = VxmDense(inshape=(64, 64), nb_unet_features=[[16, 32, 32, 32], [32, 32, 32, 32, 32, 16, 8]])
    with pytest.raises(ValueError, match=r"vxm_dense_unet_dec_final_conv_2.*expected shapes \[\(3, 3, 16, 8\), \(8,\)\], "
                       r"received \[\(3, 3, 16, 16\), \(16,\)\]"):
        other_widths.load_weights(FIXTURES / "vxm2d.h5")
    two_channels = VxmDense(inshape=(64, 64), src_feats=2)
    with pytest.raises(ValueError, match="expected shapes"):
        two_channels.load_weights(FIXTURES / "vxm2d.h5")


def test_keras_save_load_and_apply_transform(tmp_path):
    config = CONFIGS["vxm2d_bidir"]
    model = VxmDense(**config)
    model.load_weights(FIXTURES / "vxm2d_bidir.h5")
    ref = np.load(FIXTURES / "vxm2d_bidir.npz")
    path = tmp_path / "vxm.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is VxmDense and loaded.get_config() == model.get_config()
    np.testing.assert_allclose(loaded.register(ref["source"], ref["target"]), ref["warp"], atol=1e-5)
    # apply_transform warps another image with the registration's warp.
    model.save_weights(tmp_path / "vxm.weights.h5")  # Keras 3's own weights format still loads
    fresh = VxmDense(**config)
    fresh.load_weights(tmp_path / "vxm.weights.h5")
    np.testing.assert_allclose(fresh.register(ref["source"], ref["target"]), ref["warp"], atol=1e-5)
    labels = (ref["source"][..., :1] > 0.5).astype("float32")
    warped = loaded.apply_transform(ref["source"], ref["target"], labels, interp_method="nearest")
    assert warped.shape == labels.shape and set(np.unique(warped)) <= {0.0, 1.0}
    linear = loaded.apply_transform(ref["source"], ref["target"], ref["source"])
    np.testing.assert_allclose(linear, ref["moved"], atol=1e-5)


def test_unet_features_as_voxelmorph_builds_them():
    assert unet_features() == ([16, 32, 32, 32], [32, 32, 32, 32, 32, 16, 16])
    assert unet_features(4, 3, 2, 2) == ([4, 4, 8, 8], [16, 16, 8, 8, 4, 4])
    model = VxmDense(inshape=(32, 32), nb_unet_features=8, nb_unet_levels=3, int_steps=0)
    assert [tuple(o.shape) for o in model.outputs] == [(None, 32, 32, 1), (None, 32, 32, 2)]
    assert model.output_names == ["vxm_dense_transformer", "vxm_dense_flow"]


def test_use_probs_outputs_mean_and_log_sigma():
    model = VxmDense(inshape=(16, 16), nb_unet_features=[[4, 4], [4, 4, 4]], use_probs=True)
    assert [tuple(o.shape) for o in model.outputs] == [(None, 16, 16, 1), (None, 16, 16, 4)]
    assert model.output_names[-1] == "vxm_dense_prob_concat"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(inshape=(64, 64, 1)), "divisible by 16"),
        (dict(inshape=(60, 64)), "divisible by 16"),
        (dict(inshape=(64,)), "2 or 3 positive ints"),
        (dict(inshape=(64, 64), nb_unet_features=16), "nb_unet_levels"),
        (dict(inshape=(64, 64), nb_unet_features=[[16, 32]], nb_unet_levels=2), "only used with an int"),
        (dict(inshape=(64, 64), nb_unet_features=[[16, 32, 32]], nb_unet_conv_per_level=1), "two lists"),
        (dict(inshape=(64, 64), nb_unet_features=[[16, 32, 32], [32, 32, 32]], nb_unet_conv_per_level=2), "multiple"),
        (dict(inshape=(64, 64), int_steps=-1), "int_steps"),
        (dict(inshape=(64, 64), int_resolution=0), "int_resolution"),
        (dict(inshape=(64, 64), reg_field="flow"), "reg_field"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        VxmDense(**kwargs)
