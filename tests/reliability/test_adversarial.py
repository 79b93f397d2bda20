"""Bad inputs a careless user gives, on every path data can take (numpy, tensors, tf.data, dicts,
`tf.function`, `predict` / `evaluate` / `fit`, both SavedModels), and the state a call must not change.

Each case asserts a clear error (naming the argument, the value and the form expected) or the
correct answer. Cases are listed, not drawn at random (the seeded fuzz test is `test_fuzz.py`).
"""

import errno
import json
import logging
import os
import tarfile
import io

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras import cli
from sshn_keras.data.download import UnsafeArchiveError, safe_extract
from sshn_keras.export import export_saved_model, load_saved_model
from sshn_keras.locking import LOCK_FILE, FolderInUseError, FolderLock
from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.models import FiLMUNet, SSHNUNet, StochasticUNet, build_unet
from sshn_keras.priors import UniformPrior
from sshn_keras.resumable import STATE_FILE, fit_resumable, remove_old_checkpoints
from sshn_keras.saving import load_model

ARCH = dict(input_shape=(16, 16, 1), num_classes=3, filters=2, num_stages=3)
RNG = np.random.default_rng(0)
X = RNG.uniform(size=(8, 16, 16, 1)).astype("float32")
Y = RNG.integers(0, 3, size=(8, 16, 16)).astype("int32")
INVALID = tf.errors.InvalidArgumentError


@pytest.fixture(scope="module")
def sshn():
    model = SSHNUNet(**ARCH, inference_phi=0.25)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    return model


