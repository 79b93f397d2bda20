"""Replay a finished run's per-epoch history under another validation schedule.

Validation never changes the weights: a run validated on a phi grid every
epoch for a fixed budget holds, in its history, what any cheaper schedule
would have seen. Validating every `freq` epochs, on a subset of the grid, or
stopping after `patience` epochs without improvement selects another epoch
of the same run; `replay` says which one, after how many epochs training
would have stopped, and the validation Dice at that epoch (the mean over
the *whole* recorded grid, so schedules are compared on one yardstick).

Early stopping is replayed as `keras.callbacks.EarlyStopping` does it with
`restore_best_weights=True`: only validated epochs count, an epoch improves
when its monitored loss is below the best so far (`min_delta` 0), and
training stops at the first validated epoch at least `patience` epochs after
the best one (patience counted in epochs, so that schedules with different
`freq` wait equally long).

Example:
>>> history = {"val_loss_phi0.1": [0.5, 0.4, 0.45], "val_loss_phi0.5": [0.6, 0.5, 0.4],
...            "val_dice_phi0.1": [0.7, 0.8, 0.8], "val_dice_phi0.5": [0.6, 0.7, 0.8]}
>>> replay(history)["best_epoch"]
3
>>> replay(history, phis=[0.1])["best_epoch"]
2
"""

import re

import numpy as np

_PHI_KEY = re.compile(r"^val_loss_phi(.+)$")


def recorded_phis(history: dict) -> list:
    """The validation phi of a history (`val_loss_phi<phi>` keys), ascending."""
    phis = sorted(float(m.group(1)) for m in map(_PHI_KEY.match, history) if m)
    if not phis:
        raise ValueError(f"`history` has no per-phi validation loss (`val_loss_phi<phi>` keys). Received keys {sorted(history)}")
    return phis


def _series(history: dict, kind: str, phis) -> np.ndarray:
    """`(epochs, len(phis))` array of `val_<kind>_phi<phi>`."""
    keys = {float(m.group(1)): m.group(0).replace("val_loss_", f"val_{kind}_") for m in map(_PHI_KEY.match, history) if m}
    missing = [p for p in phis if not any(abs(p - q) < 1e-9 for q in keys)]
    if missing:
        raise ValueError(f"`phis` must be recorded validation phi ({sorted(keys)}). Received phis={list(phis)}")
    return np.stack([np.asarray(history[keys[min(keys, key=lambda q: abs(q - p))]], np.float64) for p in phis], axis=1)


def replay(history: dict, phis=None, freq: int = 1, patience: int | None = None) -> dict:
    """The epoch a validation schedule would select in a recorded run.

    Args:
        history: per-epoch `val_loss_phi<phi>` and `val_dice_phi<phi>` lists
            (a `PhiGridValidation` run's `History.history`, as the experiment
            runner records it in `jobs/<job>.json`).
        phis: the validation grid to replay (a subset of the recorded phi;
            default: all of them). The monitored loss is its mean.
        freq: validate every `freq` epochs (epochs `freq`, `2 * freq`, ...).
        patience: stop this many epochs after the best validated epoch
            (None: run the whole recorded budget).

    Returns:
        `{"epochs_run", "best_epoch", "validations", "val_dice", "val_loss"}`:
        epochs are 1-based; `val_dice` and `val_loss` are the means over
        every recorded phi at the best epoch, in the history's units.
    """
    if isinstance(freq, bool) or not isinstance(freq, (int, np.integer)) or freq < 1:
        raise ValueError(f"`freq` must be a positive int. Received freq={freq!r}")
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1):
        raise ValueError(f"`patience` must be a positive int or None. Received patience={patience!r}")
    every = recorded_phis(history)
    phis = every if phis is None else [float(p) for p in phis]
    monitored = _series(history, "loss", phis).mean(axis=1)
    epochs = len(monitored)
    best_epoch, best, run, validations = None, np.inf, epochs, 0
    for epoch in range(freq, epochs + 1, freq):
        validations += 1
        if monitored[epoch - 1] < best:
            best, best_epoch = monitored[epoch - 1], epoch
        elif patience is not None and epoch - best_epoch >= patience:
            run = epoch
            break
    if best_epoch is None:
        raise ValueError(f"`freq`={freq} leaves no validated epoch in a history of {epochs} epochs.")
    return {"epochs_run": run, "best_epoch": best_epoch, "validations": validations,
            "val_dice": float(_series(history, "dice", every)[best_epoch - 1].mean()),
            "val_loss": float(_series(history, "loss", every)[best_epoch - 1].mean())}


def shortest_safe_patience(histories, phis=None, freq: int = 1) -> int:
    """The smallest patience with which every history selects the same epoch as its whole budget does."""
    need = 1
    for history in histories:
        full = replay(history, phis, freq)["best_epoch"]
        monitored = _series(history, "loss", recorded_phis(history) if phis is None else phis).mean(axis=1)
        best, best_epoch = np.inf, None
        for epoch in range(freq, full + 1, freq):  # the longest wait before an improvement, up to the final best
            if monitored[epoch - 1] < best:
                if best_epoch is not None:
                    need = max(need, epoch - best_epoch - freq + 1)
                best, best_epoch = monitored[epoch - 1], epoch
    return need
