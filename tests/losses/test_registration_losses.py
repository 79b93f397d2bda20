"""Tests of the registration losses (`MSE`, `Grad`) and the label-map Dice."""

import numpy as np
import pytest
import keras

from registration_reference import grad_reference
from sshn_keras.layers.spatial_transformer import SpatialTransformer
from sshn_keras.losses.registration import (
    MSE,
    Grad,
    grad_loss,
    label_map_dice,
    mean_label_map_dice,
    mse_loss,
)


def test_mse_matches_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 5, 6, 7, 2)).astype(np.float32)
    b = rng.standard_normal((3, 5, 6, 7, 2)).astype(np.float32)
    per_image = ((a - b) ** 2).reshape(3, -1).mean(axis=1)
    np.testing.assert_allclose(np.asarray(mse_loss(a, b)), per_image, rtol=1e-5)
    np.testing.assert_allclose(float(MSE()(a, b)), per_image.mean(), rtol=1e-5)
    np.testing.assert_allclose(float(MSE(image_sigma=0.5)(a, b)), 4 * per_image.mean(), rtol=1e-5)


@pytest.mark.parametrize("shape", [(2, 9, 11, 2), (2, 5, 6, 7, 3)])
@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_grad_matches_numpy_finite_differences(shape, penalty):
    flow = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    ref = grad_reference(flow, penalty)
    np.testing.assert_allclose(np.asarray(grad_loss(flow, penalty)), ref, rtol=1e-5)
    zeros = np.zeros_like(flow)
    np.testing.assert_allclose(float(Grad(penalty)(zeros, flow)), ref.mean(), rtol=1e-5)
    np.testing.assert_allclose(float(Grad(penalty, loss_mult=2.0)(zeros, flow)), 2 * ref.mean(), rtol=1e-5)


def test_grad_of_a_ramp():
    # Axis 1 steps by 4, axis 2 by 1: l1 = (4 + 1) / 2, l2 = (16 + 1) / 2.
    flow = np.arange(8, dtype=np.float32).reshape(1, 2, 4, 1)
    assert float(grad_loss(flow, "l1")[0]) == 2.5
    assert float(grad_loss(flow, "l2")[0]) == 8.5


def test_losses_config_round_trip():
    for loss in [MSE(image_sigma=0.1, name="sim"), Grad("l2", loss_mult=2, name="smooth", reduction="sum")]:
        config = loss.get_config()
        clone = loss.__class__.from_config(config)
        assert clone.get_config() == config
        revived = keras.losses.deserialize(keras.losses.serialize(loss))
        assert type(revived) is type(loss) and revived.get_config() == config
    assert Grad("l2", loss_mult=2).get_config()["loss_mult"] == 2.0


def test_bad_loss_arguments():
    with pytest.raises(ValueError, match="penalty"):
        Grad("l3")
    with pytest.raises(ValueError, match="image_sigma"):
        MSE(image_sigma=0)
    with pytest.raises(ValueError, match="loss_mult"):
        Grad(loss_mult="2")


def test_losses_in_fit():
    moving = keras.Input((8, 8, 1))
    flow = keras.layers.Conv2D(2, 3, padding="same")(moving)
    moved = SpatialTransformer()([moving, flow])
    model = keras.Model(moving, [moved, flow])
    model.compile(optimizer="adam", loss=[MSE(), Grad("l2")], loss_weights=[1.0, 0.01])
    x = np.random.default_rng(2).random((2, 8, 8, 1)).astype(np.float32)
    history = model.fit(x, [x, np.zeros((2, 8, 8, 2), np.float32)], epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_label_map_dice_per_structure():
    fixed = np.array([[[0, 1, 1, 2], [0, 1, 3, 3]]])
    warped = np.array([[[0, 1, 2, 2], [0, 1, 1, 3]]])
    dice, ids = label_map_dice(fixed, warped)
    assert ids.tolist() == [1, 2, 3]
    # label 1: |T|=3, |P|=3, overlap 2; label 2: 1, 2, 1; label 3: 2, 1, 1.
    np.testing.assert_allclose(dice[0], [4 / 6, 2 / 3, 2 / 3])
    np.testing.assert_allclose(mean_label_map_dice(fixed, warped), [np.mean([4 / 6, 2 / 3, 2 / 3])])
    with_bg, ids_bg = label_map_dice(fixed, warped, include_background=True)
    assert ids_bg.tolist() == [0, 1, 2, 3] and with_bg[0, 0] == 1.0


def test_label_map_dice_absent_structures_are_skipped():
    a = np.array([[1, 1, 0, 0], [2, 2, 0, 0]])  # image 0 has only label 1, image 1 only label 2
    b = np.array([[1, 0, 0, 0], [2, 2, 0, 0]])
    dice, ids = label_map_dice(a[..., None], b[..., None], labels=[1, 2, 7])
    assert ids.tolist() == [1, 2, 7]
    np.testing.assert_allclose(dice, [[2 / 3, np.nan, np.nan], [np.nan, 1.0, np.nan]])
    np.testing.assert_allclose(mean_label_map_dice(a, b, labels=[1, 2, 7]), [2 / 3, 1.0])
    assert np.isnan(mean_label_map_dice(a, b, labels=[7])).all()
    with pytest.raises(ValueError, match="same shape"):
        label_map_dice(a, b[:, :3])


def test_dice_with_nearest_warped_labels():
    labels = np.zeros((1, 12, 12, 1), np.int32)
    labels[0, 2:6, 2:6] = 1
    labels[0, 6:10, 5:11] = 2
    flow = np.zeros((1, 12, 12, 2), np.float32)
    assert mean_label_map_dice(labels, SpatialTransformer("nearest")([labels, flow]))[0] == 1.0
    flow[..., 0] = 1.0  # shift by one row: 4x4 square keeps 3 rows, 4x6 block keeps 3 rows
    dice, _ = label_map_dice(labels, SpatialTransformer("nearest")([labels, flow]))
    np.testing.assert_allclose(dice[0], [2 * 12 / 32, 2 * 18 / 48])
