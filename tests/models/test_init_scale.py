"""At initialisation, SSHN activations neither explode nor vanish, for any phi."""

import keras
import numpy as np
import pytest

from sshn_keras.models import SSHNUNet

PHIS = (0.05, 0.25, 0.5, 1.0)


def _activation_rms(model, x, phi):
    net = model.network
    names = [l.name for l in net.layers if "_act" in l.name or l.name == "head"]
    probe = keras.Model(net.inputs, [net.get_layer(n).output for n in names])
    outs = probe({"image": x, "phi": np.array([[phi]], "float32")})
    return {n: (float(np.sqrt(np.mean(np.square(o)))), min(o.shape[1:-1])) for n, o in zip(names, outs)}


def _check(model, x):
    bad = []
    for phi in PHIS:
        for name, (value, side) in _activation_rms(model, x, phi).items():
            # Every activation stays below 10x the input's scale; those on maps
            # of at least 8 pixels per axis (where zero padding does not eat the
            # 3x3 kernels' support) stay above 0.1x.
            if value > 10 or (side >= 8 and value < 0.1):
                bad.append((phi, name, round(value, 4)))
    return bad


@pytest.mark.parametrize("seed, head_rank", [(0, None), (1, None), (0, 8), (1, 8)])
def test_paper_architecture_keeps_activation_scale(seed, head_rank):
    keras.utils.set_random_seed(seed)
    x = np.random.default_rng(seed).normal(size=(2, 64, 64, 1)).astype("float32")
    model = SSHNUNet(input_shape=(64, 64, 1), num_classes=4, head_rank=head_rank)  # 5 stages, 32 features
    assert _check(model, x) == []


def test_careless_initialisation_is_caught():
    """Plain Kaiming heads on an unnormalised embedding explode: the check above fails."""
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(2, 64, 64, 1)).astype("float32")
    model = SSHNUNet(input_shape=(64, 64, 1), num_classes=4, normalize_embedding=False, head_rank=None)
    for layer in model.network.layers:
        if hasattr(layer, "kernel_head"):
            fan_in = layer.kernel_head.shape[0]
            layer.kernel_head.assign(np.random.default_rng(1).normal(0, np.sqrt(2 / fan_in), layer.kernel_head.shape))
    assert len(_check(model, x)) > 0
