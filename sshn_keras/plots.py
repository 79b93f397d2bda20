"""Plots of phi sweeps (matplotlib, written to PNG)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_dice_vs_phi(rows: list, path: str, title: str = "Dice vs phi", label: str = "SSHN") -> str:
    """Plot Dice (mean, with a +-1 std band over images) against phi and GFLOPs; save a PNG.

    Args:
        rows: the output of `sweep_phi`.
        path: PNG file to write.
        title: figure title.
        label: legend entry.

    Returns:
        `path`.
    """
    phi = [r["phi"] for r in rows]
    mean = [r["dice_mean"] for r in rows]
    std = [r["dice_std"] for r in rows]
    gflops = [r["gflops"] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, xs, xlabel in ((axes[0], phi, "phi (rescaling factor)"), (axes[1], gflops, "GFLOPs per image")):
        ax.plot(xs, mean, marker="o", ms=3, label=label)
        ax.fill_between(xs, [m - s for m, s in zip(mean, std)], [m + s for m, s in zip(mean, std)], alpha=0.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Dice (foreground mean)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
