"""Training-step time: SSHN (phi ~ U(0, 0.5)) versus a Fixed U-Net at phi = 0.5.

Paper architecture (5 stages, 2 convs per stage, 32 features), 160x192 inputs,
batch 8, Adam + cross-entropy, each model's compiled `train_on_batch`.
Prints the ratio SSHN / Fixed (target <= 1.0) and exact FLOPs per image.

    python benchmarks/train_step.py [--size 160 192] [--batch 8] [--rounds 5]
"""

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import benchmark_parser, device_name, interleaved_times, seeded_rng  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.flops import unet_flops  # noqa: E402
from sshn_keras.losses import SegmentationCrossEntropy  # noqa: E402
from sshn_keras.models import SSHNUNet, build_unet  # noqa: E402


def main():
    parser = benchmark_parser(__doc__.splitlines()[0], size=(160, 192), batch=8, reps=4)
    parser.add_argument("--classes", type=int, default=5)
    args = parser.parse_args()
    shape = (*args.size, 1)
    rng = seeded_rng()
    x = rng.random((args.batch, *shape), dtype=np.float32)
    y = rng.integers(0, args.classes, (args.batch, *args.size)).astype("int32")

    sshn = SSHNUNet(input_shape=shape, num_classes=args.classes)
    fixed = build_unet(shape, args.classes, phi=0.5)
    for m in (sshn, fixed):
        m.compile(optimizer="adam", loss=SegmentationCrossEntropy())
    times = interleaved_times(
        {"sshn": lambda: sshn.train_on_batch(x, y), "fixed": lambda: fixed.train_on_batch(x, y)},
        rounds=args.rounds,
        reps=args.reps,
    )
    print(f"Device: {device_name()}; input {args.size[0]}x{args.size[1]}, batch {args.batch}, 32 features, 5 stages")
    print(f"SSHN step  (phi ~ U(0, 0.5)): {1000 * times['sshn']:8.1f} ms   jit_compile={sshn.jit_compile}")
    print(f"Fixed step (phi = 0.5)      : {1000 * times['fixed']:8.1f} ms   jit_compile={fixed.jit_compile}")
    print(f"ratio SSHN / Fixed          : {times['sshn'] / times['fixed']:8.3f}   (target <= 1.0)")
    mean_gf = np.mean([unet_flops(shape, args.classes, p)["total"] for p in np.linspace(0.01, 0.5, 50)]) / 1e9
    print(f"forward GFLOPs per image: Fixed 0.5 = {unet_flops(shape, args.classes, 0.5)['total'] / 1e9:.3f}, "
          f"SSHN mean over the prior = {mean_gf:.3f} (+ hypernetwork: {sshn.network.count_params() * 2 / 1e9:.3f})")


if __name__ == "__main__":
    main()
