"""Architecture specs and the registries: argument checks, config round trips, exact FLOPs, unknown names."""

import numpy as np
import pytest

from sshn_keras.architectures import ARCHITECTURES, UNetSpec, VxmDenseSpec, count_flops, get_architecture
from sshn_keras.flops import unet_flops
from sshn_keras.models import PhiModel
from sshn_keras.tasks import TASKS, RegistrationTask, SegmentationTask, get_task


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(input_shape=(32, 32)), ValueError, r"\(H, W, C\).*Received input_shape=\(32, 32\)"),
        (dict(input_shape=(32, 32, None)), ValueError, "number of channels"),
        (dict(input_shape="32x32"), TypeError, "input_shape"),
        (dict(input_shape=(32, 32, 1), num_stages=0), ValueError, r"`num_stages` must be an int >= 1. Received num_stages=0"),
        (dict(input_shape=(32, 32, 1), filters=2.5), TypeError, "filters"),
        (dict(input_shape=(32, 32, 1), filters=[4, 8], num_stages=3), ValueError, r"list of 3 positive ints.*\[4, 8\]"),
        (dict(input_shape=(4, 32, 1), num_stages=4), ValueError, r"at least 8 pixels"),
        (dict(input_shape=(32, 32, 1), kernel_size=True), TypeError, "kernel_size"),
    ],
)
def test_unet_spec_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        UNetSpec(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(inshape=(32,)), r"inshape.*Received inshape=\(32,\)"),
        (dict(inshape=(32, 0)), "inshape"),
        (dict(inshape=(32, 32), nb_unet_features=[[4, 4, 4], [4, 4]]), "at least as many convolutions"),
        (dict(inshape=(32, 32), nb_unet_features=[[4, 4, 4], [4, 4, 4]], nb_unet_conv_per_level=2), "multiple of"),
        (dict(inshape=(32, 32), nb_unet_features=8), "nb_unet_levels"),
        (dict(inshape=(4, 32)), r"at least 16 voxels"),
    ],
)
def test_vxm_dense_spec_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        VxmDenseSpec(**kwargs)


def test_registries_refuse_unknown_names_and_list_the_choices():
    with pytest.raises(ValueError, match=r"Unknown architecture.*'resnet'.*\['unet', 'vxm_dense'\]"):
        get_architecture({"name": "resnet"})
    with pytest.raises(ValueError, match=r"Unknown task.*'detection'.*\['segmentation', 'registration'\]"):
        get_task("detection")
    with pytest.raises(ValueError, match=r"Unknown method.*'magic'.*\['sshn', 'stochastic', 'film'\]"):
        PhiModel(UNetSpec((16, 16, 1), filters=2, num_stages=2), method="magic")
    with pytest.raises(ValueError, match=r"takes the options \['film_units'\]. Received \['hyper_units'\]"):
        PhiModel(UNetSpec((16, 16, 1), filters=2, num_stages=2), method="film", method_options={"hyper_units": [4]})
    assert ARCHITECTURES.names() == ("unet", "vxm_dense") and TASKS.names() == ("segmentation", "registration")


@pytest.mark.parametrize(
    "spec",
    [
        UNetSpec((32, 24, 1), filters=[4, 6, 8], num_stages=3, convs_per_stage=1, kernel_size=5, negative_slope=0.1),
        VxmDenseSpec(inshape=(32, 32), nb_unet_features=[[4, 8], [8, 8, 4]]),
        VxmDenseSpec(inshape=(32, 32, 32), nb_unet_features=4, nb_unet_levels=3, unet_feat_mult=2, src_feats=2),
    ],
    ids=["unet", "vxm_lists", "vxm_int_3d"],
)
def test_spec_config_round_trip(spec):
    config = spec.to_config()
    import json

    assert json.loads(json.dumps(config)) == config
    assert get_architecture(config) == spec
    assert get_architecture(config).to_config() == config


@pytest.mark.parametrize("phi", [0.13, 0.5, 0.77])
def test_unet_flops_equal_the_count_of_the_fixed_network_and_the_formula(phi):
    spec = UNetSpec((37, 29, 2), filters=[3, 5, 7], num_stages=3)
    task = SegmentationTask(4)
    counted = count_flops(spec.build_fixed(phi, task))
    assert spec.flops(phi, task) == counted
    assert counted == unet_flops((37, 29, 2), 4, phi, [3, 5, 7], 3)


def test_vxm_dense_flops_count_every_convolution_and_resize():
    spec = VxmDenseSpec(inshape=(16, 16), nb_unet_features=[[2, 4], [4, 4, 2]])
    f = spec.flops(0.5)
    # by hand: 16x16 in (2 ch: moving, fixed), level sizes 16, 8, 4; k = 3
    conv = lambda n, ci, co: 2 * 9 * ci * co * n * n + co * n * n  # noqa: E731
    resize = lambda n, c: 7 * n * n * c  # noqa: E731
    expected_conv = conv(16, 2, 2) + conv(8, 2, 4) + conv(4, 4, 4) + conv(8, 8, 4) + conv(16, 6, 2) + conv(16, 2, 2)
    expected_resize = resize(8, 2) + resize(4, 4) + resize(8, 4) + resize(16, 4)
    assert f == {"conv": expected_conv, "resize": expected_resize, "total": expected_conv + expected_resize}
    with pytest.raises(ValueError, match="known input size"):
        VxmDenseSpec(inshape=(None, 16)).flops(0.5)


def test_unet_spec_builds_the_same_network_as_build_unet():
    from sshn_keras.models import build_unet

    a = build_unet((16, 16, 1), num_classes=3, phi=0.4, filters=4, num_stages=3)
    b = UNetSpec((16, 16, 1), filters=4, num_stages=3).build_fixed(0.4, SegmentationTask(3), name=a.name)
    assert [(l.name, type(l)) for l in a.layers] == [(l.name, type(l)) for l in b.layers]
    assert [w.shape for w in a.weights] == [w.shape for w in b.weights]
    assert np.isclose(count_flops(a)["total"], count_flops(b)["total"])


def test_model_flops_of_a_phi_model_uses_its_spec():
    from sshn_keras.flops import model_flops

    spec = VxmDenseSpec(inshape=(None, None), nb_unet_features=[[2, 4], [4, 4, 2]])
    model = PhiModel(spec, "stochastic", RegistrationTask())
    assert model_flops(model, 0.5, input_shape=(16, 16, 1)) == VxmDenseSpec(
        inshape=(16, 16), nb_unet_features=[[2, 4], [4, 4, 2]]
    ).flops(0.5)
