"""The one Dice of the package: the formula, counted from maps (keras.ops) or label ids (numpy)."""

import keras
import numpy as np
import pytest

from sshn_keras.ops.dice import dice_from_counts, label_map_dice, mean_label_map_dice, overlap_dice


def test_formula_by_hand_and_nan_when_undefined():
    out = keras.ops.convert_to_numpy(dice_from_counts(np.array([2.0, 0.0, 0.0]), np.array([6.0, 3.0, 0.0])))
    np.testing.assert_allclose(out[:2], [2 * 2 / 6, 0.0])
    assert np.isnan(out[2])
    smoothed = keras.ops.convert_to_numpy(dice_from_counts(np.array([0.0]), np.array([0.0]), smooth=1.0))
    np.testing.assert_allclose(smoothed, [1.0])


def test_float64_counts_stay_float64():
    out = dice_from_counts(np.array([1.0]), np.array([3.0]))
    assert keras.backend.standardize_dtype(out.dtype) == "float64"
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out), [2.0 / 3.0])


def test_one_hot_and_label_id_counting_agree():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, size=(3, 9, 7))
    pred = rng.integers(0, 4, size=(3, 9, 7))
    pred[2] = 0  # label 1..3 absent from image 2's prediction
    truth[2, :, :] = np.where(truth[2] == 3, 0, truth[2])  # and 3 absent from its truth: NaN
    tensor = keras.ops.convert_to_numpy(
        overlap_dice(keras.ops.one_hot(truth, 4), keras.ops.one_hot(pred, 4), axes=[1, 2])
    )
    numpy, ids = label_map_dice(truth, pred, labels=np.arange(4))
    assert ids.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(tensor, numpy, rtol=1e-6)
    assert np.isnan(numpy[2, 3]) and np.isnan(tensor[2, 3])


def test_soft_dice_of_probabilities():
    truth = np.array([[[1.0, 0.0], [0.0, 1.0]]])  # (1, 2, 2) one-hot over the last axis
    probs = np.array([[[0.75, 0.25], [0.5, 0.5]]])
    out = keras.ops.convert_to_numpy(overlap_dice(truth, probs, axes=[1]))
    # label 0: 2 * 0.75 / (1 + 1.25); label 1: 2 * 0.5 / (1 + 0.75)
    np.testing.assert_allclose(out, [[1.5 / 2.25, 1.0 / 1.75]], rtol=1e-6)


def test_label_map_dice_ignores_ids_not_asked_for_and_checks_shapes():
    a = np.array([[0, 1, 1, 7]])
    dice, ids = label_map_dice(a, np.array([[0, 1, 2, 7]]), labels=[1, 2])
    np.testing.assert_allclose(dice, [[2 / 3, 0.0]])
    assert mean_label_map_dice(a, a).tolist() == [1.0]
    with pytest.raises(ValueError, match="same shape"):
        label_map_dice(a, np.zeros((1, 5), int))


def test_every_dice_calls_the_ops_dice():
    """Metrics, losses and the registration evaluation share the ops implementation."""
    from sshn_keras.losses import registration as registration_losses
    from sshn_keras.metrics import dice as dice_metric
    from sshn_keras.registration import evaluate, pairs

    assert registration_losses.label_map_dice is label_map_dice
    assert evaluate.label_map_dice is label_map_dice
    assert pairs.mean_label_map_dice is mean_label_map_dice
    truth = np.array([[0, 1, 1, 2], [2, 2, 0, 0]])
    pred = np.array([[0, 1, 2, 2], [1, 1, 0, 0]])
    np.testing.assert_array_equal(dice_metric.hard_dice_per_label(truth, pred, 3),
                                  label_map_dice(truth, pred, labels=np.arange(3))[0])


def test_consecutive_ids_count_like_any_other_order():
    rng = np.random.default_rng(3)
    truth, pred = rng.integers(0, 3, size=(2, 6, 5)), rng.integers(0, 3, size=(2, 6, 5))
    pred[0, 0, 0], pred[1, 0, 0] = 7, -1  # ids not asked for are ignored on both paths
    fast = label_map_dice(truth, pred, labels=np.arange(3))[0]
    general = label_map_dice(truth, pred, labels=np.array([2, 0, 1]))[0][:, [1, 2, 0]]
    np.testing.assert_array_equal(fast, general)
