"""A corpus of malformed inputs fed to the public API and the CLI.

Every case must end in a clear exception naming the problem (checked with
`match=`): no hang, no interpreter crash, no silent NaN training, no file
written outside the target folder. Cases are listed, not drawn at random.
"""

import gzip
import io
import os
import tarfile
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras import cli
from sshn_keras.callbacks import BestModelCheckpoint, NonFiniteLossError
from sshn_keras.data import make_synthetic_segmentation
from sshn_keras.data.download import UnsafeArchiveError, safe_extract
from sshn_keras.data.folder import load_folder
from sshn_keras.data.readers import read_image, read_mask, read_nifti_2d
from sshn_keras.export import export_saved_model, load_saved_model
from sshn_keras.layers import ResizeByFactor
from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.models import SSHNUNet, build_unet
from sshn_keras.priors import UniformPrior
from sshn_keras.resumable import fit_resumable
from sshn_keras.saving import load_model
from sshn_keras.training import fit_ce_then_dice

ARCH = dict(input_shape=(32, 32, 1), num_classes=3, filters=2, num_stages=3)
X = np.random.default_rng(0).uniform(size=(4, 32, 32, 1)).astype("float32")
Y = np.random.default_rng(1).integers(0, 3, size=(4, 32, 32)).astype("int32")


@pytest.fixture(scope="module")
def sshn():
    model = SSHNUNet(**ARCH)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    return model


@pytest.fixture(scope="module")
def unet():
    model = build_unet(**ARCH, phi=0.5)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    return model


# -- phi -------------------------------------------------------------------------------

BAD_PHIS = [
    pytest.param(float("nan"), ValueError, "finite", id="nan"),
    pytest.param(float("inf"), ValueError, "finite", id="inf"),
    pytest.param(-float("inf"), ValueError, "finite", id="-inf"),
    pytest.param(-0.1, ValueError, r"Received phi=-0\.1", id="negative"),
    pytest.param(0.0, ValueError, r"\(0\.0, 1\.0\]", id="zero"),
    pytest.param(1.5, ValueError, r"Received phi=1\.5", id="above-1"),
    pytest.param("0.3", TypeError, "real number", id="string"),
    pytest.param(np.array([0.1, 0.2]), TypeError, "single number", id="vector"),
    pytest.param([0.1, 0.2], TypeError, "single number|real number", id="list"),
    pytest.param(True, TypeError, "real number", id="bool"),
]

PHI_APIS = {
    "set_inference_phi": lambda m, phi: m.set_inference_phi(phi),
    "predict": lambda m, phi: m.predict(X, phi=phi, verbose=0),
    "evaluate": lambda m, phi: m.evaluate(X, Y, phi=phi, verbose=0),
    "materialize": lambda m, phi: m.materialize(phi),
    "predicted_weights": lambda m, phi: m.predicted_weights(phi),
    "call_with_dict": lambda m, phi: m({"image": X, "phi": phi}),
    "build_unet": lambda m, phi: build_unet(**ARCH, phi=phi),
}


@pytest.mark.parametrize("api", list(PHI_APIS))
@pytest.mark.parametrize("phi, error, match", BAD_PHIS)
def test_bad_phi(sshn, api, phi, error, match):
    if api == "call_with_dict" and isinstance(phi, str):
        match = "real number"
    with pytest.raises(error, match=match):
        PHI_APIS[api](sshn, phi)


@pytest.mark.parametrize("phi, error, match", BAD_PHIS[:6])
def test_bad_phi_for_export(sshn, phi, error, match, tmp_path):
    with pytest.raises(error, match=match):
        export_saved_model(sshn, tmp_path / "out", phi=phi)
    assert not (tmp_path / "out").exists()


