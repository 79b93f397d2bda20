"""Hypernetwork size, full versus compact heads, for the literal and the doubling U-Net.

A full head holds E + 1 = 101 weights per primary weight. Prints, for the
paper's literal U-Net (32 features everywhere) and for widths doubling per
stage (32 ... 512), the primary and hypernetwork weights and the float32
memory of training with Adam (weights + two moments), for full heads and
compact heads of rank 4, 8 and 16 (`SSHNUNet(head_rank=r)`). Counts come from
`sshn_keras.models.hyper_size.hypernetwork_size` (equal to the built model's,
tested); nothing this size is built.

    python benchmarks/head_size.py
"""

from sshn_keras.models.hyper_size import hypernetwork_size

ARCHS = {"literal (32 everywhere)": 32, "doubling (32 ... 512)": [32, 64, 128, 256, 512]}
RANKS = (None, 16, 8, 4)


def main():
    print(f"{'architecture':<26} {'head':>6} {'primary':>10} {'hypernetwork':>14} {'x primary':>10} {'Adam GB':>8}")
    for name, filters in ARCHS.items():
        full = None
        for rank in RANKS:
            size = hypernetwork_size(head_rank=rank, input_shape=(None, None, 1), num_classes=25, filters=filters)
            full = full or size["total"]
            print(f"{name:<26} {'full' if rank is None else f'r={rank}':>6} {size['primary']:>10,} {size['total']:>14,} "
                  f"{size['total'] / size['primary']:>10.1f} {3 * size['float32_bytes'] / 1e9:>8.2f}"
                  + ("" if rank is None else f"   ({full / size['total']:.1f}x smaller)"))


if __name__ == "__main__":
    main()
