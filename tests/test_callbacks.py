import keras
import numpy as np
import pytest

from sshn_keras.callbacks import PhiGridValidation
from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.metrics import DiceScore
from sshn_keras.models import SSHNUNet, build_unet


def _sshn(arch):
    model = SSHNUNet(**arch, prior=(0.1, 0.5), seed=2)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=SegmentationCrossEntropy(), metrics=[DiceScore()])
    return model


def test_logs_hold_each_phi_and_their_mean_and_early_stopping_reads_it(tiny_data, tiny_arch):
    x, y = tiny_data
    model = _sshn(tiny_arch)
    grid = PhiGridValidation((x[:16], y[:16]), phis=(0.2, 0.5))
    seen = []

    class Spy(keras.callbacks.Callback):  # runs after the grid, like EarlyStopping
        def on_epoch_end(self, epoch, logs=None):
            seen.append(dict(logs))
            seen[-1]["weights"] = [np.array(w) for w in model.get_weights()]

    history = model.fit(x[16:], y[16:], batch_size=8, epochs=2, verbose=0, callbacks=[grid, Spy()])
    assert float(model.inference_phi.numpy()) == pytest.approx(0.3)  # restored (prior mean)
    logs = seen[-1]
    assert {"val_loss_phi0.2", "val_loss_phi0.5", "val_dice_phi0.2", "val_dice_phi0.5", "val_loss"} <= set(logs)
    assert logs["val_loss"] == pytest.approx((logs["val_loss_phi0.2"] + logs["val_loss_phi0.5"]) / 2)
    assert logs["val_loss_phi0.2"] != pytest.approx(logs["val_loss_phi0.5"])  # really two phi
    assert history.history["val_loss"][-1] == pytest.approx(logs["val_loss"])  # History sees it too
    # the per-phi values are the model's own evaluation at that phi
    for phi in (0.2, 0.5):
        loss = model.evaluate(x[:16], y[:16], phi=phi, verbose=0)[0]
        assert logs[f"val_loss_phi{phi:g}"] == pytest.approx(loss, rel=1e-5)


def test_early_stopping_monitors_the_grid_mean(tiny_data, tiny_arch):
    x, y = tiny_data
    model = _sshn(tiny_arch)
    grid = PhiGridValidation((x[:16], y[:16]), phis=(0.25, 0.5))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    history = model.fit(x[16:], y[16:], batch_size=8, epochs=3, verbose=0, callbacks=[grid, stop])
    assert stop.best == pytest.approx(min(history.history["val_loss"]))


def test_bad_input(tiny_data, tiny_arch):
    x, y = tiny_data
    with pytest.raises(ValueError, match="at least one phi"):
        PhiGridValidation((x, y), phis=())
    with pytest.raises(ValueError, match="phis entry"):
        PhiGridValidation((x, y), phis=(0.2, 1.5))
    with pytest.raises(ValueError, match="pair"):
        PhiGridValidation(x, phis=(0.2,))
    plain = build_unet(**tiny_arch, phi=0.5)
    plain.compile(optimizer="adam", loss=SegmentationCrossEntropy())
    with pytest.raises(TypeError, match="phi-conditioned model"):
        plain.fit(x[:8], y[:8], epochs=1, verbose=0, callbacks=[PhiGridValidation((x[:8], y[:8]), phis=(0.5,))])