def test_bad_phi_in_a_served_request(sshn, tmp_path):
    serve = load_saved_model(export_saved_model(sshn, tmp_path / "whole")).signatures["serving_default"]
    for phi in (float("nan"), 0.0, 1.5, -float("inf")):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"`phi` must be a finite number in \(0, 1\]. Received phi ="):
            serve(image=tf.constant(X[:1]), phi=tf.constant(phi))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: UniformPrior(float("nan"), 0.5), "finite"),
        (lambda: UniformPrior(0.4, 0.2), "low <= high"),
        (lambda: UniformPrior(0.0, 1.5), "high <= 1"),
        (lambda: SSHNUNet(**ARCH, prior=(0.1,)), "prior"),
        (lambda: SSHNUNet(**ARCH, inference_phi=float("nan")), "inference_phi"),
        (lambda: ResizeByFactor(float("nan")), "positive finite"),
        (lambda: ResizeByFactor("0.5"), "positive number"),
    ],
    ids=["prior-nan", "prior-reversed", "prior-above-1", "prior-short", "inference-phi-nan", "resize-nan", "resize-str"],
)
def test_bad_phi_settings(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


# -- images and labels ---------------------------------------------------------------------

BAD_IMAGES = [
    pytest.param(np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X).astype("float32"), "NaN", id="one-nan"),
    pytest.param(np.full_like(X, np.inf), "infinite", id="inf"),
    pytest.param(np.full(X.shape, "a"), "real numbers", id="strings"),
    pytest.param(X.astype(object), "real numbers", id="object"),
    pytest.param(X.astype(np.complex64), "real numbers", id="complex"),
    pytest.param(X > 0.5, "real numbers", id="bool"),
    pytest.param(X[0], "rank 4", id="rank-3"),
    pytest.param(X[..., None], "rank 4", id="rank-5"),
    pytest.param(X[:0], "empty", id="zero-batch"),
    pytest.param(np.zeros((2, 32, 0, 1), "float32"), "empty", id="zero-width"),
    pytest.param(np.repeat(X, 3, axis=-1), "1 channel", id="3-channels"),
    pytest.param(X[:, :16, :16], "spatial shape must be", id="wrong-size"),
]


def _labels_for(x):
    return np.zeros((x.shape[0], 32, 32), "int32") if x.ndim == 4 and x.shape[0] else Y


@pytest.mark.parametrize("x, match", BAD_IMAGES)
def test_bad_images_for_predict_and_fit(sshn, x, match):
    with pytest.raises(ValueError, match=match):
        sshn.predict(x, phi=0.3, verbose=0)
    with pytest.raises(ValueError, match=match):
        sshn.fit(x, _labels_for(x), epochs=1, verbose=0)


@pytest.mark.parametrize("x, match", BAD_IMAGES)
def test_bad_images_for_training_helpers(unet, x, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        fit_ce_then_dice(unet, x, _labels_for(x), ce_epochs=1, dice_epochs=0, verbose=0)
    with pytest.raises(ValueError, match=match):
        fit_resumable(unet, x, _labels_for(x), backup_dir=tmp_path / "b", epochs=1, verbose=0)
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    "y, error, match",
    [
        (np.full((4, 32, 32), 3), ValueError, r"\[0, 2\] for num_classes=3"),
        (np.full((4, 32, 32), np.nan), ValueError, "whole numbers"),
        (np.zeros((3, 32, 32), "int32"), ValueError, "3 samples"),
        (np.zeros((4, 16, 16), "int32"), ValueError, "do not match images"),
        (None, TypeError, "must be a numpy array of labels"),
    ],
    ids=["out-of-range", "nan", "count", "size", "missing"],
)
def test_bad_labels_for_training_helpers(unet, y, error, match, tmp_path):
    with pytest.raises(error, match=match):
        fit_resumable(unet, X, y, backup_dir=tmp_path / "b", epochs=1, verbose=0)
    if y is not None:
        with pytest.raises(error, match=match):
            fit_ce_then_dice(unet, X, y, ce_epochs=1, dice_epochs=0, verbose=0)


# -- empty data ------------------------------------------------------------------------

EMPTY = tf.data.Dataset.from_tensor_slices((X[:0], Y[:0])).batch(2)


