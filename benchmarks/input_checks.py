"""Cost of the in-graph input checks (phi, images, labels): SSHN training and inference steps with and without them.

Two identical SSHNs (same weights), one built with `sshn_keras.ops.checks`' run-time
checks turned into no-ops; each model's compiled `train_on_batch` and
`predict_on_batch`, timed in alternating rounds. Prints the ratio checked /
unchecked (target: about 1.0).

    python benchmarks/input_checks.py [--size 128 128] [--batch 8] [--rounds 5]
"""

import sys
from unittest import mock

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import benchmark_parser, device_name, interleaved_times, seeded_rng  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras import labels, models  # noqa: E402
from sshn_keras.losses import SegmentationCrossEntropy  # noqa: E402
from sshn_keras.models import SSHNUNet  # noqa: E402


def unchecked(fn):
    """`fn` run with the run-time checks replaced by the identity (traced that way)."""

    def run():
        with mock.patch.object(models.phi_model, "checked_images", lambda image, *a, **k: image), mock.patch.object(
            models.phi_model, "checked_phi", lambda phi, *a, **k: keras.ops.reshape(keras.ops.cast(phi, "float32"), (-1, 1))[:1]
        ), mock.patch.object(labels, "checked_labels", lambda y, *a, **k: (y, None)):
            return fn()

    return run


def main():
    parser = benchmark_parser(__doc__.splitlines()[0], size=(128, 128), batch=8)
    parser.add_argument("--filters", type=int, default=16)
    args = parser.parse_args()
    shape = (*args.size, 1)
    rng = seeded_rng()
    x = rng.random((args.batch, *shape), dtype=np.float32)
    y = rng.integers(0, 3, (args.batch, *args.size)).astype("int32")
    checked = SSHNUNet(input_shape=shape, num_classes=3, filters=args.filters, seed=0)
    plain = SSHNUNet(input_shape=shape, num_classes=3, filters=args.filters, seed=0)
    plain.set_weights(checked.get_weights())
    for m in (checked, plain):
        m.compile(optimizer="adam", loss=SegmentationCrossEntropy())
    times = interleaved_times(
        {
            "train_checked": lambda: checked.train_on_batch(x, y),
            "train_unchecked": unchecked(lambda: plain.train_on_batch(x, y)),
            "predict_checked": lambda: checked.predict_on_batch(x),
            "predict_unchecked": unchecked(lambda: plain.predict_on_batch(x)),
        },
        rounds=args.rounds,
        reps=args.reps,
    )
    print(f"Device: {device_name()}; SSHN, input {args.size[0]}x{args.size[1]}, batch {args.batch}, {args.filters} features")
    for step in ("train", "predict"):
        a, b = times[f"{step}_checked"], times[f"{step}_unchecked"]
        print(f"{step:8s} step: checked {1000 * a:8.1f} ms, unchecked {1000 * b:8.1f} ms, ratio {a / b:6.3f} (target ~1.0)")


if __name__ == "__main__":
    main()
