"""The default training recipe: `fit(validation_data=...)` validates across phi; clipped Adam."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.metrics import DiceScore
from sshn_keras.models import SSHNUNet, StochasticUNet
from sshn_keras.priors import UniformPrior, validation_grid
from sshn_keras.training import fit_ce_then_dice, phase_optimizer


def _compiled(arch, cls=SSHNUNet, **kwargs):
    model = cls(**arch, seed=2, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=SegmentationCrossEntropy(), metrics=[DiceScore()])
    return model


def test_validation_grid_of_priors():
    assert validation_grid(UniformPrior(0.0, 0.5)) == (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
    assert validation_grid((0.0, 1.0)) == (0.05, 0.2, 0.4, 0.6, 0.8, 1.0)  # thinned to 6
    assert validation_grid((0.45, 0.55)) == (0.45, 0.5, 0.55)
    assert validation_grid((0.5, 0.5)) == (0.5,)
    assert validation_grid((0.0, 0.02)) == (0.02,)
    with pytest.raises(ValueError, match="max_points"):
        validation_grid((0.0, 0.5), max_points=1)


def test_fit_validates_across_the_grid_by_default(tiny_data, tiny_arch):
    x, y = tiny_data
    model = _compiled(tiny_arch, prior=(0.1, 0.5), validation_phis=(0.2, 0.5))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    history = model.fit(x[16:], y[16:], batch_size=8, epochs=2, verbose=0, validation_data=(x[:16], y[:16]),
                        callbacks=[stop]).history
    assert {"val_loss_phi0.2", "val_loss_phi0.5", "val_dice_phi0.2", "val_dice_phi0.5"} <= set(history)
    for key in ("val_loss", "val_dice"):
        mean = [(a + b) / 2 for a, b in zip(history[f"{key}_phi0.2"], history[f"{key}_phi0.5"])]
        assert history[key] == pytest.approx(mean)
    assert stop.best == pytest.approx(min(history["val_loss"]))  # EarlyStopping read the grid mean
    assert float(model.inference_phi.numpy()) == pytest.approx(0.3)  # the inference phi is untouched
    for phi in (0.2, 0.5):  # the per-phi values are the model's own evaluation there
        loss = model.evaluate(x[:16], y[:16], phi=phi, verbose=0)[0]
        assert history[f"val_loss_phi{phi:g}"][-1] == pytest.approx(loss, rel=1e-5)


def test_default_grid_is_the_priors(tiny_data, tiny_arch):
    x, y = tiny_data
    model = _compiled(tiny_arch, cls=StochasticUNet)
    assert model.validation_phis == (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
    history = model.fit(x[:8], y[:8], epochs=1, verbose=0, validation_data=(x[8:16], y[8:16])).history
    assert {f"val_loss_phi{p:g}" for p in model.validation_phis} <= set(history)


def test_opt_out_validates_at_the_inference_phi_like_keras(tiny_data, tiny_arch):
    x, y = tiny_data
    model = _compiled(tiny_arch, prior=(0.1, 0.5))
    history = model.fit(x[:8], y[:8], epochs=1, verbose=0, validation_data=(x[8:16], y[8:16]),
                        validation_phis=()).history
    assert not any("_phi" in key for key in history)
    assert history["val_loss"][0] == pytest.approx(model.evaluate(x[8:16], y[8:16], verbose=0)[0], rel=1e-5)


def test_validation_split_dataset_and_freq(tiny_data, tiny_arch):
    x, y = tiny_data
    model = _compiled(tiny_arch, prior=(0.1, 0.5), validation_phis=(0.5,))
    history = model.fit(x[:20], y[:20], epochs=1, verbose=0, validation_split=0.2, batch_size=8).history
    # Keras' split: the last 20% (4 rows) validate, the first 16 train (2 steps of 8)
    assert history["val_loss"][0] == pytest.approx(model.evaluate(x[16:20], y[16:20], phi=0.5, verbose=0)[0], rel=1e-5)
    assert int(model.optimizer.iterations.numpy()) == 2
    dataset = tf.data.Dataset.from_tensor_slices((x[:8], y[:8])).batch(4)
    history = model.fit(x[:8], y[:8], epochs=2, verbose=0, validation_data=dataset, validation_freq=2).history
    assert len(history["val_loss_phi0.5"]) == 1  # validated at the second epoch only
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(tf.data.Dataset.from_tensor_slices((x[:8], y[:8])).batch(4), epochs=1, verbose=0,
                  validation_split=0.5)


def test_one_shot_generator_warns_and_falls_back(tiny_data, tiny_arch):
    x, y = tiny_data
    model = _compiled(tiny_arch, prior=(0.1, 0.5), validation_phis=(0.2, 0.5))

    def batches():
        while True:
            yield x[:8], y[:8]

    with pytest.warns(UserWarning, match="read only once"):
        history = model.fit(x[:8], y[:8], epochs=1, verbose=0, validation_data=batches(), validation_steps=1).history
    assert "val_loss" in history and not any("_phi" in key for key in history)


def test_validation_phis_argument_is_checked_and_saved(tmp_path, tiny_arch):
    with pytest.raises(ValueError, match="validation_phis"):
        SSHNUNet(**tiny_arch, validation_phis="grid")
    with pytest.raises(ValueError, match="validation_phis entry"):
        SSHNUNet(**tiny_arch, validation_phis=(0.0, 0.5))
    with pytest.raises(ValueError, match="validation_phis"):
        SSHNUNet(**tiny_arch, validation_phis=0.5)
    assert SSHNUNet(**tiny_arch, validation_phis=()).validation_phis == ()
    model = SSHNUNet(**tiny_arch, validation_phis=[0.1, 0.3])
    path = str(tmp_path / "m.keras")
    model.save(path)
    assert keras.saving.load_model(path).validation_phis == (0.1, 0.3)
    auto = SSHNUNet(**tiny_arch)
    assert auto.get_config()["validation_phis"] == "auto"


def test_fit_ce_then_dice_uses_clipped_adam_and_copies_a_given_optimizer(tiny_data, tiny_arch):
    x, y = tiny_data
    default = phase_optimizer(None, None)
    assert isinstance(default, keras.optimizers.Adam) and default.global_clipnorm == 1.0
    assert float(default.learning_rate) == pytest.approx(1e-3)
    mine = keras.optimizers.SGD(0.05, momentum=0.5)
    model = _compiled(tiny_arch, prior=(0.1, 0.5), validation_phis=(0.5,))
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