def test_empty_datasets(sshn, unet, tmp_path):
    with pytest.raises(ValueError, match="empty dataset"):
        sshn.fit(EMPTY, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="empty dataset"):
        sshn.evaluate(EMPTY, verbose=0)
    with pytest.raises(ValueError, match="empty dataset"):
        sshn.fit(X, Y, validation_data=EMPTY, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="empty dataset"):
        fit_ce_then_dice(unet, EMPTY, ce_epochs=1, dice_epochs=0, verbose=0)
    with pytest.raises(ValueError, match="empty"):
        fit_resumable(unet, EMPTY, backup_dir=tmp_path / "b", epochs=1, verbose=0)
    # a dataset whose size is unknown until it runs: refused after the (empty) epoch
    unknown = tf.data.Dataset.from_tensor_slices((X, Y)).filter(lambda a, b: False).batch(2)
    with pytest.raises(ValueError, match="no batch"):
        sshn.fit(unknown, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        fit_resumable(unet, unknown, backup_dir=tmp_path / "c", epochs=1, verbose=0)
    with pytest.raises(ValueError, match="num_images"):
        make_synthetic_segmentation(0)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    with pytest.raises(ValueError, match="No image files"):
        load_folder(tmp_path, label_names=["bg", "fg"], progress=False)


# -- NaN training stops with a clear error ------------------------------------------------


def _nan_dataset():
    x = X.copy()
    x[1, 3, 3, 0] = np.nan  # inside a tf.data pipeline: no numpy check can see it
    return tf.data.Dataset.from_tensor_slices((x, Y)).batch(2)


def test_nan_loss_stops_training_with_a_clear_error(unet, tmp_path):
    model = SSHNUNet(**ARCH)  # a phi-conditioned model checks its images in the graph
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`image` must hold finite values"):
        fit_ce_then_dice(model, _nan_dataset(), ce_epochs=3, dice_epochs=0, verbose=0)
    # a plain U-Net does not: the NaN loss stops training with a clear error
    with pytest.raises(NonFiniteLossError, match=r"loss `loss` became nan \(epoch 1, batch 1, optimizer step 0"):
        fit_ce_then_dice(build_unet(**ARCH), _nan_dataset(), ce_epochs=3, dice_epochs=0, verbose=0)
    with pytest.raises(NonFiniteLossError, match="validation loss `val_loss` became nan"):
        fit_ce_then_dice(unet, X, Y, ce_epochs=1, dice_epochs=0, validation_data=_nan_dataset(), verbose=0)
    with pytest.raises(NonFiniteLossError, match="became nan"):
        fit_resumable(unet, _nan_dataset(), backup_dir=tmp_path / "b", epochs=3, verbose=0)
    assert not (tmp_path / "b").exists()  # no epoch finished: nothing backed up


def test_runner_refuses_nan_training_images():
    from sshn_keras.experiments.config import PRESETS, ExperimentConfig, Job
    from sshn_keras.experiments.runner import fit_job

    config = ExperimentConfig.from_dict(PRESETS["synthetic_smoke"].to_dict())
    x = X.copy()
    x[0, 0, 0, 0] = np.nan
    splits = {"train": (x, Y), "val": (X, Y), "label_names": ["a", "b", "c"]}
    with pytest.raises(ValueError, match="NaN"):
        fit_job(config, Job("sshn", 0), splits, verbose=0)


# -- training arguments -----------------------------------------------------------------------


def test_bad_training_arguments(unet, tmp_path):
    with pytest.raises(ValueError, match="Compile the model"):
        fit_resumable(build_unet(**ARCH), X, Y, backup_dir=tmp_path / "b", epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        fit_resumable(unet, X, Y, backup_dir=tmp_path / "b", epochs=0)
    with pytest.raises(TypeError, match="batch_size"):
        fit_resumable(unet, X, Y, backup_dir=tmp_path / "b", epochs=1, batch_size=2.5)
    with pytest.raises(ValueError, match="backup_dir"):
        fit_resumable(unet, X, Y, backup_dir="", epochs=1)
    with pytest.raises(ValueError, match="initial_epoch"):
        fit_resumable(unet, X, Y, backup_dir=tmp_path / "b", epochs=1, initial_epoch=1)
    with pytest.raises(ValueError, match="needs `validation_data`"):
        fit_resumable(unet, X, Y, backup_dir=tmp_path / "b", epochs=1, best_model_path=str(tmp_path / "m.keras"))
    with pytest.raises(ValueError, match=r"must end with '\.keras'"):
        BestModelCheckpoint(tmp_path / "best.h5")
    with pytest.raises(ValueError, match="ce_epochs"):
        fit_ce_then_dice(unet, X, Y, ce_epochs=-1)


# -- damaged files ----------------------------------------------------------------------------


def _truncate(path, fraction=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def test_truncated_and_corrupted_nifti(tmp_path):
    import nibabel

    good = tmp_path / "good.nii.gz"
    nibabel.Nifti1Image(np.arange(64 * 64, dtype="float32").reshape(64, 64), np.eye(4)).to_filename(good)
    plain = tmp_path / "plain.nii"
    nibabel.Nifti1Image(np.ones((64, 64), "float32"), np.eye(4)).to_filename(plain)
    cases = {
        "trunc.nii.gz": good.read_bytes()[: len(good.read_bytes()) // 2],
        "trunc.nii": plain.read_bytes()[:1000],
        "junk.nii.gz": gzip.compress(b"not a nifti header" * 30),
        "notgzip.nii.gz": b"plain bytes, not gzip" * 10,
        "empty.nii": b"",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=f"Cannot read NIfTI file .*{name}"):
            read_nifti_2d(tmp_path / name)
    with pytest.raises(FileNotFoundError, match="missing.nii"):
        read_nifti_2d(tmp_path / "missing.nii")


def test_truncated_and_corrupted_png(tmp_path):
    from PIL import Image

    good = tmp_path / "good.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)).save(good)
    corrupted = bytearray(good.read_bytes())
    corrupted[100:120] = b"\xff" * 20  # damaged compressed data
    cases = {"trunc.png": good.read_bytes()[:200], "junk.png": b"\x89PNG junk" * 10, "empty.png": b"",
             "crc.png": bytes(corrupted)}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=f"Cannot read image file .*{name}"):
            read_image(tmp_path / name)
        with pytest.raises(ValueError, match=name):
            read_mask(tmp_path / name)
    # inside a dataset folder: the failing file is named
    (tmp_path / "ds" / "images").mkdir(parents=True)
    (tmp_path / "ds" / "masks").mkdir()
    (tmp_path / "ds" / "images" / "a.png").write_bytes(good.read_bytes()[:200])
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(tmp_path / "ds" / "masks" / "a.png")
    with pytest.raises(ValueError, match=r"a\.png"):
        load_folder(tmp_path / "ds", label_names=["bg", "fg"], progress=False)


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("keras") / "good.keras"
    build_unet(**ARCH).save(path)
    return path


def _rewrite_zip(source, target, change):
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            data = change(name, src.read(name))
            if data is not None:
                out.writestr(name, data)
    return target


def _damaged_keras_file(good, folder, kind):
    path = folder / f"{kind}.keras"
    if kind == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "junk":
        path.write_bytes(b"junk" * 100)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "no-config":
        _rewrite_zip(good, path, lambda name, data: None if name == "config.json" else data)
    elif kind == "truncated-weights":
        _rewrite_zip(good, path, lambda name, data: data[:100] if name.endswith(".h5") else data)
    elif kind == "bad-config":
        _rewrite_zip(good, path, lambda name, data: b"{not json" if name == "config.json" else data)
    elif kind == "wrong-suffix":
        path = folder / "model.h5"
        path.write_bytes(good.read_bytes())
    return path  # kind == "missing": never written


@pytest.mark.parametrize(
    "kind, error, match",
    [
        ("truncated", ValueError, r"truncated\.keras \(\d+ bytes\) is not a valid \.keras file"),
        ("junk", ValueError, "not a zip archive"),
        ("empty", ValueError, "not a zip archive"),
        ("no-config", ValueError, "no config.json"),
        ("truncated-weights", ValueError, r"Cannot load the Keras model file .*truncated-weights\.keras"),
        ("bad-config", ValueError, r"Cannot load the Keras model file .*bad-config\.keras"),
        ("missing", FileNotFoundError, r"missing\.keras"),
        ("wrong-suffix", ValueError, r"not a `\.keras` file"),
    ],
)
def test_damaged_keras_files(keras_file, tmp_path, kind, error, match):
    path = _damaged_keras_file(keras_file, tmp_path, kind)
    with pytest.raises(error, match=match):
        load_model(path)


def test_flipped_byte_in_keras_file_fails_its_crc(keras_file, tmp_path):
    data = bytearray(keras_file.read_bytes())
    with zipfile.ZipFile(keras_file) as z:
        info = z.getinfo("model.weights.h5")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    data[start] ^= 0xFF
    (tmp_path / "flip.keras").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="model.weights.h5' fails its CRC"):
        load_model(tmp_path / "flip.keras")


def test_corrupted_cached_model_in_the_runner_is_named(tmp_path):
    from sshn_keras.experiments.config import PRESETS, ExperimentConfig
    from sshn_keras.experiments.runner import check_folder, run_experiment

    config = ExperimentConfig.from_dict(PRESETS["synthetic_smoke"].to_dict())
    folder = tmp_path / "exp"
    check_folder(config, str(folder))
    key = config.jobs()[0].key
    (folder / "models" / f"{key}.keras").write_bytes(b"PK\x03\x04 truncated")
    (folder / "models" / f"{key}.keras.json").write_text('{"train_seconds": 1, "epochs": 1}')
    with pytest.raises(ValueError, match=f"{key}.keras"):
        run_experiment(config, str(folder), verbose=0)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    return export_saved_model(build_unet(**ARCH), tmp_path_factory.mktemp("sm") / "unet")


def _copy_tree(source, target):
    import shutil

    shutil.copytree(source, target)
    return target


SAVED_MODEL_DAMAGE = {
    "pb-truncated": lambda d: _truncate(d / "saved_model.pb"),
    "pb-junk": lambda d: (d / "saved_model.pb").write_bytes(b"\x00garbage" * 10),
    "pb-empty": lambda d: (d / "saved_model.pb").write_bytes(b""),
    "variables-truncated": lambda d: _truncate(d / "variables" / "variables.data-00000-of-00001"),
    "index-truncated": lambda d: _truncate(d / "variables" / "variables.index"),
    "variables-missing": lambda d: [p.unlink() for p in (d / "variables").iterdir()],
}


@pytest.mark.parametrize("damage", list(SAVED_MODEL_DAMAGE))
def test_damaged_saved_models(saved_model, tmp_path, damage):
    folder = _copy_tree(saved_model, tmp_path / "sm")
    SAVED_MODEL_DAMAGE[damage](folder)
    with pytest.raises(ValueError, match=r"Cannot load the SavedModel .*sm.*truncated or corrupted"):
        load_saved_model(folder)


def test_saved_model_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="No SavedModel"):
        load_saved_model(tmp_path / "nothing")
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(ValueError, match="is a file"):
        load_saved_model(tmp_path / "file")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="saved_model.pb is missing"):
        load_saved_model(tmp_path / "empty")


