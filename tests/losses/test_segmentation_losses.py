import keras
import numpy as np
import pytest

from sshn_keras.losses import SegmentationCrossEntropy, SoftDiceLoss, crossentropy, soft_dice_loss
from sshn_keras.metrics import DiceScore, dice_per_label, mean_foreground_dice


def _probs(seed=0, shape=(2, 6, 5, 3)):
    logits = np.random.default_rng(seed).normal(size=shape)
    e = np.exp(logits)
    return (e / e.sum(-1, keepdims=True)).astype("float32")


def test_crossentropy_integer_and_one_hot_agree_with_numpy():
    p = _probs()
    y = np.random.default_rng(1).integers(0, 3, size=p.shape[:-1])
    onehot = np.eye(3, dtype="float32")[y]
    ref = -np.log(np.take_along_axis(p, y[..., None], -1)[..., 0]).mean(axis=(1, 2))
    np.testing.assert_allclose(np.asarray(crossentropy(y, p)), ref, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(crossentropy(onehot, p)), ref, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(crossentropy(y[..., None], p)), ref, rtol=1e-5)
    assert float(SegmentationCrossEntropy()(y, p)) == pytest.approx(ref.mean(), rel=1e-5)


def test_soft_dice_is_zero_for_perfect_and_one_for_disjoint():
    y = np.zeros((1, 4, 4), "int32")
    y[0, :2] = 1
    perfect = np.eye(2, dtype="float32")[y]
    assert float(soft_dice_loss(y, perfect)[0]) == pytest.approx(0.0, abs=1e-5)
    assert float(soft_dice_loss(y, np.eye(2, dtype="float32")[1 - y])[0]) == pytest.approx(1.0, abs=1e-5)
    assert float(SoftDiceLoss(include_background=True)(y, perfect)) == pytest.approx(0.0, abs=1e-5)


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


def test_losses_serialize():
    for loss in (SegmentationCrossEntropy(), SoftDiceLoss(include_background=True, smooth=1.0)):
        clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
        assert type(clone) is type(loss) and clone.get_config() == loss.get_config()


def test_mismatched_label_shape_is_explained():
    with pytest.raises(ValueError, match="do not fit predictions"):
        crossentropy(np.zeros((2, 6), "int32"), _probs())


def test_numpy_hard_dice_equals_tensor_dice():
    from sshn_keras.metrics.dice import hard_dice_per_label

    p = _probs(seed=4, shape=(3, 7, 6, 4))
    y = np.random.default_rng(5).integers(0, 3, size=(3, 7, 6))  # label 3 absent from the truth
    ref = np.asarray(dice_per_label(y, p))
    ours = hard_dice_per_label(y, p.argmax(-1), 4)
    np.testing.assert_allclose(ours, ref, rtol=1e-6)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
