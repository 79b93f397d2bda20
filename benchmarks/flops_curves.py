"""Exact FLOPs versus phi for the paper's literal U-Net and for widths that double per stage.

The paper's literal architecture (32 features at every convolution, first
stage at full resolution) spends most of its FLOPs in the full-resolution
first stage and last decoder stage, which phi does not touch; with widths
doubling per stage (32, 64, ..., 512) the deep stages dominate and phi
matters much more. Prints both curves (160x192 inputs, 25 classes, as
OASIS seg24) and writes `benchmarks/flops_curves.png`.

    python benchmarks/flops_curves.py
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sshn_keras.flops import unet_flops  # noqa: E402

SHAPE, CLASSES = (160, 192, 1), 25
ARCHS = {"literal: 32 at every stage": 32, "doubling: 32, 64, 128, 256, 512": [32, 64, 128, 256, 512]}


def main():
    phis = [round(0.05 * k, 2) for k in range(1, 21)]
    curves = {name: [unet_flops(SHAPE, CLASSES, p, filters=f)["total"] / 1e9 for p in phis] for name, f in ARCHS.items()}
    print(f"{'phi':>5} " + " ".join(f"{n[:28]:>30}" for n in curves))
    for i, p in enumerate(phis):
        print(f"{p:5.2f} " + " ".join(f"{c[i]:22.3f} GFLOPs" for c in curves.values()))
    for name, c in curves.items():
        at = dict(zip(phis, c))
        print(f"{name}: phi 0.4 saves {100 * (1 - at[0.4] / at[0.5]):.1f}% and phi 0.3 saves "
              f"{100 * (1 - at[0.3] / at[0.5]):.1f}% of the FLOPs at phi 0.5")
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, c in curves.items():
        ax.plot(phis, [v / c[phis.index(0.5)] for v in c], marker="o", ms=3, label=name)
    ax.set_xlabel("phi"); ax.set_ylabel("FLOPs relative to phi = 0.5"); ax.grid(alpha=0.3); ax.legend()
    ax.set_title("U-Net FLOPs vs phi, 160x192 input")
    fig.tight_layout()
    fig.savefig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "flops_curves.png"), dpi=110)


if __name__ == "__main__":
    main()
