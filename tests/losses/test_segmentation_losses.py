"""The segmentation losses: cross-entropy and soft Dice against NumPy, serialisation, shape errors."""

import keras
import numpy as np
import pytest

from sshn_keras.losses import SegmentationCrossEntropy, SoftDiceLoss, crossentropy, soft_dice_loss


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


def test_losses_serialize():
    for loss in (SegmentationCrossEntropy(), SoftDiceLoss(include_background=True, smooth=1.0)):
        clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
        assert type(clone) is type(loss) and clone.get_config() == loss.get_config()


def test_mismatched_label_shape_is_explained():
    with pytest.raises(ValueError, match="do not fit predictions"):
        crossentropy(np.zeros((2, 6), "int32"), _probs())
