import pytest
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from sshn_keras.flops import conv_flops, resize_flops, unet_flops
from sshn_keras.models import SSHNUNet


def _profiler_flops(model, shape):
    fn = tf.function(lambda x: model(x, training=False)).get_concrete_function(tf.TensorSpec((1, *shape), tf.float32))
    graph = convert_variables_to_constants_v2(fn).graph
    opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    prof = tf.compat.v1.profiler.profile(graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="scope", options=opts)
    counts = {}

    def walk(node):
        if node.float_ops:
            kind = node.name.rsplit("/", 1)[-1]
            counts[kind] = counts.get(kind, 0) + node.float_ops
        for child in node.children:
            walk(child)

    walk(prof)
    return counts


@pytest.mark.parametrize("phi", [0.1, 0.3, 0.5])
def test_conv_flops_equal_tensorflow_profiler_on_materialized_model(phi):
    shape = (40, 48, 1)
    model = SSHNUNet(input_shape=shape, num_classes=3, filters=[4, 6, 8], num_stages=3)
    counts = _profiler_flops(model.materialize(phi), shape)
    ours = unet_flops(shape, 3, phi, filters=[4, 6, 8], num_stages=3)
    # the profiler counts convolutions (2 per multiply-add), bias adds and softmax (5 per value);
    # it has no count for ResizeBilinear, so resize FLOPs are checked by hand below
    assert counts["convolution"] + counts["BiasAdd"] == ours["conv"]
    assert counts["Softmax"] == 5 * 40 * 48 * 3


def test_resize_and_conv_counts_by_hand():
    assert conv_flops((4, 5), 2, 3, 3) == 2 * 9 * 2 * 3 * 20 + 3 * 20
    assert resize_flops((4, 5), 2) == 7 * 20 * 2  # 4 products + 3 adds per output value in 2D
    assert resize_flops((2, 2, 2), 1) == 15 * 8


def test_3d_and_monotone_in_phi():
    f = [unet_flops((32, 32, 32, 1), 4, p, filters=8, num_stages=4)["total"] for p in (0.1, 0.3, 0.5, 0.8)]
    assert f == sorted(f)


def test_paper_literal_vs_doubling_widths():
    """The literal architecture saves little by lowering phi; doubling widths save a lot."""
    literal = [unet_flops((160, 192, 1), 25, p)["total"] for p in (0.3, 0.4, 0.5)]
    doubling = [unet_flops((160, 192, 1), 25, p, filters=[32, 64, 128, 256, 512])["total"] for p in (0.3, 0.4, 0.5)]
    assert 1 - literal[1] / literal[2] < 0.2
    assert 1 - doubling[1] / doubling[2] > 0.3


def test_bad_phi():
    with pytest.raises(ValueError, match="phi"):
        unet_flops((32, 32, 1), 2, 0.0)
