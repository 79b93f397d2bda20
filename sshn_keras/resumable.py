"""Resumable training: `fit_resumable` survives a kill and ends where an uninterrupted run ends.

Call it as you would call `model.fit`, with a `backup_dir`. At the end of
every epoch it writes a backup there: the model's weights, the optimizer's
state (Adam moments, step counter, loss scale), the epoch, the history so far,
the training time so far and the state of the callbacks that have one
(`EarlyStopping` including its best weights, `ReduceLROnPlateau`,
`ModelCheckpoint`, `BestModelCheckpoint`). Run the same call again after a
kill (SIGKILL, a preempted machine, a lost session) and it restores the last
backup and carries on from the next epoch.

What makes the resumed run equal the uninterrupted one:

* the order of the training data is a pure function of `(seed, epoch)`
  (numpy inputs: a stateless shuffle per epoch; a `tf.data.Dataset` is
  repeated and the finished epochs skipped, so a pipeline rebuilt by the
  rerun with the same seeds, e.g. `shuffle(n, seed=s)`, replays its order);
* the phi of each step of a phi-conditioned model is a pure function of
  `(model.seed, optimizer.iterations)`, and the step counter is restored;
* the optimizer's moments and the callbacks' state are restored.

Every file is written to a temporary name and renamed into place
(`sshn_keras.atomic`), and `state.json`, written last, names the complete
checkpoint it belongs to: a kill at any moment leaves the previous backup
or the new one, never a half-written one.

Granularity: one epoch. A kill loses the work of the current epoch, which
is run again from its start (Keras' `BackupAndRestore(save_freq=N)` saves
mid-epoch but restarts the epoch's data from its beginning, so its resumed
run differs from an uninterrupted one).
"""

import contextlib
import json
import logging
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from sshn_keras.atomic import TMP_MARK, atomic_save_weights, atomic_write, atomic_write_json, remove_stale_temporaries
from sshn_keras.callbacks import BestModelCheckpoint, PhiGridValidation, StopOnNaN
from sshn_keras.locking import FolderLock
from sshn_keras.models.phi_model import build_optimizer_variables
from sshn_keras.models.validation import check_fit_arrays

logger = logging.getLogger("sshn_keras.training")

STATE_FILE = "state.json"
STATE_FORMAT = 1
_CKPT_PREFIX = "ckpt-"


# -- callback state ------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    return float(np.asarray(value))


def callback_state(callback) -> tuple | None:
    """`(json_state, arrays)` of a callback whose state matters on resume, else None."""
    if hasattr(callback, "resume_state"):
        return callback.resume_state(), {}
    if isinstance(callback, keras.callbacks.EarlyStopping):
        weights = callback.best_weights
        state = {
            "wait": int(callback.wait),
            "stopped_epoch": int(callback.stopped_epoch),
            "best": _number(callback.best),
            "best_epoch": int(callback.best_epoch),
            "num_best_weights": None if weights is None else len(weights),
        }
        arrays = {} if weights is None else {f"best_weights_{i}": np.asarray(w) for i, w in enumerate(weights)}
        return state, arrays
    if isinstance(callback, keras.callbacks.ReduceLROnPlateau):
        state = {"wait": int(callback.wait), "best": _number(callback.best), "cooldown_counter": int(callback.cooldown_counter)}
        return state, {}
    if isinstance(callback, keras.callbacks.ModelCheckpoint):
        return {"best": _number(callback.best)}, {}
    return None


def restore_callback_state(callback, state: dict, arrays) -> None:
    """Inverse of `callback_state` (called after the callback's own `on_train_begin`)."""
    if hasattr(callback, "restore_resume_state"):
        callback.restore_resume_state(state)
    elif isinstance(callback, keras.callbacks.EarlyStopping):
        callback.wait, callback.stopped_epoch = state["wait"], state["stopped_epoch"]
        callback.best, callback.best_epoch = state["best"], state["best_epoch"]
        n = state["num_best_weights"]
        callback.best_weights = None if n is None else [arrays[f"best_weights_{i}"] for i in range(n)]
    elif isinstance(callback, keras.callbacks.ReduceLROnPlateau):
        callback.wait, callback.best, callback.cooldown_counter = state["wait"], state["best"], state["cooldown_counter"]
    elif isinstance(callback, keras.callbacks.ModelCheckpoint):
        callback.best = state["best"]