@pytest.fixture(scope="module")
def served(sshn, tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    whole = load_saved_model(export_saved_model(sshn, folder / "whole")).signatures["serving_default"]
    at_phi = load_saved_model(export_saved_model(sshn, folder / "at_phi", phi=0.3)).signatures["serving_default"]
    return whole, at_phi


def _dict_dataset(phis, batch=8):
    return tf.data.Dataset.from_tensor_slices(({"image": X, "phi": phis}, Y)).batch(batch)


# -- 1. a per-sample phi is refused, not truncated --------------------------------------------------

PER_SAMPLE = np.array([[0.1], [0.5]] * 4, "float32")
ONE_PHI_MESSAGE = r"`phi` must be one value for the whole batch .*Received phi =\] \[0\.1 0\.5"


def test_per_sample_phi_is_refused_by_predict_evaluate_and_tf_function(sshn):
    with pytest.raises(INVALID, match=ONE_PHI_MESSAGE):
        sshn.predict({"image": X, "phi": PER_SAMPLE}, batch_size=8, verbose=0)
    with pytest.raises(INVALID, match=ONE_PHI_MESSAGE):
        sshn.evaluate(_dict_dataset(PER_SAMPLE), verbose=0)
    with pytest.raises(INVALID, match=ONE_PHI_MESSAGE):
        tf.function(lambda x, p: sshn({"image": x, "phi": p}))(tf.constant(X), tf.constant(PER_SAMPLE))
    with pytest.raises(TypeError, match="single number"):  # eager call
        sshn({"image": X, "phi": PER_SAMPLE})


def test_a_column_of_one_phi_is_that_phi(sshn):
    column = np.full((8, 1), 0.4, "float32")
    expected = sshn.predict(X, phi=0.4, verbose=0)
    np.testing.assert_allclose(sshn.predict({"image": X, "phi": column}, batch_size=4, verbose=0), expected, atol=1e-6)
    traced = tf.function(lambda x, p: sshn({"image": x, "phi": p}))(tf.constant(X), tf.constant(column))
    np.testing.assert_allclose(traced.numpy(), expected, atol=1e-6)


# -- 2. phi in a dict is checked in graph mode --------------------------------------------------------


@pytest.mark.parametrize("phi", [0.0, -1.0, 3.0, float("nan"), float("inf")], ids=["zero", "minus-1", "3", "nan", "inf"])
def test_bad_phi_in_a_dict_is_refused_in_graph_mode(sshn, phi):
    phis = np.full((8, 1), phi, "float32")
    message = r"`phi` must be a finite number in \(0, 1\]\. Received phi ="
    with pytest.raises(INVALID, match=message):
        sshn.predict({"image": X, "phi": phis}, batch_size=8, verbose=0)
    with pytest.raises(INVALID, match=message):
        sshn.evaluate(_dict_dataset(phis), verbose=0)
    with pytest.raises(INVALID, match=message):
        tf.function(lambda x, p: sshn({"image": x, "phi": p}))(tf.constant(X), tf.constant(phis))
    with pytest.raises((ValueError, TypeError), match="phi"):  # eager
        sshn({"image": X, "phi": phi})


# -- 3, 4. labels are checked on every path --------------------------------------------------------------

LABEL_RANGE = r"`y` \(integer labels\) must hold whole numbers in \[0, 2\] for 3 classes"
ONE_HOT = r"`y` one-hot labels .* must hold finite values in \[0, 1\] summing to 1"


@pytest.mark.slow
def test_out_of_range_labels_are_refused_on_tensor_and_dataset_paths(sshn):
    masks = np.where(Y > 0, 255, 0).astype("int32")  # raw masks, 255 foreground
    dataset = tf.data.Dataset.from_tensor_slices((X, masks)).batch(4)
    with pytest.raises(INVALID, match=LABEL_RANGE):
        sshn.evaluate(dataset, verbose=0)
    with pytest.raises(INVALID, match=LABEL_RANGE):
        sshn.fit(dataset, epochs=1, verbose=0)
    with pytest.raises(INVALID, match=LABEL_RANGE):
        sshn.evaluate(tf.constant(X), tf.constant(masks), verbose=0)
    with pytest.raises(ValueError, match=r"Received values in \[0, 255\]"):  # numpy path
        sshn.evaluate(X, masks, verbose=0)
    # a plain U-Net shares the loss, so the check
    unet = build_unet(**ARCH)
    unet.compile(optimizer="adam", loss=SegmentationCrossEntropy())
    with pytest.raises(INVALID, match=LABEL_RANGE):
        unet.fit(dataset, epochs=1, verbose=0)
    for bad in (-1.0, 1.5, float("nan")):
        with pytest.raises(INVALID, match=LABEL_RANGE):
            sshn.evaluate(tf.data.Dataset.from_tensor_slices((X, np.full(Y.shape, bad, "float32"))).batch(4), verbose=0)


def test_under_xla_bad_labels_make_the_loss_nan_not_a_wrong_number():
    unet = build_unet(**ARCH)  # XLA drops assertions; the NaN of the bad pixels stays
    unet.compile(optimizer="adam", loss=SegmentationCrossEntropy(), jit_compile=True)
    masks = np.where(Y > 0, 255, 0).astype("int32")
    assert np.isnan(unet.evaluate(tf.data.Dataset.from_tensor_slices((X, masks)).batch(4), verbose=0))
    assert np.isfinite(unet.evaluate(tf.data.Dataset.from_tensor_slices((X, Y)).batch(4), verbose=0))


@pytest.mark.parametrize("fill", [7.0, float("nan"), -1.0], ids=["seven", "nan", "negative"])
def test_bad_one_hot_labels_are_refused(sshn, fill):
    one_hot = np.full((8, 16, 16, 3), fill, "float32")
    with pytest.raises(ValueError, match="One-hot labels `y`"):
        sshn.evaluate(X, one_hot, verbose=0)
    with pytest.raises(INVALID, match=ONE_HOT):
        sshn.evaluate(tf.data.Dataset.from_tensor_slices((X, one_hot)).batch(4), verbose=0)


def test_good_one_hot_labels_give_the_integer_labels_loss(sshn):
    one_hot = np.eye(3, dtype="float32")[Y]
    expected = sshn.evaluate(X, Y, verbose=0)
    assert sshn.evaluate(X, one_hot, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert sshn.evaluate(tf.data.Dataset.from_tensor_slices((X, one_hot)).batch(4), verbose=0) == pytest.approx(
        expected, rel=1e-5
    )


# -- 5. phi= never sticks --------------------------------------------------------------------------------------


def test_predict_and_evaluate_phi_hold_for_that_call_only(sshn, tmp_path):
    at_default = sshn.predict(X, verbose=0)
    sshn.predict(X, phi=0.9, verbose=0)
    sshn.evaluate(X, Y, phi=0.9, verbose=0)
    assert float(sshn.inference_phi.numpy()) == pytest.approx(0.25)
    np.testing.assert_array_equal(sshn.predict(X, verbose=0), at_default)
    with pytest.raises(ValueError, match="phi"):  # a refused phi changes nothing either
        sshn.predict(X, phi=2.0, verbose=0)
    assert float(sshn.inference_phi.numpy()) == pytest.approx(0.25)
    sshn.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.get_config()["inference_phi"] == pytest.approx(0.25)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), at_default, atol=1e-6)


