"""The demo: train an SSHN on the embedded synthetic data, sweep phi, export.

Run with `make demo` or `sshn-keras demo`. On two CPU cores the default run
takes a few minutes.
"""

import json
import os
import time

import keras

from sshn_keras.data import make_synthetic_segmentation
from sshn_keras.export import export_saved_model
from sshn_keras.models import SSHNUNet
from sshn_keras.plots import plot_dice_vs_phi
from sshn_keras.sweep import phi_grid, sweep_phi
from sshn_keras.training import fit_ce_then_dice


def run_demo(
    output: str = "demo_output",
    ce_epochs: int = 30,
    dice_epochs: int = 10,
    num_train: int = 512,
    size: int = 64,
    filters: int = 16,
    seed: int = 0,
    export_tolerance: float = 0.01,
) -> dict:
    """Train, sweep, plot and export; returns a summary dict (also written as JSON)."""
    os.makedirs(output, exist_ok=True)
    keras.utils.set_random_seed(seed)
    data = make_synthetic_segmentation(num_train + 256, size=size, seed=seed)
    x, y = data.images[:num_train], data.labels[:num_train]
    xv, yv = data.images[num_train : num_train + 128], data.labels[num_train : num_train + 128]
    xt, yt = data.images[num_train + 128 :], data.labels[num_train + 128 :]
    print(f"Synthetic data: {len(x)} train / {len(xv)} val / {len(xt)} test images of {size}x{size}, "
          f"labels {list(data.label_names)}")

    model = SSHNUNet(input_shape=(size, size, 1), num_classes=data.num_classes, filters=filters, seed=seed)
    print(f"SSHN: {model.network.count_params():,} parameters (hypernetwork heads included), prior {model.prior}")
    start = time.perf_counter()
    fit_ce_then_dice(model, x, y, ce_epochs=ce_epochs, dice_epochs=dice_epochs, batch_size=16,
                     validation_data=(xv, yv), verbose=1)
    train_s = time.perf_counter() - start

    rows = sweep_phi(model, xt, yt, phi_grid(0.05, 0.5, 0.05), label_names=list(data.label_names))
    print(f"\n{'phi':>5} {'Dice':>7} {'+-':>6} {'MFLOPs':>8} {'ms/batch':>9}")
    for r in rows:
        print(f"{r['phi']:5.2f} {r['dice_mean']:7.4f} {r['dice_std']:6.3f} {1000 * r['gflops']:8.1f} {r['latency_ms']:9.1f}")
    best = max(r["dice_mean"] for r in rows)
    chosen = min((r for r in rows if r["dice_mean"] >= best - export_tolerance), key=lambda r: r["gflops"])
    plot = plot_dice_vs_phi(rows, os.path.join(output, "dice_vs_phi.png"), "SSHN on the synthetic demo data")
    model.save(os.path.join(output, "sshn.keras"))
    export_dir = os.path.join(output, f"saved_model_phi{chosen['phi']:g}")
    if os.path.exists(export_dir):
        import shutil

        shutil.rmtree(export_dir)
    export_saved_model(model, export_dir, phi=chosen["phi"])
    summary = {
        "train_seconds": round(train_s, 1),
        "sweep": rows,
        "chosen_phi": chosen["phi"],
        "chosen_rule": f"cheapest phi within {export_tolerance} Dice of the best ({best:.4f})",
        "plot": plot,
        "saved_model": export_dir,
        "keras_model": os.path.join(output, "sshn.keras"),
    }
    with open(os.path.join(output, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"\nTrained in {train_s:.0f} s. Chose phi={chosen['phi']:g} ({summary['chosen_rule']}).")
    print(f"Plot: {plot}\nSavedModel: {export_dir}  (inspect: saved_model_cli show --dir {export_dir} --all)")
    return summary


def main_args(args) -> None:
    run_demo(args.output, args.ce_epochs, args.dice_epochs, args.num_train, args.size, args.filters, args.seed)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("demo", help="train an SSHN on the synthetic data, sweep phi, plot, export")
    p.add_argument("--output", default="demo_output", help="folder for the plot, model and SavedModel")
    p.add_argument("--ce-epochs", type=int, default=30)
    p.add_argument("--dice-epochs", type=int, default=10)
    p.add_argument("--num-train", type=int, default=512)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--filters", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=main_args)
