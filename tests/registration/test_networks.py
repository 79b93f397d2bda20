"""Tests of the VoxelMorph-style registration networks (Fixed, SSHN, Stochastic, FiLM)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.registration import (
    REGISTRATION_METHODS,
    SSHNVxmDense,
    StochasticVxmDense,
    build_vxm_dense,
    compile_registration,
    displacement_model,
    export_registration_saved_model,
)

ARCH = dict(input_shape=(32, 32, 1), filters=4, num_stages=3, int_steps=0)  # the U-Net layout, flow = displacement
METHODS = sorted(REGISTRATION_METHODS)


def images(n=3, shape=(32, 32, 1), seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, *shape), dtype=np.float32), rng.random((n, *shape), dtype=np.float32)


@pytest.mark.parametrize("method", METHODS + ["fixed"])
def test_vxm_interface_and_near_identity_start(method):
    model = build_vxm_dense(**ARCH, phi=0.5) if method == "fixed" else REGISTRATION_METHODS[method](**ARCH)
    moving, fixed = images()
    moved, flow = model.predict([moving, fixed], verbose=0)
    assert moved.shape == moving.shape and flow.shape == (3, 32, 32, 2)
    # The flow head starts near zero (VoxelMorph: stddev 1e-5): an almost identity warp.
    assert np.abs(flow).max() < 1e-2
    np.testing.assert_allclose(moved, moving, atol=1e-2)


def test_3d_and_integration_shapes():
    moving, fixed = images(2, (8, 8, 8, 2))
    model = SSHNVxmDense(input_shape=(8, 8, 8, 2), filters=2, num_stages=2, int_steps=3, int_downsize=2)
    moved, velocity = model([moving, fixed])
    assert moved.shape == (2, 8, 8, 8, 2) and velocity.shape == (2, 4, 4, 4, 3)  # VoxelMorph: pre-integration flow
    assert model.register(moving, fixed, phi=0.3).shape == (2, 8, 8, 8, 3)
    fixed_net = build_vxm_dense((8, 8, 8, 2), phi=0.5, filters=2, num_stages=2, int_steps=0)
    assert [tuple(o.shape) for o in fixed_net.outputs] == [(None, 8, 8, 8, 2), (None, 8, 8, 8, 3)]


@pytest.mark.parametrize("method", METHODS)
def test_materialized_network_predicts_the_same(method):
    # A large flow initialisation gives flows of a few voxels, so the warp is exercised.
    extra = {"int_steps": 2, "int_downsize": 2} if method == "sshn" else {}
    model = REGISTRATION_METHODS[method](**{**ARCH, **extra}, flow_init_stddev=0.5)
    if method == "film":  # FiLM starts as the identity: perturb it so the folding is tested
        for w in model.network.weights:
            if "gamma" in w.path or "beta" in w.path:
                w.assign(np.random.default_rng(0).normal(0, 0.1, w.shape).astype("float32"))
    moving, fixed = images()
    unet = model.materialize(0.3)
    assert not any(isinstance(layer, keras.layers.Layer) and "hyper" in layer.name for layer in unet.layers)
    expected = model.predict([moving, fixed], phi=0.3, verbose=0)
    got = unet.predict([moving, fixed], verbose=0)
    assert np.abs(expected[1]).max() > 0.05
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, atol=1e-4)
    np.testing.assert_allclose(
        displacement_model(unet).predict([moving, fixed], verbose=0), model.register(moving, fixed, phi=0.3), atol=1e-4
    )


def test_config_and_keras_file_round_trip(tmp_path):
    model = SSHNVxmDense(**{**ARCH, "int_steps": 2}, prior=(0.1, 0.4), seed=3, fill_value=0.0, flow_init_stddev=0.3)
    compile_registration(model, lambda_weight=0.02)
    config = model.get_config()
    assert "num_classes" not in config and config["int_steps"] == 2 and config["fill_value"] == 0.0
    clone = SSHNVxmDense.from_config(config)
    assert clone.get_config() == config
    moving, fixed = images()
    path = tmp_path / "sshn_vxm.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(loaded, SSHNVxmDense) and loaded.get_compile_config()["loss_weights"] == [1.0, 0.02]
    assert [type(loss).__name__ for loss in loaded.loss] == ["MSE", "Grad"]
    for a, b in zip(model.predict([moving, fixed], phi=0.2, verbose=0), loaded.predict([moving, fixed], phi=0.2, verbose=0)):
        np.testing.assert_allclose(b, a, atol=1e-6)
    fixed_net = build_vxm_dense(**{**ARCH, "int_steps": 1}, phi=0.25)
    fixed_net.save(tmp_path / "fixed.keras")
    again = keras.saving.load_model(tmp_path / "fixed.keras", safe_mode=True)
    np.testing.assert_allclose(again.predict([moving, fixed], verbose=0)[1], fixed_net.predict([moving, fixed], verbose=0)[1])


def test_export_signatures(tmp_path):
    model = StochasticVxmDense(**ARCH, flow_init_stddev=0.5)
    moving, fixed = images(2)
    serve = tf.saved_model.load(export_registration_saved_model(model, tmp_path / "at_phi", phi=0.3)).signatures[
        "serving_default"
    ]
    out = serve(moving=tf.constant(moving), fixed=tf.constant(fixed))
    assert sorted(out) == ["flow", "moved"]
    moved, flow = model.predict([moving, fixed], phi=0.3, verbose=0)
    np.testing.assert_allclose(out["moved"].numpy(), moved, atol=1e-5)
    np.testing.assert_allclose(out["flow"].numpy(), flow, atol=1e-5)

    whole = tf.saved_model.load(export_registration_saved_model(model, tmp_path / "whole")).signatures["serving_default"]
    out = whole(moving=tf.constant(moving), fixed=tf.constant(fixed), phi=tf.constant(0.3))
    np.testing.assert_allclose(out["flow"].numpy(), flow, atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`phi` must be a finite number in \(0, 1\]"):
        whole(moving=tf.constant(moving), fixed=tf.constant(fixed), phi=tf.constant(0.0))
    with pytest.raises(ValueError, match="only for phi-conditioned"):
        export_registration_saved_model(build_vxm_dense(**ARCH), tmp_path / "x", phi=0.3)
    with pytest.raises(ValueError, match="not empty"):
        export_registration_saved_model(model, tmp_path / "whole")


@pytest.mark.parametrize("method", METHODS + ["fixed"])
def test_every_method_fits_on_voxelmorph_list_generator_with_the_same_outputs_and_history_keys(method):
    model = build_vxm_dense(**ARCH, phi=0.5) if method == "fixed" else REGISTRATION_METHODS[method](**ARCH)
    compile_registration(model, learning_rate=1e-3, lambda_weight=0.01)
    moving, fixed = images(2)

    def vxm_generator():  # VoxelMorph's own format: lists
        while True:
            yield [moving, fixed], [fixed, np.zeros((2, 32, 32, 2), np.float32)]

    history = model.fit(vxm_generator(), steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all() and model.optimizer.iterations.numpy() == 2
    assert sorted(history.history) == ["flow_loss", "loss", "moved_loss"]
    assert list(model.output_names) == ["moved", "flow"]


def test_compile_uses_voxelmorph_losses_and_weights():
    model = compile_registration(build_vxm_dense(**{**ARCH, "int_steps": 2}, int_downsize=2), lambda_weight=0.05)
    mse, grad = model.loss
    assert type(mse).__name__ == "MSE" and grad.penalty == "l2" and grad.loss_mult == 2.0
    assert model.get_compile_config()["loss_weights"] == [1.0, 0.05]
    plain = compile_registration(SSHNVxmDense(**ARCH))
    assert plain.loss[1].loss_mult is None
    with pytest.raises(ValueError, match="lambda_weight"):
        compile_registration(build_vxm_dense(**ARCH), lambda_weight=-1.0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"input_shape": (32, 1)}, "input_shape"),
        ({"input_shape": (32, 32, None)}, "channels"),
        ({"int_steps": -1}, "int_steps"),
        ({"int_downsize": 0}, "int_downsize"),
        ({"input_shape": (30, 32, 1), "int_steps": 2, "int_downsize": 4}, "divisible"),
        ({"fill_value": "zero"}, "fill_value"),
        ({"flow_init_stddev": -1.0}, "flow_init_stddev"),
        ({"filters": 0}, "filters"),
    ],
)
def test_bad_arguments(kwargs, match):
    arch = {**ARCH, **kwargs}
    with pytest.raises(ValueError, match=match):
        build_vxm_dense(**arch)
    with pytest.raises(ValueError, match=match):
        SSHNVxmDense(**arch)


def test_bad_inputs_give_clear_errors():
    model = SSHNVxmDense(**ARCH)
    moving, fixed = images()
    with pytest.raises(ValueError, match=r"same shape.*moving \(3, 32, 32, 1\).*fixed \(3, 24, 32, 1\)"):
        model.predict([moving, fixed[:, :24]], verbose=0)
    with pytest.raises(ValueError, match=r"rank 4"):
        model.predict([moving[..., 0], fixed[..., 0]], verbose=0)
    with pytest.raises(ValueError, match=r"\[moving, fixed\]"):
        model.predict(moving, verbose=0)
    with pytest.raises(ValueError, match=r"two arrays"):
        model.predict([moving, fixed, fixed], verbose=0)
    with pytest.raises(ValueError, match=r"shape \(batch, 32, 32, 1\)"):
        model.predict([moving[..., :1].repeat(2, -1), fixed.repeat(2, -1)], verbose=0)
    with pytest.raises(ValueError, match="same shape"):  # symbolic shapes are checked too (unknown sizes)
        SSHNVxmDense(input_shape=(None, None, 1), filters=4, num_stages=3)([moving, fixed[:, :24]])
    with pytest.raises(ValueError, match="phi"):
        model.predict([moving, fixed], phi=1.5, verbose=0)
    with pytest.raises(ValueError, match="keys 'moving' and 'fixed'"):
        model({"image": moving})


def test_voxelmorph_spelling_of_the_image_shape():
    fixed_net = build_vxm_dense(inshape=(32, 32), filters=4, num_stages=3)
    assert tuple(fixed_net.inputs[0].shape) == (None, 32, 32, 1)
    model = SSHNVxmDense(inshape=(8, 8, 8), src_feats=2, filters=2, num_stages=2)
    assert model.image_shape == (8, 8, 8, 2)
    with pytest.raises(ValueError, match="src_feats"):
        build_vxm_dense(input_shape=(32, 32, 1), src_feats=2)
