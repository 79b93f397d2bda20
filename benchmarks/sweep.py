"""Cost of a 51-point phi sweep versus the sum of its pure inference passes.

`sweep_phi` evaluates one trained model at 51 phi values (0.01 ... 0.51):
for each, a Keras `predict`, the Dice per image and label, and the FLOPs.
The reference is the bare forward pass of the same network at each phi (a
compiled function of `(image, phi)`, batch by batch), timed in the same run.
Target: sweep / pure <= 1.3 (no rebuild or retrace tax per phi).

    python benchmarks/sweep.py [--size 128 128] [--images 80]
"""

import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import benchmark_parser, device_name, seeded_rng  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from sshn_keras.models import SSHNUNet  # noqa: E402
from sshn_keras.sweep import phi_grid, sweep_phi  # noqa: E402


def time_sweep(model, x, y, phis, batch: int, repeats: int) -> tuple:
    """`(pure, sweep)`: best-of-`repeats` seconds of the bare forward passes and of `sweep_phi`, after a warm-up."""
    forward = tf.function(lambda img, phi: model.network({"image": img, "phi": phi}, training=False))
    batches = [tf.constant(x[i : i + batch]) for i in range(0, len(x), batch)]

    def pure():
        start = time.perf_counter()
        for phi in phis:
            p = tf.constant([[phi]], tf.float32)
            for b in batches:
                forward(b, p).numpy()
        return time.perf_counter() - start

    def sweep():
        start = time.perf_counter()
        sweep_phi(model, x, y, phis, batch_size=batch, progress=False)
        return time.perf_counter() - start

    pure(), sweep()  # warm up: trace both once
    t_pure, t_sweep = [], []
    for _ in range(repeats):
        t_pure.append(pure())
        t_sweep.append(sweep())
    return min(t_pure), min(t_sweep)


def main():
    parser = benchmark_parser(__doc__.splitlines()[0], size=(128, 128), batch=16, rounds=None, reps=None)
    parser.add_argument("--images", type=int, default=80)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    rng = seeded_rng()
    x = rng.random((args.images, *args.size, 3), dtype=np.float32)
    y = rng.integers(0, args.classes, (args.images, *args.size)).astype("int32")
    model = SSHNUNet(input_shape=(*args.size, 3), num_classes=args.classes)
    phis = phi_grid(0.01, 0.51, 0.01)
    tp, ts = time_sweep(model, x, y, phis, args.batch, args.repeats)
    print(f"Device: {device_name()}; {args.images} images {args.size[0]}x{args.size[1]}x3, {len(phis)} phi values")
    print(f"sum of pure inference passes: {tp:7.2f} s")
    print(f"sweep_phi (forward + Dice + FLOPs + latency): {ts:7.2f} s")
    print(f"ratio sweep / pure: {ts / tp:.3f}   (target <= 1.3)")


if __name__ == "__main__":
    main()