@pytest.mark.slow
def test_fit_after_predict_at_another_phi_is_fit_without_it():
    def train(predict_first, weights=None):
        model = SSHNUNet(**ARCH, inference_phi=0.25, seed=3)
        if weights is not None:
            model.set_weights(weights)
        initial = model.get_weights()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
        if predict_first:
            model.predict(X, phi=0.9, verbose=0)  # must not move validation (or anything) to phi 0.9
            model.evaluate(X, Y, phi=0.9, verbose=0)
        history = model.fit(X, Y, batch_size=8, epochs=1, validation_data=(X, Y), shuffle=False, verbose=0)
        return initial, history.history

    initial, after_predict = train(True)
    _, plain = train(False, initial)
    assert after_predict.keys() == plain.keys()
    for key in plain:
        assert after_predict[key] == pytest.approx(plain[key], rel=1e-6), key


def test_set_inference_phi_is_what_saving_stores(tmp_path):
    model = SSHNUNet(**ARCH, inference_phi=0.25)
    model.set_inference_phi(0.4)
    assert model.get_config()["inference_phi"] == pytest.approx(0.4)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert float(loaded.inference_phi.numpy()) == pytest.approx(0.4)
    assert loaded.get_config()["inference_phi"] == pytest.approx(0.4)


# -- 6, 10. constructor arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: UniformPrior(0.0, 0.5, min_phi=2.0), ValueError, r"`min_phi` must be .* \(0, 0\.5\].*min_phi=2\.0"),
        (lambda: UniformPrior(0.0, 0.5, min_phi=float("nan")), ValueError, "min_phi=nan"),
        (lambda: UniformPrior(0.0, 0.5, min_phi=0.0), ValueError, "min_phi=0.0"),
        (lambda: UniformPrior(0.0, 0.5, min_phi="0.1"), TypeError, "min_phi"),
        (lambda: SSHNUNet(**ARCH, negative_slope=float("nan")), ValueError, "negative_slope=nan"),
        (lambda: SSHNUNet(**ARCH, negative_slope=float("inf")), ValueError, "negative_slope=inf"),
        (lambda: SSHNUNet(**{**ARCH, "filters": 2.5}), TypeError, "`filters` must be an int. Received filters=2.5"),
        (lambda: SSHNUNet(**{**ARCH, "filters": [2, 2.5, 2]}), TypeError, "filters=2.5"),
        (lambda: SSHNUNet(**ARCH, kernel_size=True), TypeError, "kernel_size=True"),
        (lambda: SSHNUNet(**ARCH, kernel_size=2.0), TypeError, "kernel_size=2.0"),
        (lambda: SSHNUNet(**{**ARCH, "num_stages": "3"}), TypeError, "num_stages='3'"),
        (lambda: SSHNUNet(**{**ARCH, "num_classes": 1}), ValueError, "num_classes=1"),
        (lambda: SSHNUNet(**ARCH, seed=1.5), TypeError, "seed=1.5"),
        (lambda: SSHNUNet(**ARCH, hyper_units=(10, 0)), ValueError, "hyper_units"),
        (lambda: SSHNUNet(**ARCH, head_rank=2.5), TypeError, "head_rank=2.5"),
        (lambda: SSHNUNet(**ARCH, normalize_embedding="yes"), TypeError, "normalize_embedding"),
        (lambda: FiLMUNet(**ARCH, film_units=(10, -1)), ValueError, "film_units"),
        (lambda: SSHNUNet(**{**ARCH, "input_shape": (16.5, 16, 1)}), TypeError, "input_shape"),
        (lambda: build_unet(**{**ARCH, "filters": 2.5}), TypeError, "filters=2.5"),
        (lambda: build_unet(**ARCH, kernel_size=True), TypeError, "kernel_size=True"),
        (lambda: build_unet(**ARCH, negative_slope=float("nan")), ValueError, "negative_slope=nan"),
    ],
    ids=["min-phi-2", "min-phi-nan", "min-phi-0", "min-phi-str", "slope-nan", "slope-inf", "filters-2.5",
         "filters-list-2.5", "kernel-true", "kernel-float", "stages-str", "classes-1", "seed-float", "hyper-units-0",
         "head-rank-float", "normalize-str", "film-units", "shape-float", "unet-filters", "unet-kernel-true",
         "unet-slope-nan"],
)
def test_bad_constructor_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_numpy_integers_and_floats_are_accepted(tmp_path):
    model = StochasticUNet(
        input_shape=(np.int64(16), 16, 1), num_classes=np.int64(3), filters=np.int32(2), num_stages=np.int64(3),
        negative_slope=np.float32(0.2), prior=UniformPrior(np.float64(0.1), np.float32(0.5)), seed=np.int64(1),
    )
    config = model.get_config()
    json.dumps(config)  # plain Python numbers: the config is JSON
    assert type(config["num_classes"]) is int and config["num_classes"] == 3
    model.save(tmp_path / "m.keras")
    assert load_model(tmp_path / "m.keras").num_classes == 3
    assert build_unet((16, 16, 1), num_classes=np.int64(3), filters=np.int64(2), num_stages=np.int64(3)).output_shape == (
        None, 16, 16, 3
    )