# -- the backup folder -----------------------------------------------------------


def read_backup(backup_dir) -> dict | None:
    """The last complete backup's state in `backup_dir`, or None if there is none.

    Raises:
        ValueError: if `state.json` or a file it names is unreadable or missing
            (not a backup written by `fit_resumable`, or damaged by hand).
    """
    path = os.path.join(os.fspath(backup_dir), STATE_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            state = json.load(f)
        if state.get("format") != STATE_FORMAT:
            raise ValueError(f"unknown format {state.get('format')!r}")
        for key in ("weights", "arrays"):
            if state.get(key) and not os.path.isfile(os.path.join(backup_dir, state[key])):
                raise ValueError(f"the file it names, {state[key]!r}, is missing")
    except (OSError, ValueError, AttributeError) as error:
        raise ValueError(
            f"Cannot resume from {path}: {error}. Delete the folder {os.fspath(backup_dir)!r} to train from scratch."
        ) from error
    return state


def remove_backup(backup_dir) -> None:
    """Delete the files `fit_resumable` wrote in `backup_dir`, then the folder if it is empty."""
    backup_dir = os.fspath(backup_dir)
    if not os.path.isdir(backup_dir):
        return
    for name in os.listdir(backup_dir):
        if name == STATE_FILE or name.startswith(_CKPT_PREFIX):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(backup_dir, name))
    with contextlib.suppress(OSError):
        os.rmdir(backup_dir)


def remove_old_checkpoints(backup_dir, keep=()) -> None:
    """Delete the checkpoints of `backup_dir` that neither `keep` nor `state.json` name.

    Temporary files (being written, or left by a killed run: see
    `sshn_keras.atomic.remove_stale_temporaries`) are left alone, and what
    `state.json` names on disk is never deleted, so the last complete
    backup always stays resumable.
    """
    backup_dir = os.fspath(backup_dir)
    keep = {name for name in keep if name}
    with contextlib.suppress(OSError, ValueError):
        with open(os.path.join(backup_dir, STATE_FILE)) as f:
            state = json.load(f)
        keep |= {state.get("weights"), state.get("arrays")} - {None}
    for name in os.listdir(backup_dir):
        if name.startswith(_CKPT_PREFIX) and TMP_MARK not in name and name not in keep:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(backup_dir, name))


