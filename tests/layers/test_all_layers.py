"""Every public layer passes the shared checks of `tests/layer_check.py` (numeric checks live beside each layer)."""

import numpy as np
import pytest

from layer_check import check_layer
from sshn_keras.layers import (
    FiLM,
    HyperConv2D,
    HyperConv3D,
    HyperNetwork,
    RescaleTransform,
    ResizeByFactor,
    SpatialTransformer,
    VecInt,
)

RNG = np.random.default_rng(7)


def _x(*shape):
    return RNG.normal(size=shape).astype(np.float32)


# (id, make_layer(**overrides), inputs, none_spatial)
CASES = [
    ("HyperConv2D", lambda **kw: HyperConv2D(3, 3, **kw), [_x(1, 6, 5, 2), _x(1, 8)], True),
    ("HyperConv3D", lambda **kw: HyperConv3D(2, 3, **kw), [_x(1, 4, 5, 3, 2), _x(1, 8)], True),
    ("HyperNetwork", lambda **kw: HyperNetwork(units=(4, 8), **kw), [np.full((1, 1), 0.3, np.float32)], False),
    ("FiLM", lambda **kw: FiLM(**kw), [_x(1, 5, 4, 3), _x(1, 8)], True),
    ("ResizeByFactor", lambda **kw: ResizeByFactor(0.5, **kw), [_x(2, 5, 7, 3)], True),
    ("ResizeByFactor-phi", lambda **kw: ResizeByFactor(**kw), [_x(2, 5, 7, 3), np.full((2, 1), 0.6, np.float32)], True),
    ("ResizeByFactor-reference", lambda **kw: ResizeByFactor(mode="reference", **kw), [_x(2, 3, 4, 2), _x(2, 6, 7, 5)], True),
    ("SpatialTransformer", lambda **kw: SpatialTransformer(**kw), [_x(2, 6, 5, 2), _x(2, 6, 5, 2)], True),
    ("SpatialTransformer-3d-fill", lambda **kw: SpatialTransformer(fill_value=0.0, **kw), [_x(1, 4, 5, 3, 1), _x(1, 4, 5, 3, 3)], True),
    ("VecInt", lambda **kw: VecInt(int_steps=3, **kw), [0.5 * _x(2, 6, 5, 2)], True),
    ("RescaleTransform", lambda **kw: RescaleTransform(2.0, **kw), [_x(2, 4, 5, 2)], True),
]


@pytest.mark.parametrize("make_layer, inputs, none_spatial", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_layer_passes_the_shared_checks(make_layer, inputs, none_spatial, tmp_path):
    check_layer(make_layer, inputs, tmp_path, none_spatial=none_spatial)


def test_every_public_layer_is_checked():
    import sshn_keras.layers as layers

    public = {name for name in layers.__all__ if isinstance(getattr(layers, name), type)} - {"HyperConv"}  # abstract base
    checked = {c[0].split("-")[0] for c in CASES}
    assert public == checked, f"add a case for {sorted(public - checked)}"


def test_the_checks_fail_on_a_layer_that_does_not_round_trip(tmp_path):
    import keras

    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def compute_output_shape(self, shape):
            return shape

        def get_config(self):  # leaves out `factor`: a layer rebuilt from it scales by 2
            config = super().get_config()
            config.pop("factor", None)
            return config

    with pytest.raises(AssertionError, match="round-trip"):
        check_layer(lambda **kw: Scale(3.0, **kw), [_x(2, 4, 4, 1)], tmp_path)
