"""The Dice metrics: per-label Dice by hand, absent labels skipped, the Keras metric and the NumPy twin."""

import numpy as np
import pytest

from sshn_keras.metrics import DiceScore, dice_per_label, mean_foreground_dice
from sshn_keras.metrics.dice import hard_dice_per_label


def test_dice_per_label_by_hand():
    y = np.array([[[0, 1, 1, 2]]])  # (1, 1, 4)
    pred = np.eye(3, dtype="float32")[np.array([[[0, 1, 2, 2]]])]
    d = np.asarray(dice_per_label(y, pred))[0]
    np.testing.assert_allclose(d, [1.0, 2 * 1 / 3, 2 * 1 / 3], rtol=1e-6)
    np.testing.assert_allclose(mean_foreground_dice(y, pred), [2 / 3], rtol=1e-6)


def test_label_absent_everywhere_is_skipped_not_counted():
    y = np.array([[[0, 1, 1, 0]]])
    pred = np.eye(3, dtype="float32")[y]
    d = np.asarray(dice_per_label(y, pred))[0]
    assert d[1] == 1.0 and np.isnan(d[2])
    m = DiceScore()
    m.update_state(y, pred)
    assert float(m.result()) == 1.0  # label 2 absent from both: not a 0, not a 1
    m2 = DiceScore(class_id=2)
    m2.update_state(y, pred)
    assert float(m2.result()) == 0.0 and float(m2.count) == 0


def test_dice_metric_averages_over_images():
    y = np.array([[[1, 1]], [[1, 0]]])
    pred = np.eye(2, dtype="float32")[np.array([[[1, 1]], [[0, 0]]])]
    m = DiceScore()
    m.update_state(y, pred)
    assert float(m.result()) == pytest.approx(0.5)  # image 1: 1.0, image 2: 0.0
    assert DiceScore.from_config(m.get_config()).name == "dice"


def test_numpy_hard_dice_equals_tensor_dice():
    p = np.random.default_rng(4).dirichlet(np.ones(4), size=(3, 7, 6)).astype("float32")  # probabilities
    y = np.random.default_rng(5).integers(0, 3, size=(3, 7, 6))  # label 3 absent from the truth
    ref = np.asarray(dice_per_label(y, p))
    ours = hard_dice_per_label(y, p.argmax(-1), 4)
    np.testing.assert_allclose(ours, ref, rtol=1e-6)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
