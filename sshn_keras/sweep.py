"""Evaluate a phi-conditioned model over a range of phi: Dice, FLOPs and latency."""

import time

import numpy as np
from tqdm.auto import tqdm

from sshn_keras.flops import model_flops
from sshn_keras.metrics import dice_per_label
from sshn_keras.priors import validate_phi


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

    Args:
        model: a phi-conditioned model (`SSHNUNet`, `StochasticUNet`, ...).
        x: images `(N, *spatial, C)`; y: integer label maps `(N, *spatial)`.
        phis: iterable of phi values in (0, 1].
        batch_size: inference batch size.
        label_names: names of the labels (default `label_k`).
        progress: show a tqdm progress bar.

    Returns:
        A list of dicts, one per phi: `phi`, `dice_mean`, `dice_std`,
        `dice_per_label` (foreground labels, mean over images where defined),
        `gflops` (per image), `latency_ms` (per batch of `batch_size`).
    """
    phis = [validate_phi(p) for p in phis]
    num_classes = model.num_classes
    names = label_names or [f"label_{k}" for k in range(num_classes)]
    rows = []
    for phi in tqdm(phis, desc="phi sweep", disable=not progress):
        model.set_inference_phi(phi)
        start = time.perf_counter()
        probs = model.predict(x, batch_size=batch_size, verbose=0)
        elapsed = time.perf_counter() - start
        d = np.asarray(dice_per_label(y, probs))[:, 1:]
        with np.errstate(invalid="ignore"), _quiet():
            per_image = np.nanmean(d, axis=1)
            per_label = np.nanmean(d, axis=0)
        n_batches = int(np.ceil(len(x) / batch_size))
        rows.append(
            {
                "phi": phi,
                "dice_mean": float(np.nanmean(per_image)),
                "dice_std": float(np.nanstd(per_image)),
                "dice_per_label": {names[k + 1]: float(v) for k, v in enumerate(per_label)},
                "gflops": model_flops(model, phi, x.shape[1:])["total"] / 1e9,
                "latency_ms": 1000.0 * elapsed / n_batches,
            }
        )
    return rows


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