@pytest.mark.parametrize("name, value", [("batch_size", 0), ("batch_size", -2), ("batch_size", 2.5), ("epochs", 0)])
def test_bad_fit_predict_evaluate_keywords(sshn, name, value):
    error = TypeError if isinstance(value, float) else ValueError
    with pytest.raises(error, match=f"`{name}` must be an int"):
        sshn.fit(X, Y, **{"epochs": 1, name: value}, verbose=0)
    if name == "batch_size":
        with pytest.raises(error, match=name):
            sshn.predict(X, batch_size=value, verbose=0)
        with pytest.raises(error, match=name):
            sshn.evaluate(X, Y, batch_size=value, verbose=0)


# -- 7, 10. images ---------------------------------------------------------------------------------------------

NAN_X = np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X).astype("float32")


def test_nan_images_are_refused_on_every_path(sshn, served):
    message = r"`image` must hold finite values\. Number of NaN or infinite values received:"
    with pytest.raises(INVALID, match=message):
        sshn.predict(tf.constant(NAN_X), verbose=0)
    with pytest.raises(INVALID, match=message):
        sshn.predict(tf.data.Dataset.from_tensor_slices(NAN_X).batch(4), verbose=0)
    with pytest.raises(INVALID, match=message):
        sshn.evaluate(tf.data.Dataset.from_tensor_slices((NAN_X, Y)).batch(4), verbose=0)
    with pytest.raises(INVALID, match=message):
        sshn(tf.constant(NAN_X))
    with pytest.raises(ValueError, match="NaN"):
        sshn.predict(NAN_X, verbose=0)
    whole, at_phi = served
    with pytest.raises(INVALID, match=message):
        whole(image=tf.constant(NAN_X), phi=tf.constant(0.3))
    with pytest.raises(INVALID, match=message):
        at_phi(image=tf.constant(NAN_X))