def test_damaged_backups(unet, tmp_path):
    backup = tmp_path / "b"
    backup.mkdir()
    (backup / "state.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"Cannot resume from .*state\.json.*Delete the folder"):
        fit_resumable(unet, X, Y, backup_dir=backup, epochs=1, verbose=0)
    (backup / "state.json").write_text('{"format": 1, "weights": "ckpt-00001.weights.h5", "epoch": 1}')
    with pytest.raises(ValueError, match="ckpt-00001.weights.h5.*missing"):
        fit_resumable(unet, X, Y, backup_dir=backup, epochs=1, verbose=0)
    (backup / "ckpt-00001.weights.h5").write_bytes(b"\x89HDF\r\n truncated")
    (backup / "state.json").write_text(
        '{"format": 1, "weights": "ckpt-00001.weights.h5", "arrays": null, "epoch": 1, "finished": false, '
        '"stop_training": false, "history": {}, "callbacks": {}, "train_seconds": 0, "fingerprint": '
        f'{{"num_weights": {len(unet.weights)}, "model_seed": null, "num_samples": 4, "batch_size": 32, '
        '"shuffle": true, "seed": 0}}'
    )
    with pytest.raises(ValueError, match=r"Cannot restore the backup .*ckpt-00001\.weights\.h5"):
        fit_resumable(unet, X, Y, backup_dir=backup, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="backup of another run .*batch_size"):
        fit_resumable(unet, X, Y, backup_dir=backup, epochs=1, batch_size=2, verbose=0)


# -- archives ---------------------------------------------------------------------------------


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
            else:
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = payload
                tar.addfile(info)
    return path


@pytest.mark.parametrize(
    "member, match",
    [
        (("../escape.txt", "file", b"x"), r"contains '\.\.'"),
        (("data/../../escape.txt", "file", b"x"), r"contains '\.\.'"),
        (("/tmp/escape.txt", "file", b"x"), "absolute path"),
        (("data/link", "symlink", "../../escape.txt"), "symbolic link"),
        (("data/hard", "hardlink", "data/a.txt"), "hard link"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink", "hardlink"],
)
def test_unsafe_tar_members_are_refused_and_nothing_escapes(tmp_path, member, match):
    archive = _tar(tmp_path / "a.tar.gz", [("data/a.txt", "file", b"a"), member])
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(UnsafeArchiveError, match=match):
        safe_extract(archive, tmp_path / "target", progress=False)
    after = sorted(p for p in tmp_path.rglob("*"))
    assert [p for p in after if p not in before] == [tmp_path / "target"]  # only the (empty) target folder
    assert not list((tmp_path / "target").iterdir())


def test_truncated_tar_is_refused(tmp_path):
    archive = _tar(tmp_path / "a.tar.gz", [(f"f{i}", "file", os.urandom(20_000)) for i in range(3)])
    _truncate(archive, 0.4)
    with pytest.raises(ValueError, match=r"a\.tar\.gz"):
        safe_extract(archive, tmp_path / "target", progress=False)


# -- the command line -------------------------------------------------------------------------

TINY = ["--num-images", "8", "--size", "32", "--filters", "2", "--num-stages", "3", "--epochs", "1", "--verbose", "0"]


@pytest.mark.parametrize(
    "args, match",
    [
        (["--epochs", "0"], "--epochs"),
        (["--batch-size", "-1"], "--batch-size"),
        (["--num-images", "0"], "--num-images"),
        (["--method", "fixed", "--phi", "nan"], "--phi.*finite"),
        (["--method", "fixed", "--phi", "1.5"], r"--phi.*Received --phi=1\.5"),
        (["--method", "fixed", "--phi", "-0.2"], "--phi"),
        (["--method", "fixed", "--phi", "inf"], "--phi.*finite"),
        (["--learning-rate", "nan"], "--learning-rate"),
        (["--learning-rate", "0"], "--learning-rate"),
        (["--size", "8"], "size"),
        (["--dataset", "folder"], "--data-root"),
        (["--dataset", "folder", "--data-root", "{tmp}/nowhere", "--label-names", "a", "b"], "nowhere"),
    ],
    ids=["epochs", "batch", "num-images", "phi-nan", "phi-above-1", "phi-negative", "phi-inf", "lr-nan", "lr-zero",
         "size", "folder-no-root", "folder-missing"],
)
def test_cli_train_refuses_bad_arguments(tmp_path, capsys, args, match):
    argv = ["train", "--output", str(tmp_path / "out"), *TINY, *[a.replace("{tmp}", str(tmp_path)) for a in args]]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sshn-keras train: error: ")
    assert __import__("re").search(match, err), err
    assert not (tmp_path / "out" / "model.keras").exists()


def test_cli_train_refuses_other_settings_and_damaged_config(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "config.json").write_text('{"method": "film"}')
    assert cli.main(["train", "--output", str(out), *TINY]) == 2
    assert "other settings (differs in:" in capsys.readouterr().err
    (out / "config.json").write_text("{broken")
    assert cli.main(["train", "--output", str(out), *TINY]) == 2
    assert "Cannot read" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert cli.main(["train", "--output", str(tmp_path / "file"), *TINY]) == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, match",
    [
        (["train", "--output", "o", "--phi", "abc"], "invalid float value: 'abc'"),
        (["train", "--output", "o", "--precision", "float8"], "invalid choice: 'float8'"),
        (["train", "--output", "o", "--epochs", "1.5"], "invalid int value"),
        (["no-such-command"], "invalid choice"),
        (["train"], "--output"),
    ],
    ids=["phi-text", "precision", "epochs-float", "command", "no-output"],
)
def test_cli_argument_parsing_errors(capsys, argv, match):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert match in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, match",
    [
        (["experiment", "--preset", "nope", "--folder", "{tmp}/e"], "Unknown preset 'nope'"),
        (["demo", "--output", "{tmp}/d", "--num-subjects", "3"], "--num-subjects must be at least 10"),
        (["demo", "--output", "{tmp}/d", "--filters", "0"], "--filters must be positive"),
        (["demo", "--output", "{tmp}/d", "--ce-epochs", "-1"], "--ce-epochs must be >= 0"),
    ],
    ids=["preset", "demo-subjects", "demo-filters", "demo-epochs"],
)
def test_cli_other_commands(tmp_path, capsys, argv, match):
    assert cli.main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    assert match in capsys.readouterr().err
