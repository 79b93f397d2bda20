"""An SSHN trains a few steps from each dataset's pipeline (tiny inputs, SSHNUNet(filters=4, num_stages=3))."""

import numpy as np

from sshn_keras.data import load_camus, load_folder, load_oasis, load_pandental, load_wbc, make_dataset


def fit_two_steps(data, one_hot: bool = False):
    from sshn_keras.losses import SegmentationCrossEntropy
    from sshn_keras.models import SSHNUNet

    model = SSHNUNet(input_shape=data.image_shape, num_classes=data.num_classes, filters=4, num_stages=3)
    model.compile(optimizer="adam", loss=SegmentationCrossEntropy())
    dataset = make_dataset(data, batch_size=2, seed=0, augment=True, one_hot=one_hot).take(2)
    history = model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    loss = history.history["loss"][-1]
    assert np.isfinite(loss)
    return loss


def test_wbc(wbc_dir):
    assert fit_two_steps(load_wbc(wbc_dir, split="val", subsets="Dataset 2", target_size=(32, 32), progress=False)) > 0


def test_oasis(write_oasis):
    assert fit_two_steps(load_oasis(write_oasis(4), labels="seg4", target_size=(32, 48), progress=False), one_hot=True) > 0


def test_camus(write_camus):
    assert fit_two_steps(load_camus(write_camus(2), target_size=(32, 32), progress=False)) > 0


def test_pandental(write_pandental):
    assert fit_two_steps(load_pandental(write_pandental(4), target_size=(32, 64), progress=False)) > 0


def test_folder(write_folder):
    assert fit_two_steps(load_folder(write_folder(4), label_values=(0, 255), target_size=(24, 32), progress=False)) > 0
