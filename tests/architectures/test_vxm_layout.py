"""The phi-conditioned models on VoxelMorph's layout (`VxmDenseSpec`) against VoxelMorph's `VxmDense`.

At phi = 0.5 the materialised network has exactly `VxmDense`'s layers and
weight shapes, and takes its weights. Its outputs differ from `VxmDense`'s
only through the resizes (bilinear by phi and back to the skip's size, where
VoxelMorph max-pools and upsamples by nearest neighbour): the same spec laid
out with VoxelMorph's resizes reproduces `VxmDense` to float precision.
"""

import keras
import numpy as np
import pytest

from sshn_keras.architectures import VxmDenseSpec, plain_conv_factory
from sshn_keras.registration import VxmDense
from sshn_keras.registration.phi_networks import phi_vxm_dense
from sshn_keras.tasks import RegistrationTask

FEATURES = [[4, 8, 8], [8, 8, 8, 4, 4]]  # 4 levels, 2 extra full-resolution convolutions
INSHAPE = (32, 32)


def _weighted(model):
    return [layer for layer in model.layers if layer.weights]


def _pair(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.random((2, *INSHAPE, 1), dtype=np.float32) for _ in range(2)]


def _voxelmorph_resizes(spec, task):
    """`spec` laid out with VoxelMorph's MaxPooling(2) and nearest UpSampling(2)."""
    inputs = task.inputs(spec.input_shape)
    conv = plain_conv_factory(spec.ndims, spec.negative_slope, task.head_init_stddev)
    head = spec.build(
        task.backbone_input(inputs), spec.ndims, conv,
        downsample=lambda x, name: keras.layers.MaxPooling2D(2, name=name)(x),
        upsample=lambda x, skip, name: keras.layers.UpSampling2D(2, name=name)(x),
    )
    return task.fixed_model(inputs, task.outputs(inputs, head), "vxm_dense_spec_maxpool")


@pytest.fixture
def vxm():
    return VxmDense(inshape=INSHAPE, nb_unet_features=FEATURES)  # VoxelMorph's defaults: int_steps=7, int_downsize=2


def test_materialised_at_half_has_vxm_dense_layers_and_weight_shapes(vxm):
    for method in ("sshn", "stochastic", "film"):
        plain = phi_vxm_dense(method, inshape=INSHAPE, nb_unet_features=FEATURES).materialize(0.5)
        ours, theirs = _weighted(plain), _weighted(vxm)
        assert [type(a).__name__ for a in ours] == [type(b).__name__ for b in theirs]
        assert [[w.shape for w in a.weights] for a in ours] == [[w.shape for w in b.weights] for b in theirs]
        assert plain.count_params() == vxm.count_params()
        assert [tuple(o.shape) for o in plain.outputs] == [tuple(o.shape) for o in vxm.outputs]


def test_vxm_dense_weights_load_and_only_the_resizes_differ(vxm):
    rng = np.random.default_rng(2)
    for w in vxm.weights:  # trained-looking weights (the flow head starts near zero)
        w.assign(0.2 * rng.standard_normal(w.shape).astype("float32"))
    weights = [layer.get_weights() for layer in _weighted(vxm)]
    spec, task = VxmDenseSpec(inshape=INSHAPE, nb_unet_features=FEATURES), RegistrationTask()
    x = _pair()
    expected = vxm.predict(x, verbose=0)

    same_ops = _voxelmorph_resizes(spec, task)
    for layer, w in zip(_weighted(same_ops), weights):
        layer.set_weights(w)
    got = same_ops.predict(x, verbose=0)
    for a, b in zip(got, expected):
        assert np.max(np.abs(a - b)) <= 1e-5

    ours = phi_vxm_dense("stochastic", inshape=INSHAPE, nb_unet_features=FEATURES).materialize(0.5)
    for layer, w in zip(_weighted(ours), weights):
        layer.set_weights(w)
    flow_diff = np.max(np.abs(ours.predict(x, verbose=0)[1] - expected[1]))
    assert flow_diff > 1e-3  # bilinear resizes instead of max pooling and nearest upsampling


def test_evaluate_registration_counts_a_voxelmorph_layout_model_by_its_spec(tiny_data):
    from sshn_keras.registration import evaluate_registration, registration_flops, subject_pairs

    images, labels = tiny_data
    pairs = subject_pairs((images[:4], labels[:4]), num_pairs=2, seed=0)  # 32x32 images
    model = phi_vxm_dense("stochastic", inshape=(None, None), nb_unet_features=[[2, 4], [4, 4, 2]], int_steps=2)
    row = evaluate_registration(model, pairs, phi=0.5, batch_size=2)
    spec = VxmDenseSpec(inshape=(32, 32), nb_unet_features=[[2, 4], [4, 4, 2]])
    tail = registration_flops((32, 32, 1), 0.5, filters=2, num_stages=2, int_steps=2, int_downsize=2)
    expected = spec.flops(0.5, model.task)["total"] + tail["warp"] + tail["integration"]
    assert row["gflops"] == pytest.approx(expected / 1e9, rel=1e-12)
    assert row["gflops_unet"] == pytest.approx(spec.flops(0.5, model.task)["total"] / 1e9, rel=1e-12)
    assert 0.0 <= row["dice_mean"] <= 1.0
