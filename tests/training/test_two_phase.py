"""`fit_ce_then_dice`: two `train_job` phases (cross-entropy, then soft Dice) with the same recipe."""

import keras
import pytest
import tensorflow as tf

from sshn_keras.losses import SegmentationCrossEntropy, SoftDiceLoss
from sshn_keras.models import SSHNUNet, build_unet
from sshn_keras.training import fit_ce_then_dice, phase_optimizer


def test_fit_ce_then_dice_uses_clipped_adam_and_copies_a_given_optimizer(tiny_data, tiny_arch):
    x, y = tiny_data
    default = phase_optimizer(None, None)
    assert isinstance(default, keras.optimizers.Adam) and default.global_clipnorm == 1.0
    assert float(default.learning_rate) == pytest.approx(1e-3)
    mine = keras.optimizers.SGD(0.05, momentum=0.5)
    model = SSHNUNet(**tiny_arch, prior=(0.1, 0.5), validation_phis=(0.5,), seed=2)
    history = fit_ce_then_dice(model, x[:8], y[:8], ce_epochs=1, dice_epochs=1, optimizer=mine,
                               dice_learning_rate=0.01, verbose=0, validation_data=(x[8:16], y[8:16]))
    assert isinstance(model.optimizer, keras.optimizers.SGD) and model.optimizer is not mine
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)  # the second phase's rate
    assert float(model.optimizer.momentum) == pytest.approx(0.5)
    assert int(mine.iterations.numpy()) == 0  # the user's optimizer itself never stepped
    assert "val_loss_phi0.5" in history["soft_dice"]
    with pytest.raises(TypeError, match="optimizer"):
        phase_optimizer("adam", None)
    with pytest.raises(ValueError, match="learning rate"):
        phase_optimizer(None, -1.0)


SMALL = dict(input_shape=(16, 16, 1), num_classes=4, filters=2, num_stages=2, phi=0.5)  # fast to build


def test_each_phase_is_a_train_job_with_its_loss_schedule_and_early_stopping(tiny_data):
    x, y = tiny_data
    x, y = x[:, :16, :16], y[:, :16, :16]
    model = build_unet(**SMALL)
    losses = []

    class Compiled(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            losses.append(type(self.model.loss).__name__)

    ce_rate = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=4, alpha=0.05)
    dice_rate = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=2, alpha=0.05)
    history = fit_ce_then_dice(model, x[:8], y[:8], ce_epochs=2, dice_epochs=1, learning_rate=ce_rate,
                               dice_learning_rate=dice_rate, validation_data=(x[8:12], y[8:12]), patience=1,
                               callbacks=[Compiled()], batch_size=4, verbose=0)
    assert losses == [SegmentationCrossEntropy.__name__, SoftDiceLoss.__name__]
    assert isinstance(model.optimizer, keras.optimizers.Adam) and model.optimizer.global_clipnorm == 1.0
    assert int(model.optimizer.iterations.numpy()) == 2  # a fresh optimizer for the second phase
    assert float(model.optimizer.learning_rate) == pytest.approx(float(dice_rate(2)))  # its schedule stepped
    assert len(history["crossentropy"]["loss"]) == 2 and len(history["soft_dice"]["loss"]) == 1
    assert "val_loss" in history["soft_dice"]


def test_datasets_and_skipped_phases(tiny_data):
    x, y = tiny_data
    x, y = x[:, :16, :16], y[:, :16, :16]
    model = build_unet(**SMALL)
    dataset = tf.data.Dataset.from_tensor_slices((x[:8], y[:8])).batch(4)
    history = fit_ce_then_dice(model, dataset, ce_epochs=0, dice_epochs=1, verbose=0)
    assert list(history) == ["soft_dice"] and isinstance(model.loss, SoftDiceLoss)
    assert int(model.optimizer.iterations.numpy()) == 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(ce_epochs=-1), "ce_epochs"),
        (dict(ce_epochs=0, dice_epochs=0), "At least one"),
        (dict(learning_rate=0.0), "learning rate `learning_rate`"),
        (dict(dice_learning_rate=float("inf")), "learning rate `dice_learning_rate`"),
    ],
    ids=["negative-epochs", "no-epochs", "zero-rate", "infinite-dice-rate"],
)
def test_bad_arguments_are_refused_before_training(tiny_data, kwargs, match):
    x, y = tiny_data
    model = build_unet(**SMALL)
    with pytest.raises(ValueError, match=match):
        fit_ce_then_dice(model, x[:4, :16, :16], y[:4, :16, :16], verbose=0, **kwargs)
    assert getattr(model, "optimizer", None) is None  # nothing was compiled
