"""`train_job`: the one training recipe (clipped Adam, phi-grid validation, early stopping, extra callbacks)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.callbacks import NonFiniteLossError
from sshn_keras.models import SSHNUNet, build_unet
from sshn_keras.training import train_job


class Seen(keras.callbacks.Callback):
    """Records the logs a user callback gets at the end of each epoch."""

    def __init__(self):
        super().__init__()
        self.logs = []

    def on_epoch_end(self, epoch, logs=None):
        self.logs.append(dict(logs or {}))


def test_default_optimizer_is_clipped_adam_and_user_callbacks_see_the_grid_mean(tiny_data, tiny_arch):
    x, y = tiny_data
    model = SSHNUNet(**tiny_arch, prior=(0.1, 0.5), seed=0)
    seen = Seen()
    job = train_job(model, (x[:8], y[:8]), (x[8:12], y[8:12]), epochs=1, batch_size=4, learning_rate=2e-3,
                    patience=5, validation_phis=(0.2, 0.5), callbacks=[seen], shuffle=False, verbose=0)
    assert isinstance(model.optimizer, keras.optimizers.Adam) and model.optimizer.global_clipnorm == 1.0
    assert float(model.optimizer.learning_rate) == pytest.approx(2e-3)
    assert int(model.optimizer.iterations.numpy()) == 2  # 1 epoch of 2 batches
    assert job.epochs == 1 and job.history["val_loss"] == [s["val_loss"] for s in seen.logs]
    for logs in seen.logs:  # the extra callback ran after the grid validation
        assert logs["val_loss"] == pytest.approx((logs["val_loss_phi0.2"] + logs["val_loss_phi0.5"]) / 2)


def test_a_given_optimizer_is_used_as_it_is_and_datasets_need_no_steps(tiny_data):
    x, y = tiny_data
    model = build_unet(**SMALL)
    x, y = x[:, :16, :16], y[:, :16, :16]
    mine = keras.optimizers.SGD(0.05, momentum=0.5)
    dataset = tf.data.Dataset.from_tensor_slices((x[:8], y[:8])).batch(4)  # a finite dataset: its size is known
    job = train_job(model, dataset, epochs=1, optimizer=mine, learning_rate=-1.0, verbose=0)
    assert model.optimizer is mine and int(mine.iterations.numpy()) == 2  # learning_rate is not used
    assert job.epochs == 1 and "val_loss" not in job.history


SMALL = dict(input_shape=(16, 16, 1), num_classes=4, filters=2, num_stages=2, phi=0.5)  # fast to build


def test_stop_on_nan_can_be_turned_off(tiny_data):
    x, y = tiny_data
    images = x[:4, :16, :16].copy()
    images[0, 3, 3, 0] = np.nan  # a plain U-Net does not check its images in the graph
    nan_data = tf.data.Dataset.from_tensor_slices((images, y[:4, :16, :16])).batch(2)
    with pytest.raises(NonFiniteLossError, match=r"^nan job: The loss `loss` became nan"):
        train_job(build_unet(**SMALL), nan_data, epochs=2, verbose=0, name="nan job")
    job = train_job(build_unet(**SMALL), nan_data, epochs=2, stop_on_nan=False, verbose=0)
    assert job.epochs == 2 and np.isnan(job.history["loss"]).all()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(epochs=1, batch_size=0), ValueError, "batch_size"),
        (dict(epochs=1, patience=0), ValueError, "patience"),
        (dict(epochs=1, learning_rate=0.0), ValueError, "learning rate `learning_rate`"),
        (dict(epochs=1, learning_rate=float("nan")), ValueError, "learning rate"),
        (dict(epochs=1, optimizer="adam"), TypeError, "optimizer"),
    ],
    ids=["epochs", "batch_size", "patience", "zero-rate", "nan-rate", "optimizer-name"],
)
def test_bad_arguments(tiny_data, kwargs, error, match):
    x, y = tiny_data
    with pytest.raises(error, match=match):
        train_job(build_unet(**SMALL), (x[:4, :16, :16], y[:4, :16, :16]), verbose=0, **kwargs)


def test_bad_data(tiny_data):
    x, y = tiny_data
    model = build_unet(**SMALL)
    with pytest.raises(ValueError, match="an .x, y. pair"):
        train_job(model, (x, y, y), epochs=1, verbose=0)
    empty = tf.data.Dataset.from_tensor_slices((x[:0], y[:0])).batch(2)
    with pytest.raises(ValueError, match="`train` is an empty dataset"):
        train_job(model, empty, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`validation` is an empty dataset"):
        train_job(model, (x[:4], y[:4]), empty, epochs=1, verbose=0)
