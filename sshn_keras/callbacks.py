"""Training callbacks: stop on a non-finite loss, keep the best model (atomically).

* `StopOnNaN` raises `NonFiniteLossError` as soon as the training loss (or
  the validation loss) is NaN or infinite, naming the epoch, the step and,
  for phi-conditioned models, the phi of that step. Keras'
  `TerminateOnNaN` only sets a flag, and a run that carries on from NaN
  weights looks like a finished training. The package's training helpers
  (`fit_ce_then_dice`, `fit_resumable`, the experiment runner) use it by
  default.
* `BestModelCheckpoint` saves the model whenever a monitored value improves,
  writing a temporary file and renaming it (a kill never leaves a
  half-written `.keras` file), and exposes its state so that `fit_resumable`
  carries the best value across a resume.
"""

import logging
import math

import keras
import numpy as np
import tensorflow as tf

from sshn_keras.atomic import atomic_save_model

logger = logging.getLogger("sshn_keras.training")

_MAX_HINTS = ("acc", "dice", "auc", "iou", "precision", "recall")


class NonFiniteLossError(FloatingPointError):
    """The training or validation loss became NaN or infinite."""


def _finite(value) -> bool:
    try:
        return math.isfinite(float(np.asarray(value)))
    except (TypeError, ValueError):
        return True  # not a number: nothing to check


class StopOnNaN(keras.callbacks.Callback):
    """Raise `NonFiniteLossError` when the loss is NaN or infinite.

    Checked after every training batch (`loss`) and every epoch (`val_loss`).
    The weights of the step that produced the NaN are already updated, so
    the model in memory is not usable after the error; a `fit_resumable`
    backup or a `BestModelCheckpoint` file holds the last good state.

    Args:
        monitors: log keys to check at the end of each epoch (default
            `("loss", "val_loss")`; missing keys are skipped).

    Raises:
        NonFiniteLossError: from `fit`, with the epoch, step and phi.

    Example:
    >>> model.fit(x, y, callbacks=[StopOnNaN()])   # doctest: +SKIP
    """

    def __init__(self, monitors=("loss", "val_loss")):
        super().__init__()
        self.monitors = tuple(monitors)
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        value = (logs or {}).get("loss")
        if value is not None and not _finite(value):
            self._fail("loss", value, f"batch {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        for key in self.monitors:
            value = (logs or {}).get(key)
            if value is not None and not _finite(value):
                self._fail(key, value, "the end of the epoch")

    def _fail(self, key, value, when):
        where = f"epoch {self._epoch + 1}, {when}"
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "built", False):
            step = int(optimizer.iterations) - 1
            where += f", optimizer step {step}"
            prior = getattr(self.model, "prior", None)
            if prior is not None and key == "loss" and step >= 0:
                phi = float(prior.sample((self.model.seed, step)))
                where += f", phi={phi:.4g}"
        raise NonFiniteLossError(
            f"The {'validation ' if key.startswith('val_') else ''}loss `{key}` became {float(np.asarray(value))} "
            f"({where}); training stopped. Check the data for NaN or infinite values, lower the learning rate, "
            "or train in float32 instead of float16. The weights in memory are not usable; a backup or best-model "
            "checkpoint holds the last good state."
        )