def test_wrong_images_get_errors_that_name_them(sshn, served):
    whole, at_phi = served
    three = tf.constant(np.repeat(X, 3, axis=-1))
    with pytest.raises(ValueError, match=r"`image` must have 1 channel\(s\) in its last axis. Received shape \(8, 16, 16, 3\)"):
        sshn(three)
    with pytest.raises((ValueError, INVALID), match=r"1 channel\(s\)"):  # at trace or at run time
        sshn.predict(three, verbose=0)
    big = tf.zeros((1, 48, 48, 1))
    with pytest.raises((TypeError, INVALID), match=r"image.*(16, 16|\(None, 16, 16, 1\))"):
        at_phi(image=big)
    with pytest.raises((TypeError, INVALID), match=r"image.*(16, 16|\(None, 16, 16, 1\))"):
        whole(image=big, phi=tf.constant(0.3))


def test_too_small_images_are_refused_by_a_direct_call():
    model = SSHNUNet(input_shape=(None, None, 1), num_classes=3, filters=2, num_stages=3)
    with pytest.raises(ValueError, match=r"`image` must have spatial shape \(any, any\) with at least 4 pixel\(s\) per axis"):
        model(np.zeros((1, 1, 1, 1), "float32"))  # sizes known when traced
    with pytest.raises(INVALID, match=r"at least 4 pixel\(s\) per axis and 1 channel\(s\)\. Received shape"):
        tf.function(model, input_signature=[tf.TensorSpec((None, None, None, 1))])(tf.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="too small"):
        model.predict(np.zeros((1, 1, 1, 1), "float32"), verbose=0)


def test_integer_images_get_a_warning(sshn):
    images = (X * 255).astype("uint8")
    with pytest.warns(UserWarning, match=r"dtype uint8: its values are used as they are .* divide by 255"):
        sshn(tf.constant(images))
    with pytest.warns(UserWarning, match="uint8") as record:
        out = sshn.predict(images, verbose=0)
    assert record and np.isfinite(out).all()  # warned, and still answered (values used as given)


def test_evaluate_without_labels_is_refused_clearly(sshn):
    with pytest.raises(ValueError, match="evaluate needs labels.*Received y=None"):
        sshn.evaluate(X, None, phi=0.3, verbose=0)


# -- 10. the per-request SavedModel's phi ----------------------------------------------------------------------


def test_served_phi_must_be_a_valid_scalar(served):
    whole, _ = served
    with pytest.raises((TypeError, INVALID), match="phi"):
        whole(image=tf.constant(X[:2]), phi=tf.constant([0.3, 0.4]))
    for phi in (0.0, 1.5, float("nan")):
        with pytest.raises(INVALID, match=r"`phi` must be a finite number in \(0, 1\]"):
            whole(image=tf.constant(X[:2]), phi=tf.constant(phi))


def test_served_answers_equal_the_model(sshn, served):
    whole, at_phi = served
    expected = sshn.predict(X, phi=0.3, verbose=0)
    np.testing.assert_allclose(whole(image=tf.constant(X), phi=tf.constant(0.3))["probabilities"], expected, atol=1e-5)
    np.testing.assert_allclose(at_phi(image=tf.constant(X))["probabilities"], expected, atol=1e-5)


# -- 8. one writer per folder; checkpoint cleanup -------------------------------------------------------------


