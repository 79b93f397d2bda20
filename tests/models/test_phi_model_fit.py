"""`PhiConditionedModel.fit(validation_data=...)` validates across the phi grid (the model's own or `validation_phis`)."""

import keras
import pytest
import tensorflow as tf

from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.metrics import DiceScore
from sshn_keras.models import SSHNUNet, StochasticUNet


def _compiled(arch, cls=SSHNUNet, **kwargs):
    model = cls(**arch, seed=2, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=SegmentationCrossEntropy(), metrics=[DiceScore()])
    return model


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
    best = history["val_loss"].index(min(history["val_loss"]))  # restore_best_weights: the best epoch's weights
    for phi in (0.2, 0.5):  # the per-phi values are the model's own evaluation there
        loss = model.evaluate(x[:16], y[:16], phi=phi, verbose=0)[0]
        assert history[f"val_loss_phi{phi:g}"][best] == pytest.approx(loss, rel=1e-5)


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
