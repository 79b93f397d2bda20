"""Bad input ends in a clear error naming the value and the expected form."""

import numpy as np
import pytest

from sshn_keras.models import SSHNUNet, build_unet


@pytest.fixture(scope="module")
def model():
    return SSHNUNet(input_shape=(32, 32, 1), num_classes=3, filters=2, num_stages=3)


X = np.zeros((2, 32, 32, 1), "float32")


@pytest.mark.parametrize(
    "phi, error, match",
    [
        (0.0, ValueError, r"\(0.0, 1.0\]. Received phi=0.0"),
        (1.5, ValueError, "Received phi=1.5"),
        (-0.1, ValueError, "Received phi=-0.1"),
        (float("nan"), ValueError, "finite"),
        (float("inf"), ValueError, "finite"),
        ("0.3", TypeError, "real number"),
        (np.array([0.1, 0.2]), TypeError, "single number"),
        (None, TypeError, "real number"),
    ],
)
def test_bad_phi(model, phi, error, match):
    with pytest.raises(error, match=match):
        model.set_inference_phi(phi)
    with pytest.raises(error, match=match):
        model.materialize(phi)


def test_bad_phi_for_fixed_unet():
    with pytest.raises(ValueError, match="Received phi=2"):
        build_unet((32, 32, 1), 3, phi=2)


@pytest.mark.parametrize(
    "x, match",
    [
        (np.zeros((32, 32, 1), "float32"), "rank 4"),
        (np.zeros((2, 32, 32, 3), "float32"), "1 channel"),
        (np.zeros((2, 16, 16, 1), "float32"), "spatial shape must be"),
        (np.full((2, 32, 32, 1), np.nan, "float32"), "NaN"),
        (np.zeros((0, 32, 32, 1), "float32"), "empty"),
    ],
)
def test_bad_images(model, x, match):
    with pytest.raises(ValueError, match=match):
        model.predict(x, phi=0.3, verbose=0)


def test_image_too_small_for_stages():
    with pytest.raises(ValueError, match="too small .* 5 stages"):
        build_unet((8, 8, 1), 3)
    m = SSHNUNet(input_shape=(None, None, 1), num_classes=3, filters=2, num_stages=4)
    with pytest.raises(ValueError, match="too small for 4 stages"):
        m.predict(np.zeros((1, 4, 4, 1), "float32"), phi=0.5, verbose=0)


@pytest.mark.parametrize(
    "y, match",
    [
        (np.full((2, 32, 32), 3), r"\[0, 2\] for num_classes=3"),
        (np.full((2, 32, 32), -1), r"\[0, 2\]"),
        (np.zeros((2, 16, 16), "int32"), "do not match images"),
        (np.zeros((3, 32, 32), "int32"), "3 samples"),
        (np.full((2, 32, 32), 0.5), "whole numbers"),
    ],
)
def test_bad_labels(model, y, match):
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match=match):
        model.fit(X, y, epochs=1, verbose=0)


@pytest.mark.parametrize("kwargs, match", [(dict(num_classes=1), "num_classes"), (dict(filters=[4, 4]), "filters"), (dict(input_shape=(32, 32)), "input_shape")])
def test_bad_architecture(kwargs, match):
    args = dict(input_shape=(32, 32, 1), num_classes=3, filters=2, num_stages=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        SSHNUNet(**args)
