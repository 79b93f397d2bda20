"""Inference time of a materialised SSHN U-Net versus a hand-written Keras U-Net.

For each phi, the materialised U-Net (`SSHNUNet.materialize(phi)`) and an
independent, hand-written Keras U-Net of the same architecture (Conv2D,
LeakyReLU, `keras.layers.Resizing` with precomputed sizes) are timed side by
side on the same batch. Prints ms per batch, the ratio (target <= 1.05) and
the exact FLOPs per image of the primary network.

    python benchmarks/inference.py [--size 160 192] [--batch 8]
"""

import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import device_name, interleaved_times  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from sshn_keras.flops import unet_flops  # noqa: E402
from sshn_keras.layers import stage_shapes  # noqa: E402
from sshn_keras.models import SSHNUNet  # noqa: E402


def hand_written_unet(shape, num_classes, phi, features=32, stages=5):
    """A plain Keras U-Net written out by hand (no sshn_keras layers)."""
    sizes = stage_shapes(shape[:2], phi, stages)
    inp = keras.Input(shape)
    x, skips = inp, []
    for s in range(stages):
        if s:
            x = keras.layers.Resizing(*sizes[s], interpolation="bilinear")(x)
        for _ in range(2):
            x = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(features, 3, padding="same")(x))
        skips.append(x)
    for s in range(stages - 2, -1, -1):
        x = keras.layers.Resizing(*sizes[s], interpolation="bilinear")(x)
        x = keras.layers.Concatenate()([x, skips[s]])
        for _ in range(2):
            x = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(features, 3, padding="same")(x))
    out = keras.layers.Softmax()(keras.layers.Conv2D(num_classes, 1)(x))
    return keras.Model(inp, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, nargs=2, default=(160, 192))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--phis", type=float, nargs="+", default=[0.1, 0.2, 0.3, 0.4, 0.5])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    shape = (*args.size, 1)
    x = tf.constant(np.random.default_rng(0).random((args.batch, *shape), dtype=np.float32))
    sshn = SSHNUNet(input_shape=shape, num_classes=args.classes)
    print(f"Device: {device_name()}; input {args.size[0]}x{args.size[1]}, batch {args.batch}")
    print(f"{'phi':>5} {'GFLOPs/img':>11} {'materialised ms':>16} {'hand-written ms':>16} {'ratio':>7}")
    worst = 0.0
    for phi in args.phis:
        mat = sshn.materialize(phi)
        ref = hand_written_unet(shape, args.classes, phi)
        f_mat = tf.function(lambda t, m=mat: m(t, training=False))
        f_ref = tf.function(lambda t, m=ref: m(t, training=False))
        assert f_mat(x).shape == f_ref(x).shape
        t = interleaved_times({"mat": lambda: f_mat(x).numpy(), "ref": lambda: f_ref(x).numpy()}, args.rounds, args.reps)
        ratio = t["mat"] / t["ref"]
        worst = max(worst, ratio)
        gflops = unet_flops(shape, args.classes, phi)["total"] / 1e9
        print(f"{phi:5.2f} {gflops:11.3f} {1000 * t['mat']:16.1f} {1000 * t['ref']:16.1f} {ratio:7.3f}")
    print(f"worst ratio materialised / hand-written: {worst:.3f} (target <= 1.05)")


if __name__ == "__main__":
    main()
