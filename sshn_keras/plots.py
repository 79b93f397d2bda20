"""Plots of phi sweeps (matplotlib, written to PNG).

Importing this module leaves matplotlib's backend alone (figures still show
in notebooks); every function draws its own figure, saves it and closes it.
"""

import matplotlib.pyplot as plt


def plot_dice_vs_phi(rows: list, path: str, title: str = "Dice vs phi", label: str = "SSHN", chosen: dict | None = None) -> str:
    """Plot Dice (mean, with a +-1 std band over images) against phi and GFLOPs; save a PNG.

    Args:
        rows: the output of `sweep_phi`.
        path: PNG file to write.
        title: figure title.
        label: legend entry.
        chosen: one of `rows` (e.g. from `choose_phi`) to mark and annotate.

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
        if chosen is not None:
            x = chosen["phi"] if xs is phi else chosen["gflops"]
            ax.plot([x], [chosen["dice_mean"]], "*", color="C3", ms=14,
                    label=f"chosen phi={chosen['phi']:g}: Dice {chosen['dice_mean']:.3f}, {chosen['gflops']:.3f} GFLOPs")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Dice (foreground mean)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def method_style(method: str) -> tuple:
    """`(label, colour)` of a registered method (`sshn_keras.models.METHODS`)."""
    from sshn_keras.models.methods import METHODS

    entry = METHODS.get(method)
    return entry.label, entry.colour


def method_curves(results: dict) -> dict:
    """`{method: {"phi": [...], "gflops": [...], "mean": [...], "std": [...], "seeds": n}}` over seeds."""
    import numpy as np

    by_method = {}
    for job in results["jobs"].values():
        for row in job["rows"]:
            key = round(row["phi"], 4)
            entry = by_method.setdefault(job["method"], {}).setdefault(key, {"dice": [], "gflops": row["gflops"]})
            entry["dice"].append(row["dice_mean"])
    curves = {}
    for method, points in by_method.items():
        phis = sorted(points)
        curves[method] = {
            "phi": phis,
            "gflops": [points[p]["gflops"] for p in phis],
            "mean": [float(np.mean(points[p]["dice"])) for p in phis],
            "std": [float(np.std(points[p]["dice"])) for p in phis],
            "seeds": [len(points[p]["dice"]) for p in phis],
        }
    return curves


def _seed_count(seeds: list) -> str:
    """Legend text for per-point seed counts: "3 seeds", or "1-3 seeds" when points differ."""
    lo, hi = min(seeds), max(seeds)
    return f"{lo} seed" if hi == 1 else f"{hi} seeds" if lo == hi else f"{lo}-{hi} seeds"


def plot_methods(results: dict, folder: str, title: str | None = None) -> list:
    """Dice vs phi and Dice vs GFLOPs for every method (mean over seeds, +-1 std band).

    Writes `dice_vs_phi.png` and `dice_vs_gflops.png` in `folder`, like the
    paper's Figures 3 and 7; Fixed models are drawn as points with error bars.
    """
    import os

    curves = method_curves(results)
    paths = []
    for xkey, xlabel, name in (("phi", "phi (rescaling factor)", "dice_vs_phi.png"), ("gflops", "GFLOPs per image", "dice_vs_gflops.png")):
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        from sshn_keras.models.methods import METHODS

        # phi-conditioned methods as curves first, then per-phi networks as points
        for method in sorted(METHODS.names(), key=lambda m: not METHODS[m].phi_conditioned):
            if method not in curves:
                continue
            c = curves[method]
            label, color = method_style(method)
            label = f"{label} ({_seed_count(c['seeds'])})"
            lo = [m - s for m, s in zip(c["mean"], c["std"])]
            hi = [m + s for m, s in zip(c["mean"], c["std"])]
            if not METHODS[method].phi_conditioned:
                ax.errorbar(c[xkey], c["mean"], yerr=c["std"], fmt="o", color=color, label=label, capsize=3)
            else:
                ax.plot(c[xkey], c["mean"], color=color, label=label)
                ax.fill_between(c[xkey], lo, hi, color=color, alpha=0.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("test Dice (mean over foreground labels)")
        ax.grid(alpha=0.3)
        ax.legend()
        ax.set_title(title or f"{results['config']['dataset']}: Dice vs {xkey}")
        fig.tight_layout()
        path = os.path.join(folder, name)
        fig.savefig(path, dpi=120)
        plt.close(fig)
        paths.append(path)
    return paths


def plot_curves(curves: dict, path: str, title: str) -> str:
    """Dice vs phi for named lists of sweep rows (e.g. weight-transfer results); saves a PNG."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, rows in curves.items():
        ax.plot([r["phi"] for r in rows], [r["dice_mean"] for r in rows], marker="o", ms=3, label=name)
    ax.set_xlabel("phi (rescaling factor)")
    ax.set_ylabel("test Dice (mean over foreground labels)")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_prior_width(rows: list, path: str) -> str:
    """Test Dice at phi = 0.5 against the prior's radius r of `U(0.5 - r, 0.5 + r)` (mean, +-1 std over seeds)."""
    import numpy as np

    by_radius = {}
    for row in rows:
        by_radius.setdefault(round(row["radius"], 4), []).append(row["dice_mean"])
    radii = sorted(by_radius)
    mean = np.array([np.mean(by_radius[r]) for r in radii])
    std = np.array([np.std(by_radius[r]) for r in radii])
    seeds = max(len(v) for v in by_radius.values())
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.plot(radii, mean, marker="o", color="C0", label=f"SSHN ({seeds} seed{'s' if seeds > 1 else ''})")
    ax.fill_between(radii, mean - std, mean + std, color="C0", alpha=0.2)
    ax.set_xlabel("prior radius r: phi ~ U(0.5 - r, 0.5 + r)")
    ax.set_ylabel("test Dice at phi = 0.5")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Prior width")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_brain_phantom(data, path, count: int = 4) -> str:
    """Images and seg4 label maps of the first `count` simulated subjects (`load_brain_phantom`); saves a PNG."""
    from matplotlib.colors import ListedColormap

    colours = ListedColormap(["black", "#cd3e4e", "#e69422", "#f5f5f5", "#781286"])
    fig, axes = plt.subplots(2, count, figsize=(2.6 * count, 5.2), squeeze=False)
    for i in range(count):
        axes[0, i].imshow(data.images[i, ..., 0], cmap="gray", vmin=0, vmax=1)
        axes[0, i].set_title(data.names[i], fontsize=9)
        axes[1, i].imshow(data.labels[i], cmap=colours, vmin=0, vmax=4, interpolation="nearest")
    for ax in axes.ravel():
        ax.axis("off")
    names = ", ".join(f"{k} {n}" for k, n in enumerate(data.label_names) if k)
    fig.suptitle(f"SIMULATED from one template (MNI ICBM152 2009), not OASIS\nlabels: {names}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)
