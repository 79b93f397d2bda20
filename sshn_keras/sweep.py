"""Evaluate a phi-conditioned model over a range of phi: Dice, FLOPs and latency."""

import time

import numpy as np
import tensorflow as tf

from sshn_keras.flops import unet_flops
from sshn_keras.metrics.dice import hard_dice_per_label
from sshn_keras.priors import validate_phi
from sshn_keras.progress import progress_bar


def phi_grid(start: float = 0.01, stop: float = 0.5, step: float = 0.01) -> np.ndarray:
    """Phi values `start, start + step, ..., stop` (inclusive), rounded to 6 decimals.

    Raises:
        ValueError: for bounds outside (0, 1], `start > stop` or `step <= 0`.
    """
    start, stop = validate_phi(start, "start"), validate_phi(stop, "stop")
    if not isinstance(step, (int, float)) or not step > 0:
        raise ValueError(f"`step` must be a positive number. Received step={step!r}")
    if start > stop:
        raise ValueError(f"`start` must not exceed `stop`. Received start={start}, stop={stop}")
    n = int(np.floor((stop - start) / step + 1e-9)) + 1
    return np.round(start + step * np.arange(n), 6)


def sweep_phi(model, x, y, phis, batch_size: int = 16, label_names=None, progress: bool = True) -> list:
    """Dice (mean, std over images, per label), GFLOPs and latency for each phi.

    The model is built once: only its inference phi (a variable) changes
    between points, so a sweep pays no rebuild or retrace per phi.

    Args:
        model: a phi-conditioned model (`SSHNUNet`, `StochasticUNet`, `FiLMUNet`).
        x: images `(N, *spatial, C)`; y: integer label maps `(N, *spatial)`.
        phis: iterable of phi values in (0, 1] (see `phi_grid`).
        batch_size: inference batch size.
        label_names: names of the labels (default `label_k`).
        progress: show a tqdm progress bar.

    Returns:
        A list of dicts, one per phi: `phi`, `dice_mean`, `dice_std`,
        `dice_per_label` (foreground labels, mean over images where defined),
        `gflops` (per image), `latency_ms` (per batch of `batch_size`).
    """
    phis = [validate_phi(p) for p in phis]
    arch = model.architecture()
    network = model.network
    # One compiled forward function for the whole sweep: phi is a tensor input, so
    # changing it neither rebuilds the model nor retraces (and skips predict's per-call setup).
    forward = tf.function(lambda image, phi: network({"image": image, "phi": phi}, training=False), reduce_retracing=True)
    batches = [tf.convert_to_tensor(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]

    def predict_at(phi):
        p = tf.constant([[phi]], tf.float32)
        return np.concatenate([forward(b, p).numpy() for b in batches])

    rows = []
    for phi in progress_bar(phis, progress, desc="phi sweep"):
        rows.append(_evaluate(lambda: predict_at(phi), y, phi, arch, x.shape, batch_size, label_names))
    return rows


def sweep_fixed(model, x, y, phi: float, arch: dict, batch_size: int = 16, label_names=None) -> dict:
    """The row of `sweep_phi` for a Fixed U-Net at its own `phi` (`arch`: its `build_unet` arguments)."""
    phi = validate_phi(phi)
    return _evaluate(lambda: model.predict(x, batch_size=batch_size, verbose=0), y, phi, arch, x.shape, batch_size, label_names)


def _evaluate(predict, y, phi, arch, x_shape, batch_size, label_names) -> dict:
    num_classes = arch["num_classes"]
    names = label_names or [f"label_{k}" for k in range(num_classes)]
    start = time.perf_counter()
    probs = predict()
    elapsed = time.perf_counter() - start
    d = hard_dice_per_label(y, probs.argmax(-1), num_classes)[:, 1:]
    with _quiet():
        per_image = np.nanmean(d, axis=1)
        per_label = np.nanmean(d, axis=0)
    n_batches = int(np.ceil(x_shape[0] / batch_size))
    flops = unet_flops(**{**arch, "input_shape": tuple(x_shape[1:])}, phi=phi)["total"]
    return {
        "phi": phi,
        "dice_mean": float(np.nanmean(per_image)),
        "dice_std": float(np.nanstd(per_image)),
        "dice_per_label": {names[k + 1]: float(v) for k, v in enumerate(per_label)},
        "gflops": flops / 1e9,
        "latency_ms": 1000.0 * elapsed / n_batches,
    }


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