def test_a_second_writer_is_refused_and_a_stale_lock_is_taken_over(tmp_path, caplog):
    unet = build_unet(**ARCH)
    unet.compile(optimizer="adam", loss=SegmentationCrossEntropy())
    backup = tmp_path / "backup"
    with FolderLock(backup):
        with pytest.raises(FolderInUseError, match=rf"in use: another run \(pid {os.getpid()} on host .*lock file"):
            fit_resumable(unet, X, Y, backup_dir=backup, epochs=1, verbose=0)
    assert not backup.exists()  # released and removed (nothing else in it)
    backup.mkdir()
    (backup / LOCK_FILE).write_text(json.dumps({"pid": 2**22 + 12345, "host": "elsewhere", "started": "yesterday"}))
    with caplog.at_level(logging.WARNING, logger="sshn_keras.training"):
        history = fit_resumable(unet, X, Y, backup_dir=backup, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    assert "Taking over" in caplog.text and "pid 4206649 on host elsewhere" in caplog.text
    assert not backup.exists()


def test_the_runner_and_the_cli_refuse_a_folder_in_use(tmp_path, capsys):
    from sshn_keras.experiments.config import PRESETS, ExperimentConfig
    from sshn_keras.experiments.runner import run_experiment

    config = ExperimentConfig.from_dict(PRESETS["synthetic_smoke"].to_dict())
    with FolderLock(tmp_path / "exp"):
        with pytest.raises(FolderInUseError, match="in use"):
            run_experiment(config, str(tmp_path / "exp"), verbose=0)
    with FolderLock(tmp_path / "out"):
        assert cli.main(["train", "--output", str(tmp_path / "out"), "--epochs", "1"]) == 2
    assert "is in use: another run" in capsys.readouterr().err


def test_checkpoint_cleanup_never_deletes_what_state_json_names(tmp_path):
    names = ["ckpt-00001.weights.h5", "ckpt-00002.weights.h5", "ckpt-00003.weights.h5", "ckpt-00003.arrays.npz",
             "ckpt-00004.weights.tmp-999999-abcd.weights.h5"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / STATE_FILE).write_text(json.dumps({"weights": "ckpt-00003.weights.h5", "arrays": "ckpt-00003.arrays.npz"}))
    remove_old_checkpoints(tmp_path, keep=("ckpt-00002.weights.h5", None))
    assert sorted(os.listdir(tmp_path)) == sorted([STATE_FILE, *names[1:]])


# -- 9. atomic exports, I/O errors that name the path ------------------------------------------------------


@pytest.mark.parametrize("failure", ["disk-full", "tf-error"])
def test_a_failed_export_leaves_nothing_and_names_the_path(sshn, tmp_path, monkeypatch, failure):
    archive_class = type(keras.export.ExportArchive())  # the backend's class
    original = archive_class.write_out

    def fail(self, path, **kwargs):
        os.makedirs(os.path.join(path, "variables"))
        with open(os.path.join(path, "saved_model.pb"), "wb") as f:
            f.write(b"partial")
        if failure == "disk-full":
            raise OSError(errno.ENOSPC, "No space left on device")
        raise tf.errors.ResourceExhaustedError(None, None, "write failed")

    target = tmp_path / "served" / "m"
    monkeypatch.setattr(archive_class, "write_out", fail)
    with pytest.raises(OSError, match=f"Cannot write .*{target}"):
        export_saved_model(sshn, target, phi=0.3)
    assert not target.exists() and os.listdir(tmp_path / "served") == []
    monkeypatch.setattr(archive_class, "write_out", original)
    export_saved_model(sshn, target, phi=0.3)  # the retry works
    assert load_saved_model(target).signatures["serving_default"](image=tf.constant(X[:1]))["segmentation"].shape == (
        1, 16, 16
    )


# -- 10. archives --------------------------------------------------------------------------------------------


def test_a_tar_with_a_file_that_is_also_a_folder_is_refused_clearly(tmp_path):
    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w") as tar:
        for name in ("a", "a/b"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(UnsafeArchiveError, match=r"member 'a/b' needs 'a' to be a folder.*nothing was extracted"):
        safe_extract(archive, tmp_path / "target", progress=False)
    assert not list((tmp_path / "target").iterdir())
