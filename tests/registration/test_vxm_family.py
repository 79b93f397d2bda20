"""The registration family (Fixed, SSHN, Stochastic, FiLM) with VoxelMorph's constructor, layout and defaults."""

import keras
import numpy as np
import pytest

from sshn_keras.architectures import UNetSpec, VxmDenseSpec, default_unet_features
from sshn_keras.registration import (
    REGISTRATION_METHODS,
    FiLMVxmDense,
    SSHNVxmDense,
    StochasticVxmDense,
    VxmDense,
    build_vxm_dense,
)

FEATURES = [[4, 4], [4, 4, 4]]  # 3 levels, one extra full-resolution convolution
INSHAPE = (16, 16)


def _build(method, **kwargs):
    if method == "fixed":
        return build_vxm_dense(phi=0.5, **kwargs)
    return REGISTRATION_METHODS[method](**kwargs)


def _plain_convs(model):
    network = getattr(model, "network", model)
    return [layer for layer in network.layers if isinstance(layer, keras.layers.Conv2D)]


def test_voxelmorph_defaults_and_arguments():
    model = SSHNVxmDense()  # VoxelMorph's VxmDense() defaults: default widths, 7 steps at half resolution
    assert isinstance(model.spec, VxmDenseSpec) and [model.spec.encoder, model.spec.decoder] == default_unet_features()
    assert (model.int_steps, model.int_downsize, model.image_shape) == (7, 2, (None, None, 1))
    # VoxelMorph's positional order: inshape, nb_unet_features, nb_unet_levels, unet_feat_mult, nb_unet_conv_per_level,
    # int_steps, int_downsize, bidir, use_probs, src_feats, trg_feats, unet_half_res.
    film = FiLMVxmDense(INSHAPE, 4, 3, 2, 2, 5, 2, False, False, 2, 2, False)
    reference = VxmDense(inshape=INSHAPE, nb_unet_features=4, nb_unet_levels=3, unet_feat_mult=2,
                         nb_unet_conv_per_level=2, int_steps=5, src_feats=2, trg_feats=2)
    assert film.image_shape == (16, 16, 2) and film.int_steps == 5
    assert film.materialize(0.5).count_params() == reference.count_params()
    stochastic = StochasticVxmDense(inshape=INSHAPE, nb_unet_features=FEATURES)
    assert [tuple(o.shape) for o in stochastic.materialize(0.5).outputs] == [(None, 16, 16, 1), (None, 8, 8, 2)]


@pytest.mark.parametrize("method", ["fixed", "sshn", "stochastic", "film"])
def test_every_variant_has_vxm_dense_layers_and_names(method):
    model = _build(method, inshape=INSHAPE, nb_unet_features=FEATURES)
    plain = model if method == "fixed" else model.materialize(0.5)
    reference = VxmDense(inshape=INSHAPE, nb_unet_features=FEATURES)
    ours = [[tuple(w.shape) for w in layer.weights] for layer in plain.layers if layer.weights]
    theirs = [[tuple(w.shape) for w in layer.weights] for layer in reference.layers if layer.weights]
    assert ours == theirs
    if method in ("fixed", "stochastic", "film"):  # VoxelMorph's initialiser (the head: RandomNormal(1e-5))
        inits = {type(layer.kernel_initializer).__name__ for layer in _plain_convs(model) if layer.name != "head"}
        assert inits == {"HeNormal"}
    assert [t.name for t in plain.inputs] == ["moving", "fixed"]
    # Keras names the history keys after the outputs: loss, moved_loss, flow_loss for every variant (the
    # registration runner's test fits all four on this layout).
    assert list(model.output_names) == list(plain.output_names) == ["moved", "flow"]


def test_the_unet_layout_keeps_its_initialiser_and_arguments():
    model = StochasticVxmDense(input_shape=(16, 16, 1), filters=2, num_stages=2, int_steps=0)
    assert isinstance(model.spec, UNetSpec) and model.filters == 2
    init = _plain_convs(model)[0].kernel_initializer
    assert type(init).__name__ == "VarianceScaling" and init.scale == pytest.approx(2 / 1.04)


def test_config_and_keras_file_round_trip(tmp_path):
    model = SSHNVxmDense(inshape=INSHAPE, nb_unet_features=FEATURES, int_steps=3, hyper_units=(2, 4), seed=1)
    config = model.get_config()
    assert config["architecture"] == "vxm_dense" and config["nb_unet_features"] == FEATURES
    assert SSHNVxmDense.from_config(config).get_config() == config
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = [np.random.default_rng(1).random((1, *INSHAPE, 1), dtype=np.float32)] * 2
    np.testing.assert_allclose(loaded.predict(x, phi=0.2, verbose=0)[1], model.predict(x, phi=0.2, verbose=0)[1])


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"bidir": True}, "bidir"),
        ({"use_probs": True}, "use_probs"),
        ({"unet_half_res": True}, "unet_half_res"),
        ({"src_feats": 1, "trg_feats": 2}, "trg_feats"),
        ({"filters": 4}, "Arguments of two layouts"),
        ({"nb_unet_features": [[4, 4]]}, "nb_unet_features"),
        ({"inshape": (16, 17)}, "divisible by int_downsize"),
        ({"architecture": "resnet"}, "architecture"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, match):
    kwargs = {"inshape": INSHAPE, "nb_unet_features": FEATURES, **kwargs}
    for method in ("fixed", "sshn"):
        with pytest.raises(ValueError, match=match):
            _build(method, **kwargs)
    with pytest.raises(ValueError, match="use_prob"):
        SSHNVxmDense(inshape=INSHAPE, use_prob=True)  # a misspelt argument is refused
