"""Killing a training process (SIGKILL) and rerunning the command ends with an uninterrupted run's weights."""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.models import SSHNUNet, build_unet
from sshn_keras.resumable import fit_resumable, read_backup
from sshn_keras.saving import load_model

ARGS = [
    "--num-images", "40", "--size", "32", "--filters", "4", "--num-stages", "3", "--epochs", "6",
    "--batch-size", "8", "--seed", "3", "--patience", "3", "--verbose", "0", "--deterministic",
]  # fmt: skip


def _start(output, log):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    cmd = [sys.executable, "-m", "sshn_keras", "train", "--output", str(output), *ARGS]
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)


def _run(output, log):
    proc = _start(output, log)
    assert proc.wait(timeout=300) == 0, (output.parent / log.name).read_text()[-3000:]


def _weights(path):
    return load_model(path, compile=False).get_weights()


@pytest.mark.slow
def test_sigkill_then_rerun_matches_uninterrupted_run(tmp_path):
    with open(tmp_path / "log.txt", "w") as log:
        _run(tmp_path / "reference", log)

        killed = tmp_path / "killed"
        proc = _start(killed, log)
        state = killed / "backup" / "state.json"
        deadline = time.monotonic() + 300
        while not state.exists():
            assert proc.poll() is None, "training ended before writing a backup"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.3)  # somewhere in the next epoch, possibly while writing the next backup
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL

        # the kill left a complete backup of an unfinished run, never a half-written one
        backup = read_backup(killed / "backup")
        assert 1 <= backup["epoch"] < 6 and not backup["finished"]
        assert not (killed / "model.keras").exists()
        import h5py

        with h5py.File(killed / "backup" / backup["weights"], "r") as f:
            assert "optimizer" in f  # the optimizer state (step counter, moments) is backed up

        _run(killed, log)  # the same command again: resumes

    assert not (killed / "backup").exists()  # deleted once the model is saved
    for a, b in zip(_weights(tmp_path / "reference" / "model.keras"), _weights(killed / "model.keras")):
        np.testing.assert_array_equal(a, b)  # bit-exact: same machine, deterministic ops
    reference = json.loads((tmp_path / "reference" / "history.json").read_text())
    resumed = json.loads((killed / "history.json").read_text())
    assert len(resumed["history"]["loss"]) == len(reference["history"]["loss"])
    np.testing.assert_allclose(resumed["history"]["val_loss"], reference["history"]["val_loss"], rtol=1e-6)
    assert resumed["train_seconds"] > 0


# -- in-process interruptions (an exception instead of a kill): fast and bit-exact -------------

ARCH = dict(input_shape=(32, 32, 1), num_classes=4, filters=4, num_stages=3)


class Interrupt(keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt(f"interrupted at epoch {epoch}")


def _sshn_run(tiny_data, backup_dir, interrupt_at=None, **kwargs):
    x, y = tiny_data
    keras.utils.set_random_seed(0)
    model = SSHNUNet(**ARCH, seed=5)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=SegmentationCrossEntropy())
    stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    extra = [Interrupt(interrupt_at)] if interrupt_at is not None else []
    history = fit_resumable(model, x[:24], y[:24], backup_dir=backup_dir, epochs=4, batch_size=8,
                            validation_data=(x[24:32], y[24:32]), callbacks=[stop, *extra],
                            best_model_path=str(backup_dir) + "_best.keras", verbose=0, **kwargs)
    return model, history, stop


def test_interrupted_fit_resumable_is_bit_exact(tiny_data, tmp_path):
    reference, ref_history, ref_stop = _sshn_run(tiny_data, tmp_path / "a")
    with pytest.raises(KeyboardInterrupt):
        _sshn_run(tiny_data, tmp_path / "b", interrupt_at=2)
    assert read_backup(tmp_path / "b")["epoch"] == 2
    resumed, history, stop = _sshn_run(tiny_data, tmp_path / "b")
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(reference.optimizer.variables, resumed.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))  # Adam moments and step counter
    assert history.history == ref_history.history and len(history.epoch) == 4
    assert stop.best == ref_stop.best and stop.best_epoch == ref_stop.best_epoch  # EarlyStopping state carried
    assert history.train_seconds > 0
    assert not (tmp_path / "b").exists()  # deleted when done
    best_a = load_model(str(tmp_path / "a") + "_best.keras").get_weights()
    best_b = load_model(str(tmp_path / "b") + "_best.keras").get_weights()
    for a, b in zip(best_a, best_b):
        np.testing.assert_array_equal(a, b)


def _unet_run(make_dataset, backup_dir, interrupt_at=None, **kwargs):
    keras.utils.set_random_seed(0)
    dataset = make_dataset()  # built afresh, as by a new process (a shuffle's seed state lives in the dataset)
    model = build_unet(**ARCH, phi=0.5)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    extra = [Interrupt(interrupt_at)] if interrupt_at is not None else []
    history = fit_resumable(model, dataset, backup_dir=backup_dir, epochs=3, callbacks=extra, verbose=0, **kwargs)
    return model, history


def test_seeded_tf_data_pipeline_resumes_exactly(tiny_data, tmp_path):
    x, y = tiny_data
    def dataset():
        return tf.data.Dataset.from_tensor_slices((x[:16], y[:16])).shuffle(16, seed=4).batch(8)

    reference, _ = _unet_run(dataset, tmp_path / "a")
    with pytest.raises(KeyboardInterrupt):
        _unet_run(dataset, tmp_path / "b", interrupt_at=2, backup_every=2)
    assert read_backup(tmp_path / "b")["epoch"] == 2
    resumed, history = _unet_run(dataset, tmp_path / "b", backup_every=2)
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(history.history["loss"]) == 3


def test_a_finished_backup_is_returned_without_training(tiny_data, tmp_path):
    x, y = tiny_data
    def dataset():
        return tf.data.Dataset.from_tensor_slices((x[:8], y[:8])).batch(8)

    first, history = _unet_run(dataset, tmp_path / "b", delete_backup=False)
    assert read_backup(tmp_path / "b")["finished"]
    again, history_again = _unet_run(dataset, tmp_path / "b")
    assert int(again.optimizer.iterations) == int(first.optimizer.iterations) == 3
    for a, b in zip(first.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history_again.history == history.history and not (tmp_path / "b").exists()


class KillAtTrainEnd(keras.callbacks.Callback):
    """Dies after EarlyStopping has stopped and restored its weights, before the backup records the end."""

    def on_train_end(self, logs=None):
        raise KeyboardInterrupt("killed at the end")


def test_killed_after_early_stopping_ends_like_the_uninterrupted_run(tiny_data, tmp_path):
    x, y = tiny_data

    def run(backup_dir, *extra):
        keras.utils.set_random_seed(0)
        model = build_unet(**ARCH, phi=0.5)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
        # never improves by 10: stops after epoch 2 and restores epoch 1's weights
        stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10, patience=1, restore_best_weights=True)
        history = fit_resumable(model, x[:8], y[:8], backup_dir=backup_dir, epochs=5, batch_size=8,
                                callbacks=[stop, *extra], verbose=0)
        return model, history

    reference, ref_history = run(tmp_path / "a")
    assert len(ref_history.history["loss"]) == 2
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "b", KillAtTrainEnd())
    state = read_backup(tmp_path / "b")
    assert state["stop_training"] and not state["finished"] and state["epoch"] == 2
    resumed, history = run(tmp_path / "b")
    assert history.history == ref_history.history
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
