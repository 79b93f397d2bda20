"""Replaying a recorded run under other validation schedules (sshn_keras.experiments.replay)."""

import doctest

import keras
import numpy as np
import pytest

from sshn_keras.experiments import replay as replay_module
from sshn_keras.experiments.replay import recorded_phis, replay, shortest_safe_patience


def history(losses_a, losses_b):
    """Two validation phi (0.1, 0.5); Dice = 1 - loss."""
    return {"loss": [1.0] * len(losses_a), "val_loss_phi0.1": list(losses_a), "val_loss_phi0.5": list(losses_b),
            "val_dice_phi0.1": [1 - x for x in losses_a], "val_dice_phi0.5": [1 - x for x in losses_b],
            "val_loss": [(a + b) / 2 for a, b in zip(losses_a, losses_b)]}


H = history([0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.3, 0.6], [0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.3, 0.6])


def test_doctests():
    assert doctest.testmod(replay_module).failed == 0


def test_whole_budget_selects_the_lowest_mean_loss():
    r = replay(H)
    assert r == {"epochs_run": 8, "best_epoch": 7, "validations": 8, "val_dice": pytest.approx(0.7),
                 "val_loss": pytest.approx(0.3)}
    assert recorded_phis(H) == [0.1, 0.5]


def test_patience_stops_like_keras_early_stopping():
    # best at epoch 2, then 4 epochs without improvement: patience 4 stops at epoch 6, patience 5 reaches epoch 7
    assert replay(H, patience=4)["epochs_run"] == 6 and replay(H, patience=4)["best_epoch"] == 2
    assert replay(H, patience=5)["best_epoch"] == 7
    assert shortest_safe_patience([H]) == 5
    # the same run under Keras' own EarlyStopping (monitor = the mean over the grid)
    losses = iter(H["val_loss"])
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=4)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch in range(8):
        stopper.on_epoch_end(epoch, {"val_loss": next(losses)})
        if getattr(model, "stop_training", False):
            break
    assert epoch + 1 == 6


def test_validating_every_k_epochs_or_on_fewer_phi():
    r = replay(H, freq=2)  # validates epochs 2, 4, 6, 8: misses the best epoch (7)
    assert r["best_epoch"] == 2 and r["validations"] == 4 and r["val_dice"] == pytest.approx(0.5)
    assert shortest_safe_patience([H], freq=2) == 1  # no improvement after epoch 2 among the validated ones
    h = history([0.5, 0.4, 0.45], [0.6, 0.5, 0.4])
    assert replay(h, phis=[0.1])["best_epoch"] == 2 and replay(h)["best_epoch"] == 3
    # Dice at the selected epoch is the mean over every recorded phi, whatever the replayed grid
    assert replay(h, phis=[0.1])["val_dice"] == pytest.approx(np.mean([0.6, 0.5]))


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="freq"):
        replay(H, freq=0)
    with pytest.raises(ValueError, match="patience"):
        replay(H, patience=0)
    with pytest.raises(ValueError, match="phis"):
        replay(H, phis=[0.3])
    with pytest.raises(ValueError, match="val_loss_phi"):
        replay({"loss": [1.0], "val_loss": [1.0]})
    with pytest.raises(ValueError, match="no validated epoch"):
        replay(H, freq=9)
