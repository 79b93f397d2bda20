"""Benchmark `SpatialTransformer` against a naive per-corner `tf.gather_nd` warp.

Two cases: 2D, batch 8 at 160x192, and 3D at 96^3 (batch 1 by default;
`--batch-3d 8` if memory allows). Both warps run inside `tf.function`
(as in `fit`); forward alone and forward + backward (gradients w.r.t.
image and flow) are timed, the median of `--repeats` runs after a warm-up.

The naive reference is the straightforward formulation: a full coordinate
grid, each of the 2**ndims corners fetched with `tf.gather_nd` on stacked
`(batch, i, j[, k])` indices and weighted by the product of per-axis
weights. The layer instead gathers flat indices from a `(batch * voxels,
channels)` view, shares one base index between corners, and interpolates
separably (7 lerps in 3D instead of 8 three-way products).

    python benchmarks/spatial_transformer.py [--repeats 10] [--batch-3d 1] [--channels 1]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from sshn_keras.layers.spatial_transformer import SpatialTransformer  # noqa: E402


def naive_warp(image, flow):
    """Linear pull warp, clamped edges, one `tf.gather_nd` per corner."""
    ndims = len(image.shape) - 2
    shape = tf.shape(image)
    batch, spatial = shape[0], [shape[d + 1] for d in range(ndims)]
    grids = tf.meshgrid(*[tf.range(n, dtype=tf.float32) for n in spatial], indexing="ij")
    b_index = tf.broadcast_to(tf.reshape(tf.range(batch), [-1] + [1] * ndims), tf.shape(flow)[:-1])
    top = [tf.cast(n - 1, tf.float32) for n in spatial]
    loc = [tf.clip_by_value(grids[d][None] + flow[..., d], 0.0, top[d]) for d in range(ndims)]
    lower = [tf.floor(x) for x in loc]
    upper = [tf.minimum(lower[d] + 1.0, top[d]) for d in range(ndims)]
    frac = [loc[d] - lower[d] for d in range(ndims)]
    out = 0.0
    for corner in itertools.product([0, 1], repeat=ndims):
        subs = [tf.cast(upper[d] if corner[d] else lower[d], tf.int32) for d in range(ndims)]
        weight = 1.0
        for d in range(ndims):
            weight = weight * (frac[d] if corner[d] else 1.0 - frac[d])
        values = tf.gather_nd(image, tf.stack([b_index, *subs], axis=-1))
        out = out + weight[..., None] * values
    return out


def time_fn(fn, args, repeats: int) -> float:
    """Median wall time in ms of `fn(*args)`, after two warm-up calls."""
    for _ in range(2):
        _ = [t.numpy() for t in tf.nest.flatten(fn(*args))]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _ = [t.numpy() for t in tf.nest.flatten(fn(*args))]
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def benchmark(name: str, shape: tuple, batch: int, channels: int, repeats: int) -> None:
    rng = np.random.default_rng(0)
    image = tf.constant(rng.standard_normal((batch, *shape, channels)).astype(np.float32))
    flow = tf.constant((3.0 * rng.standard_normal((batch, *shape, len(shape)))).astype(np.float32))
    layer = SpatialTransformer()

    def grad_of(warp):
        def step(x, f):
            with tf.GradientTape() as tape:
                tape.watch([x, f])
                loss = tf.reduce_sum(tf.square(warp(x, f)))
            return tape.gradient(loss, [x, f])

        return tf.function(step)

    layer_fwd = tf.function(lambda x, f: layer([x, f]))
    naive_fwd = tf.function(naive_warp)
    diff = float(tf.reduce_max(tf.abs(layer_fwd(image, flow) - naive_fwd(image, flow))))
    rows = [
        ("forward", layer_fwd, naive_fwd),
        ("forward+backward", grad_of(lambda x, f: layer([x, f])), grad_of(naive_warp)),
    ]
    print(f"{name}: image {tuple(image.shape)}, flow {tuple(flow.shape)}, max |layer - naive| = {diff:.2e}")
    for label, ours, naive in rows:
        t_ours = time_fn(ours, (image, flow), repeats)
        t_naive = time_fn(naive, (image, flow), repeats)
        print(
            f"  {label:17s} SpatialTransformer {t_ours:9.2f} ms   naive gather_nd {t_naive:9.2f} ms   "
            f"naive/layer {t_naive / t_ours:5.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--batch-3d", type=int, default=1)
    parser.add_argument("--channels", type=int, default=1)
    args = parser.parse_args()
    devices = [d.device_type for d in tf.config.list_logical_devices()]
    threads = tf.config.threading.get_intra_op_parallelism_threads() or "default"
    print(f"TensorFlow {tf.__version__}, devices {devices}, intra-op threads {threads}, CPU cores {os.cpu_count()}")
    benchmark("2D", (160, 192), 8, args.channels, args.repeats)
    benchmark("3D", (96, 96, 96), args.batch_3d, args.channels, args.repeats)


if __name__ == "__main__":
    main()