class BestModelCheckpoint(keras.callbacks.Callback):
    """Save the model to a `.keras` file whenever `monitor` improves (atomic writes).

    Args:
        filepath: the `.keras` file (overwritten atomically on improvement).
        monitor: log key to watch (default `"val_loss"`).
        mode: `"min"`, `"max"` or `"auto"` (max for accuracy / Dice / AUC /
            IoU-like names, min otherwise).

    Raises:
        ValueError: for a bad `mode` or file name, or (at the end of an
            epoch) when `monitor` is not among the logs.
    """

    def __init__(self, filepath: str, monitor: str = "val_loss", mode: str = "auto"):
        super().__init__()
        filepath = str(filepath)
        if not filepath.endswith(".keras"):
            raise ValueError(f"`filepath` must end with '.keras'. Received filepath={filepath!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"`mode` must be 'auto', 'min' or 'max'. Received mode={mode!r}")
        if mode == "auto":
            mode = "max" if any(h in monitor for h in _MAX_HINTS) else "min"
        self.filepath = filepath
        self.monitor = monitor
        self.mode = mode
        self.best = None
        self.best_epoch = None

    def _improved(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.best is None:
            return True
        return value < self.best if self.mode == "min" else value > self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"BestModelCheckpoint monitors {self.monitor!r}, which is not among the logs "
                f"{sorted(logs)} (a 'val_' key needs `validation_data`)."
            )
        value = float(np.asarray(logs[self.monitor]))
        if self._improved(value):
            self.best, self.best_epoch = value, epoch
            atomic_save_model(self.model, self.filepath)
            logger.info("epoch %d: %s improved to %.5g; saved %s", epoch + 1, self.monitor, value, self.filepath)

    # -- resume (used by fit_resumable) --------------------------------------
    def resume_state(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch}

    def restore_resume_state(self, state: dict) -> None:
        self.best, self.best_epoch = state.get("best"), state.get("best_epoch")


class PhiGridValidation(keras.callbacks.Callback):
    """Validate a phi-conditioned model at several phi; `val_<metric>` is their mean.

    Keras validates a model at one phi (its inference phi, by default the
    prior's mean). Early stopping on that one value keeps the weights that
    are best at the middle of the prior, not across it (on WBC, an SSHN
    stopped this way peaked at phi 0.3 and was up to 3.3 Dice points below
    Fixed U-Nets at small phi). This callback evaluates the model at every
    phi of `phis` at the end of each epoch and writes into the epoch's logs

    * `val_<name>_phi<phi>` for every metric and phi (e.g. `val_loss_phi0.5`),
    * `val_<name>`: the mean over `phis` (what `EarlyStopping` monitors).

    `model.fit(..., validation_data=...)` of every phi-conditioned model adds
    it by default (see `PhiConditionedModel.fit`); use it directly only with
    a custom training loop or to control its place among the callbacks (it
    must come *before* `EarlyStopping` / checkpoints, and `validation_data`
    must then not be passed to `fit`). The model's inference phi is restored
    afterwards.

    Args:
        validation_data: `(x, y)` or `(x, y, sample_weight)` as `fit` takes
            them, or a re-iterable dataset (`tf.data.Dataset`,
            `keras.utils.PyDataset`) yielding `(x, y)` batches. A one-shot
            Python generator cannot be evaluated at several phi.
        phis: the phi values (each in (0, 1]), at least one.
        batch_size: evaluation batch size for arrays (default: Keras').
        freq: validate every `freq` epochs (like `fit`'s `validation_freq`).

    Example:
    >>> grid = PhiGridValidation((x_val, y_val), phis=(0.1, 0.3, 0.5))      # doctest: +SKIP
    >>> model.fit(x, y, callbacks=[grid, keras.callbacks.EarlyStopping()])  # doctest: +SKIP
    """

    def __init__(self, validation_data, phis, batch_size: int | None = None, freq: int = 1):
        super().__init__()
        from sshn_keras.priors import validate_phi

        if isinstance(validation_data, (tuple, list)):
            if len(validation_data) not in (2, 3):
                raise ValueError(
                    "`validation_data` must be a pair (x, y), a triple (x, y, sample_weight) or a dataset. "
                    f"Received a {type(validation_data).__name__} of length {len(validation_data)}"
                )
        elif not is_reiterable_dataset(validation_data):
            raise ValueError(
                "`validation_data` must be a pair (x, y), a triple (x, y, sample_weight) or a re-iterable dataset "
                f"(tf.data.Dataset, keras.utils.PyDataset). Received {type(validation_data).__name__}"
            )
        if isinstance(freq, bool) or not isinstance(freq, (int, np.integer)) or freq < 1:
            raise ValueError(f"`freq` must be an int >= 1. Received freq={freq!r}")
        phis = tuple(phis)
        if not phis:
            raise ValueError("`phis` must hold at least one phi in (0, 1]. Received an empty sequence.")
        self.phis = tuple(float(validate_phi(p, "phis entry")) for p in phis)
        self.validation_data = validation_data
        self.batch_size = batch_size
        self.freq = int(freq)

    def _evaluate(self, phi: float) -> dict:
        data = self.validation_data
        if isinstance(data, (tuple, list)):
            x, y, weights = (*data, None)[:3]
            return self.model.evaluate(x, y, sample_weight=weights, phi=phi, batch_size=self.batch_size, verbose=0,
                                       return_dict=True)
        return self.model.evaluate(data, phi=phi, verbose=0, return_dict=True)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or (epoch + 1) % self.freq:
            return
        model = self.model
        if not hasattr(model, "set_inference_phi"):
            raise TypeError(
                f"PhiGridValidation needs a phi-conditioned model (SSHNUNet, StochasticUNet, FiLMUNet, ...). "
                f"Received {type(model).__name__}"
            )
        previous = float(np.asarray(model.inference_phi))
        per_phi = []
        try:
            for phi in self.phis:
                result = self._evaluate(phi)
                per_phi.append(result)
                for name, value in result.items():
                    logs[f"val_{name}_phi{phi:g}"] = float(value)
        finally:
            model.set_inference_phi(previous)
        for name in per_phi[0]:
            logs[f"val_{name}"] = float(np.mean([r[name] for r in per_phi]))


def is_reiterable_dataset(data) -> bool:
    """True for data `evaluate` can read more than once (not a one-shot generator)."""
    return isinstance(data, (tf.data.Dataset, keras.utils.PyDataset))
