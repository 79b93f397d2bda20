"""Registration training-step time: SSHN VxmDense (phi ~ U(0, 0.5)) versus a Fixed one at phi = 0.5.

Paper architecture (5 stages, 2 convs per stage, 32 features), 160x192
moving / fixed pairs, batch 8, VoxelMorph's losses `[MSE, Grad("l2")]`
with weights `[1, 0.01]`, Adam, each model's compiled `train_on_batch`,
timed in interleaved rounds. Prints the ratio SSHN / Fixed (target <= 1.0)
and the FLOPs per registration.

    python benchmarks/registration_step.py [--size 160 192] [--batch 8] [--rounds 5] [--int-steps 0]
"""

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import benchmark_parser, device_name, interleaved_times, seeded_rng  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.registration import SSHNVxmDense, build_vxm_dense, compile_registration, registration_flops  # noqa: E402


def main():
    parser = benchmark_parser(__doc__.splitlines()[0], size=(160, 192), batch=8)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--int-steps", type=int, default=0)
    args = parser.parse_args()
    shape = (*args.size, 1)
    rng = seeded_rng()
    moving = rng.random((args.batch, *shape), dtype=np.float32)
    fixed = rng.random((args.batch, *shape), dtype=np.float32)
    zeros = np.zeros((args.batch, *args.size, 2), np.float32)
    arch = dict(input_shape=shape, filters=args.filters, num_stages=5, int_steps=args.int_steps)

    sshn = compile_registration(SSHNVxmDense(**arch))
    fixed_net = compile_registration(build_vxm_dense(**arch, phi=0.5))
    times = interleaved_times(
        {
            "sshn": lambda: sshn.train_on_batch([moving, fixed], [fixed, zeros]),
            "fixed": lambda: fixed_net.train_on_batch([moving, fixed], [fixed, zeros]),
        },
        rounds=args.rounds,
        reps=args.reps,
    )
    print(
        f"Device: {device_name()}; registration {args.size[0]}x{args.size[1]}, batch {args.batch}, "
        f"{args.filters} features, 5 stages, int_steps={args.int_steps}"
    )
    print(f"SSHN step  (phi ~ U(0, 0.5)): {1000 * times['sshn']:8.1f} ms   jit_compile={sshn.jit_compile}")
    print(f"Fixed step (phi = 0.5)      : {1000 * times['fixed']:8.1f} ms   jit_compile={fixed_net.jit_compile}")
    print(f"ratio SSHN / Fixed          : {times['sshn'] / times['fixed']:8.3f}   (target <= 1.0)")
    flops = {p: registration_flops(shape, p, args.filters, int_steps=args.int_steps)["total"] for p in np.linspace(0.01, 0.5, 50)}
    print(
        f"forward GFLOPs per registration: Fixed 0.5 = {flops[0.5] / 1e9:.3f}, "
        f"SSHN mean over the prior = {np.mean(list(flops.values())) / 1e9:.3f} "
        f"(+ hypernetwork: {sshn.network.count_params() * 2 / 1e9:.3f})"
    )


if __name__ == "__main__":
    main()
