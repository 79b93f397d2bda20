"""The demo: train an SSHN on the brain phantom, sweep phi, plot, export.

Run with `make demo` or `sshn-keras demo`. The data are the brain phantom
(`sshn_keras.data.load_brain_phantom`): subjects simulated from the MNI
ICBM152 2009 template that nilearn ships, so the demo needs no download.
It prints the wall-clock and CPU time it took.
"""

import logging
import os
import shutil
import time

import keras

from sshn_keras.atomic import atomic_save_model, atomic_write_json
from sshn_keras.data import load_brain_phantom
from sshn_keras.experiments.selection import choose_phi
from sshn_keras.export import export_saved_model
from sshn_keras.models import SSHNUNet
from sshn_keras.plots import plot_dice_vs_phi
from sshn_keras.sweep import phi_grid, sweep_phi
from sshn_keras.training import fit_ce_then_dice

DATA_NAME = "brain phantom (simulated from the MNI template, not OASIS)"
BATCH_SIZE = 4  # 16 steps per epoch on the 64 training slices: more updates per CPU second than 8
LEARNING_RATES = (2e-3, 1e-3)  # initial learning rate of the cross-entropy and the soft-Dice phase


def learning_rates(train_samples: int, ce_epochs: int, dice_epochs: int) -> tuple:
    """Cosine decay of each phase's learning rate (`LEARNING_RATES`) over its epochs, to 5% of its start."""
    steps_per_epoch = -(-train_samples // BATCH_SIZE)
    return tuple(
        keras.optimizers.schedules.CosineDecay(rate, decay_steps=max(epochs, 1) * steps_per_epoch, alpha=0.05)
        for rate, epochs in zip(LEARNING_RATES, (ce_epochs, dice_epochs))
    )


def print_table(rows: list, chosen: dict) -> None:
    """One line per phi: Dice (mean over tissues, then per tissue) and GFLOPs; the chosen phi marked."""
    names = list(rows[0]["dice_per_label"])
    print(f"\n{'phi':>5} {'Dice':>6} " + " ".join(f"{n[:11]:>11}" for n in names) + f" {'GFLOPs':>7}")
    for r in rows:
        mark = "  <- chosen" if r is chosen else ""
        print(f"{r['phi']:5.2f} {r['dice_mean']:6.3f} " + " ".join(f"{r['dice_per_label'][n]:11.3f}" for n in names)
              + f" {r['gflops']:7.3f}{mark}")


def what_to_notice(rows: list, chosen: dict, best: dict) -> str:
    """The sentence a newcomer should take from the sweep, from its numbers."""
    small, large = rows[0], rows[-1]
    drops = {n: chosen["dice_per_label"][n] - small["dice_per_label"][n] for n in small["dice_per_label"]}
    worst = max(drops, key=drops.get)
    return (
        f"What to notice: one trained model gave all {len(rows)} U-Nets above, from phi={small['phi']:g} to {large['phi']:g}. "
        f"phi={chosen['phi']:g} keeps Dice {chosen['dice_mean']:.3f} (best {best['dice_mean']:.3f}) at "
        f"{100 * (1 - chosen['gflops'] / large['gflops']):.0f}% fewer FLOPs than phi={large['phi']:g}; the cheapest, "
        f"phi={small['phi']:g} ({100 * (1 - small['gflops'] / large['gflops']):.0f}% fewer), loses "
        f"{chosen['dice_mean'] - small['dice_mean']:.3f} Dice, most of it on {worst} ({drops[worst]:.3f})."
    )


def run_demo(
    output: str = "demo_output",
    ce_epochs: int = 60,
    dice_epochs: int = 40,
    num_subjects: int = 100,
    filters: int = 8,
    patience: int = 10,
    seed: int = 0,
    export_tolerance: float = 0.01,
    verbose=2,
) -> dict:
    """Train, sweep, plot and export; returns a summary dict (also written as `summary.json`)."""
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    os.makedirs(output, exist_ok=True)
    keras.utils.set_random_seed(seed)
    train, val, test = (load_brain_phantom(split=s, num_subjects=num_subjects) for s in ("train", "val", "test"))
    print(f"Data: {DATA_NAME}: {train.num_samples} train / {val.num_samples} val / {test.num_samples} test slices of "
          f"{train.image_shape[0]}x{train.image_shape[1]}; labels {train.label_names[1:]}")
    model = SSHNUNet(input_shape=train.image_shape, num_classes=train.num_classes, filters=filters, seed=seed)
    print(f"SSHN: {model.network.count_params():,} parameters (hypernetwork heads included), prior {model.prior}")
    train_start = time.perf_counter()
    # Adam with global_clipnorm=1.0; early stopping on the validation loss averaged over the model's phi grid
    ce_rate, dice_rate = learning_rates(train.num_samples, ce_epochs, dice_epochs)
    fit_ce_then_dice(model, train.images, train.labels, ce_epochs, dice_epochs, learning_rate=ce_rate,
                     dice_learning_rate=dice_rate, validation_data=(val.images, val.labels), patience=patience,
                     batch_size=BATCH_SIZE, verbose=verbose)
    train_s = time.perf_counter() - train_start

    rows = sweep_phi(model, test.images, test.labels, phi_grid(0.05, 0.5, 0.05), label_names=test.label_names, progress=False)
    chosen = choose_phi(rows, tolerance=export_tolerance)
    best = max(rows, key=lambda r: r["dice_mean"])
    print_table(rows, chosen)
    plot = plot_dice_vs_phi(rows, os.path.join(output, "dice_vs_phi.png"), f"One SSHN, ten U-Nets: test Dice on the {DATA_NAME}",
                            chosen=chosen)
    atomic_save_model(model, os.path.join(output, "sshn.keras"))
    export_dir = os.path.join(output, f"saved_model_phi{chosen['phi']:g}")
    shutil.rmtree(export_dir, ignore_errors=True)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    export_saved_model(model, export_dir, phi=chosen["phi"])
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    summary = {
        "data": DATA_NAME,
        "train_seconds": round(train_s, 1),
        "total_seconds": round(wall, 1),
        "total_cpu_seconds": round(cpu, 1),
        "sweep": rows,
        "chosen_phi": chosen["phi"],
        "chosen_dice": chosen["dice_mean"],
        "chosen_rule": f"cheapest phi within {export_tolerance} Dice of the best ({best['dice_mean']:.3f} at phi={best['phi']:g})",
        "plot": plot,
        "saved_model": export_dir,
        "keras_model": os.path.join(output, "sshn.keras"),
    }
    atomic_write_json(os.path.join(output, "summary.json"), summary)
    print("\n" + what_to_notice(rows, chosen, best))
    print(f"Chose phi={chosen['phi']:g} ({summary['chosen_rule']}) and exported it as a plain U-Net.")
    print(f"Time: {wall:.0f} s wall-clock, {cpu:.0f} s CPU (all threads; training {train_s:.0f} s wall).")
    print(f"Plot: {plot}\nSavedModel: {export_dir}  (inspect: saved_model_cli show --dir {export_dir} --all)")
    return summary


def main_args(args) -> None:
    for name in ("ce_epochs", "dice_epochs", "num_subjects", "filters", "patience"):
        value = getattr(args, name)
        if value < (0 if name.endswith("epochs") else 1):
            raise ValueError(f"--{name.replace('_', '-')} must be {'>= 0' if name.endswith('epochs') else 'positive'}. Received {value}")
    if args.num_subjects < 10:
        raise ValueError(f"--num-subjects must be at least 10 (train / val / test by subject). Received {args.num_subjects}")
    run_demo(args.output, args.ce_epochs, args.dice_epochs, args.num_subjects, args.filters, args.patience, args.seed)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("demo", help="train an SSHN on the brain phantom, sweep phi, plot, export")
    p.add_argument("--output", default="demo_output", help="folder for the plot, model and SavedModel")
    p.add_argument("--ce-epochs", type=int, default=60, help="cross-entropy epochs at most (early stopping)")
    p.add_argument("--dice-epochs", type=int, default=40, help="soft-Dice fine-tuning epochs at most")
    p.add_argument("--num-subjects", type=int, default=100, help="simulated subjects (64%% train, 16%% val, 20%% test)")
    p.add_argument("--filters", type=int, default=8)
    p.add_argument("--patience", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=main_args)