class ResumableBackup(keras.callbacks.Callback):
    """Write an atomic backup at the end of every epoch and at the end of training.

    Used by `fit_resumable` (which restores the weights before `fit` and
    gives the loaded state here); must be the last callback, so that it
    restores the tracked callbacks' state after their own `on_train_begin`
    and saves after `EarlyStopping` has restored the best weights.

    Args:
        backup_dir: the folder of the backup (used for nothing else).
        tracked: the callbacks whose state is saved and restored.
        state: the state read from `backup_dir` (None for a fresh run).
        fingerprint: what identifies the run (checked on resume).
        every: back up every `every` epochs (and always at the end).
    """

    def __init__(
        self,
        backup_dir: str,
        tracked=(),
        state: dict | None = None,
        fingerprint: dict | None = None,
        every: int = 1,
    ):
        super().__init__()
        self.backup_dir = os.fspath(backup_dir)
        self.every = int(every)
        self.tracked = list(tracked)
        self.state = state
        self.fingerprint = dict(fingerprint or {})
        self.history = {k: list(v) for k, v in (state or {}).get("history", {}).items()}
        self.epoch = (state or {}).get("epoch", 0)
        self._seconds_before = float((state or {}).get("train_seconds", 0.0))
        self._start = None
        self._saving = 0.0  # seconds spent writing backups (not training)
        self._end = None

    def _key(self, i: int, callback) -> str:
        """`ClassName#k`: the k-th tracked callback of its class (stable if others are added)."""
        name = type(callback).__name__
        k = sum(type(c).__name__ == name for c in self.tracked[:i])
        return f"{name}#{k}"

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        if not self.state:
            return
        saved = self.state.get("callbacks", {})
        arrays = {}
        if self.state.get("arrays"):
            with np.load(os.path.join(self.backup_dir, self.state["arrays"])) as data:
                arrays = {k: data[k] for k in data.files}
        for i, callback in enumerate(self.tracked):
            key = self._key(i, callback)
            if callback_state(callback) is None:
                continue
            if key not in saved:
                logger.warning("No saved state for callback %s; it starts afresh.", key)
                continue
            prefix = f"{key}/"
            own = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            restore_callback_state(callback, saved[key], own)

    @property
    def train_seconds(self) -> float:
        """Training time so far, over every process of this run, without the time spent writing backups."""
        end = self._end if self._end is not None else time.perf_counter()
        running = 0.0 if self._start is None else end - self._start - self._saving
        return self._seconds_before + running

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(np.asarray(value)))
        self.epoch = epoch + 1
        if self.epoch % self.every == 0 or getattr(self.model, "stop_training", False):
            self.save(finished=False)

    def on_train_end(self, logs=None):
        self.save(finished=True)
        self._end = time.perf_counter()  # the clock stops with training

    def save(self, finished: bool) -> None:
        """Write the checkpoint of the current epoch atomically; `state.json` last."""
        start = time.perf_counter()
        train_seconds = self.train_seconds
        self._write(finished, train_seconds)
        self._saving += time.perf_counter() - start

    def _write(self, finished: bool, train_seconds: float) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        stem = f"{_CKPT_PREFIX}{self.epoch:05d}{'-final' if finished else ''}"
        weights = f"{stem}.weights.h5"
        atomic_save_weights(self.model, os.path.join(self.backup_dir, weights))
        states, arrays = {}, {}
        for i, callback in enumerate(self.tracked):
            saved = callback_state(callback)
            if saved is not None:
                key = self._key(i, callback)
                states[key] = saved[0]
                arrays.update({f"{key}/{k}": v for k, v in saved[1].items()})
        arrays_name = None
        if arrays:
            arrays_name = f"{stem}.arrays.npz"

            def write(tmp):
                with open(tmp, "wb") as f:
                    np.savez(f, **arrays)

            atomic_write(os.path.join(self.backup_dir, arrays_name), write)
        state = {
            "format": STATE_FORMAT,
            "epoch": self.epoch,
            "finished": bool(finished),
            "stop_training": bool(getattr(self.model, "stop_training", False)),
            "weights": weights,
            "arrays": arrays_name,
            "history": self.history,
            "train_seconds": train_seconds,
            "callbacks": states,
            "fingerprint": self.fingerprint,
        }
        atomic_write_json(os.path.join(self.backup_dir, STATE_FILE), state)
        remove_old_checkpoints(self.backup_dir, keep=(weights, arrays_name))


# -- data ----------------------------------------------------------------------------


def epoch_stream(
    x: np.ndarray, y: np.ndarray, batch_size: int, seed: int, shuffle: bool, first_epoch: int, epochs: int
) -> tf.data.Dataset:
    """Batches of epochs `first_epoch .. epochs - 1`, each epoch's order a pure function of `(seed, epoch)`.

    Every epoch has `ceil(len(x) / batch_size)` batches (the last one may
    be smaller); the stream of a resumed run is the tail of a fresh run's.
    """
    n = len(x)
    xs, ys = tf.constant(x), tf.constant(y)

    def one_epoch(epoch):
        index = tf.range(n, dtype=tf.int64)
        if shuffle:
            index = tf.random.experimental.stateless_shuffle(index, seed=tf.stack([tf.constant(seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(index).batch(batch_size)

    batches = tf.data.Dataset.range(first_epoch, epochs).flat_map(one_epoch)
    return batches.map(lambda i: (tf.gather(xs, i), tf.gather(ys, i))).prefetch(tf.data.AUTOTUNE)


def _dataset_steps(dataset, steps_per_epoch) -> int:
    if steps_per_epoch is not None:
        return int(steps_per_epoch)
    cardinality = int(dataset.cardinality())
    if cardinality == 0:
        raise ValueError("The training dataset is empty (0 batches).")
    if cardinality < 0:
        raise ValueError(
            "The training dataset's number of batches is unknown or infinite; pass `steps_per_epoch` "
            "(batches per epoch) to fit_resumable."
        )
    return cardinality


# -- the entry point ---------------------------------------------------------------------


def fit_resumable(
    model: keras.Model,
    x,
    y=None,
    *,
    backup_dir: str,
    epochs: int,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int = 0,
    validation_data=None,
    callbacks=None,
    best_model_path: str | None = None,
    monitor: str = "val_loss",
    mode: str = "auto",
    stop_on_nan: bool = True,
    delete_backup: bool = True,
    backup_every: int = 1,
    verbose="auto",
    steps_per_epoch: int | None = None,
    **fit_kwargs,
) -> keras.callbacks.History:
    """`model.fit` that resumes after a kill and ends as an uninterrupted run would.

    The model must be built and compiled. Rerun the identical call (same
    model construction and seeds, same data, same arguments) after an
    interruption: the last backup in `backup_dir` is restored and training
    goes on from the next epoch.

    Args:
        model: a compiled model (SSHN, baselines, Fixed U-Net, any Keras model).
        x, y: numpy images and labels, or a `tf.data.Dataset` of
            `(images, labels)` batches as `x` (then `batch_size` and
            `shuffle` are ignored; for an exact resume its order must be a
            function of its seeds, e.g. `shuffle(buffer, seed=s)`, and the
            rerun must build it afresh, as a new process does; the finished
            epochs are replayed through the pipeline and skipped).
        backup_dir: folder of the backup, used by this run only: it is
            locked while the run writes it (`sshn_keras.locking`); a second
            run on it is refused with `FolderInUseError`, and the lock of a
            killed run is taken over, with a logged message.
        epochs: total number of epochs (as `fit`'s `epochs`).
        batch_size: global batch size (split across replicas under a
            `tf.distribute` strategy).
        shuffle: shuffle numpy data each epoch (order from `(seed, epoch)`).
        seed: seed of the data order.
        validation_data: as for `fit`.
        callbacks: more callbacks; the state of `EarlyStopping`,
            `ReduceLROnPlateau`, `ModelCheckpoint` and
            `BestModelCheckpoint` is carried across a resume, others start
            afresh.
        best_model_path: if given, a `.keras` file holding the best model so
            far by `monitor` (written atomically; its best value survives a
            resume).
        monitor, mode: what `best_model_path` tracks.
        stop_on_nan: add `StopOnNaN` (raise on a NaN or infinite loss).
        delete_backup: delete the backup once training has finished. With
            False the finished backup stays, and a rerun returns at once
            with the final weights (the experiment runner deletes it only
            after saving the model).
        backup_every: epochs between backups (default 1). A backup holds
            the weights and the optimizer's moments (three times the
            weights' size with Adam); for a large model and short epochs,
            back up less often (a kill then loses up to this many epochs).
        verbose: as for `fit`.
        steps_per_epoch: batches per epoch of a dataset `x` of unknown size.
        **fit_kwargs: more `fit` arguments (e.g. `validation_freq`).

    Returns:
        The `History` of the whole run (every epoch, also those of earlier
        processes), with an extra attribute `train_seconds` (total
        training time over every process, without the time spent writing
        backups).

    Raises:
        ValueError / TypeError: for an uncompiled model, bad arguments or
            data, or a `backup_dir` holding another run's backup.
        FolderInUseError: if another live process is training into
            `backup_dir`.
        NonFiniteLossError: if the loss becomes NaN or infinite (the backup
            of the last finished epoch is kept).

    Example:
    >>> model = SSHNUNet(input_shape=(64, 64, 1), num_classes=3, filters=8, seed=0)   # doctest: +SKIP
    >>> model.compile(optimizer="adam", loss=SegmentationCrossEntropy())          # doctest: +SKIP
    >>> fit_resumable(model, x, y, backup_dir="run/backup", epochs=50,
    ...               best_model_path="run/best.keras", validation_data=(xv, yv)) # doctest: +SKIP
    """
    if getattr(model, "optimizer", None) is None:
        raise ValueError("Compile the model (`model.compile(optimizer=..., loss=...)`) before fit_resumable.")
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("seed", seed), ("backup_every", backup_every)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"`{name}` must be an int. Received {name}={value!r}")
    if epochs < 1 or batch_size < 1 or backup_every < 1:
        raise ValueError(
            "`epochs`, `batch_size` and `backup_every` must be positive. "
            f"Received epochs={epochs}, batch_size={batch_size}, backup_every={backup_every}"
        )
    if "initial_epoch" in fit_kwargs:
        raise ValueError("fit_resumable chooses `initial_epoch` from the backup; do not pass it.")
    if not backup_dir:
        raise ValueError(f"`backup_dir` must be a folder path. Received backup_dir={backup_dir!r}")
    backup_dir = os.fspath(backup_dir)
    grid = any(isinstance(c, PhiGridValidation) for c in callbacks or ())  # validates without validation_data
    if best_model_path is not None and monitor.startswith("val_") and validation_data is None and not grid:
        raise ValueError(f"best_model_path monitors {monitor!r}, which needs `validation_data` (or a PhiGridValidation).")

    if isinstance(x, tf.data.Dataset):
        if y is not None:
            raise ValueError("With a tf.data.Dataset `x`, `y` must be None (the dataset yields (x, y)).")
        steps = _dataset_steps(x, steps_per_epoch)
        data_id = {"dataset_steps": steps}
    else:
        if not isinstance(x, np.ndarray):
            raise TypeError(f"`x` must be a numpy array or a tf.data.Dataset. Received {type(x).__name__}")
        if steps_per_epoch is not None:
            raise ValueError("`steps_per_epoch` is only for a tf.data.Dataset `x`.")
        check_fit_arrays(model, x, y)
        steps = math.ceil(len(x) / batch_size)
        data_id = {"num_samples": int(len(x)), "batch_size": int(batch_size), "shuffle": bool(shuffle), "seed": int(seed)}
    fingerprint = {"num_weights": len(model.weights), "model_seed": getattr(model, "seed", None), **data_id}

    with FolderLock(backup_dir, "training into"):
        remove_stale_temporaries(backup_dir)
        if best_model_path is not None:
            best_model_path = os.fspath(best_model_path)
            folder, name = os.path.split(best_model_path)
            remove_stale_temporaries(folder or ".", name[: -len(".keras")])
        state = read_backup(backup_dir)
        if state is not None:
            saved = state.get("fingerprint", {})
            differs = sorted(k for k in set(fingerprint) | set(saved) if saved.get(k) != fingerprint.get(k))
            if differs:
                raise ValueError(
                    f"{backup_dir!r} holds the backup of another run (differs in: {', '.join(differs)}). "
                    "Use another backup_dir, or delete it to train from scratch."
                )
            strategy = getattr(model, "distribute_strategy", None)
            with strategy.scope() if strategy is not None else contextlib.nullcontext():
                if not model.optimizer.built:
                    model.optimizer.build(model.trainable_variables)
            weights = os.path.join(backup_dir, state["weights"])
            try:
                model.load_weights(weights)
            except (OSError, ValueError, KeyError) as error:
                raise ValueError(
                    f"Cannot restore the backup {weights} ({type(error).__name__}: {error}). It was damaged, or belongs "
                    f"to another model; delete {backup_dir!r} to train from scratch."
                ) from error
            logger.info("Resuming from %s: %d epoch(s) done.", backup_dir, state["epoch"])
        initial_epoch = 0 if state is None else int(state["epoch"])

        callbacks = list(callbacks or [])
        if stop_on_nan and not any(isinstance(c, StopOnNaN) for c in callbacks):
            callbacks.append(StopOnNaN())
        if best_model_path is not None:
            callbacks.append(BestModelCheckpoint(best_model_path, monitor=monitor, mode=mode))
        backup = ResumableBackup(backup_dir, callbacks, state, fingerprint, every=backup_every)

        if state is not None and state["finished"]:
            history = keras.callbacks.History()
            history.set_model(model)
        else:
            # Stopped early (or every epoch done) but killed before the end: a
            # fit of no epoch lets the callbacks finish (EarlyStopping restores
            # its best weights) and the backup record the end.
            last = initial_epoch if state is not None and state["stop_training"] else max(epochs, initial_epoch)
            build_optimizer_variables(model)  # a plain Keras model too: traced once, not twice
            history = model.fit(
                _stream(x, y, batch_size, seed, shuffle, initial_epoch, last, steps),
                epochs=last,
                initial_epoch=initial_epoch,
                steps_per_epoch=steps,
                validation_data=validation_data,
                callbacks=callbacks + [backup],
                verbose=verbose,
                shuffle=False,
                **fit_kwargs,
            )
        history.history = backup.history
        history.epoch = list(range(len(next(iter(backup.history.values()), []))))
        history.train_seconds = backup.train_seconds
        if delete_backup:
            remove_backup(backup_dir)
    return history


def _stream(x, y, batch_size, seed, shuffle, first_epoch, epochs, steps):
    if isinstance(x, tf.data.Dataset):
        return x.repeat().skip(first_epoch * steps)
    return epoch_stream(x, y, batch_size, seed, shuffle, first_epoch, epochs)
