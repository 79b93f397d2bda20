"""Registration on OASIS-format data: train SSHN, Fixed, Stochastic, FiLM VxmDense; sweep phi; Pareto plots.

There is no real OASIS here: this script writes SYNTHETIC STAND-IN slices
in the exact neurite-oasis 2D layout (`sshn_keras.data.write_oasis_standin`:
brain-like 160x192 slices with seg4 / seg24 label maps, NOT MRI), then runs
the registration experiment on them through the ordinary OASIS loader, as
it would run on the real release (`--oasis-root` points it at real data).

Protocol (VoxelMorph's, shortened): subjects split train / val / test
(`load_oasis`'s paper fractions); training pairs drawn at random from the
training subjects (`scan_to_scan`); loss `MSE + lambda * Grad("l2")`;
evaluation on random pairs of test subjects: the moving seg4 labels are
warped with the predicted displacement (nearest) and compared with the
fixed labels (Dice, mean over the 4 structures), before and after
registration, plus the fraction of folding voxels and GFLOPs per pair.

Outputs in `--folder` (default `experiments/registration_oasis_standin`):
`results.json`, `dice_vs_phi.png`, `dice_vs_gflops.png`, `README.md`.
Tiny by design (small filters, a few hundred steps, one seed): the whole
run takes about 10 minutes on 2 CPU cores.

    python experiments/run_registration_standin.py [--steps 500] [--filters 8] [--methods sshn fixed stochastic film]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.data import load_oasis, write_oasis_standin  # noqa: E402
from sshn_keras.plots import plot_methods  # noqa: E402
from sshn_keras.registration import (  # noqa: E402
    REGISTRATION_METHODS,
    build_vxm_dense,
    compile_registration,
    load_oasis_pairs,
    scan_to_scan,
    sweep_registration_fixed,
    sweep_registration_phi,
)
from sshn_keras.sweep import phi_grid  # noqa: E402

STANDIN_NOTE = (
    "SYNTHETIC STAND-IN data in the OASIS 2D layout (sshn_keras.data.write_oasis_standin), NOT real MRI: "
    "these numbers test the pipeline, they are not OASIS results."
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(Path(__file__).resolve().parent / "registration_oasis_standin"))
    parser.add_argument("--oasis-root", default=None, help="real OASIS data (default: write stand-ins to a temp folder)")
    parser.add_argument("--subjects", type=int, default=48, help="stand-in subjects to write")
    parser.add_argument("--labels", default="seg4", choices=("seg4", "seg24"))
    parser.add_argument("--methods", nargs="+", default=["sshn", "fixed", "stochastic", "film"])
    parser.add_argument("--fixed-phis", type=float, nargs="+", default=[0.25, 0.5])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--filters", type=int, default=8)
    parser.add_argument("--num-stages", type=int, default=5)
    parser.add_argument("--steps", type=int, default=500, help="training steps per model")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--lambda-weight", type=float, default=0.01)
    parser.add_argument("--int-steps", type=int, default=0)
    parser.add_argument("--test-pairs", type=int, default=32)
    parser.add_argument("--phi-step", type=float, default=0.05)
    return parser.parse_args()


def jobs(args) -> list:
    """`(key, method, seed, phi)` for every model to train."""
    out = []
    for seed in args.seeds:
        for method in args.methods:
            if method == "fixed":
                out += [(f"fixed_phi{phi:g}_s{seed}", "fixed", seed, phi) for phi in args.fixed_phis]
            else:
                out.append((f"{method}_s{seed}", method, seed, None))
    return out


def main():
    args = parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        standin = args.oasis_root is None
        root = write_oasis_standin(Path(tmp) / "oasis", args.subjects, seed=0) if standin else Path(args.oasis_root)
        train = load_oasis(root, split="train", labels=args.labels, progress=False)
        pairs = load_oasis_pairs(root, split="test", labels=args.labels, num_pairs=args.test_pairs, seed=0, progress=False)
    dataset = "OASIS-format stand-in (synthetic, not OASIS)" if standin else "OASIS 2D"
    print(f"{dataset}: {train.num_samples} training subjects, {pairs.num_pairs} test pairs, labels {pairs.label_names}")
    before = pairs.dice_before()
    print(f"Dice before registration: {np.nanmean(before):.3f} +- {np.nanstd(before):.3f}")

    arch = dict(
        input_shape=train.image_shape, filters=args.filters, num_stages=args.num_stages, int_steps=args.int_steps
    )
    phis = [float(p) for p in phi_grid(args.phi_step, 0.5, args.phi_step)]
    results = {
        "config": {
            "dataset": dataset,
            "note": STANDIN_NOTE if standin else "",
            "labels": args.labels,
            "label_names": pairs.label_names,
            "subjects": {"train": train.num_samples, "test_pairs": pairs.num_pairs},
            "architecture": arch,
            "prior": [0.0, 0.5],
            "training": {
                "steps": args.steps, "batch_size": args.batch_size, "learning_rate": args.learning_rate,
                "lambda_weight": args.lambda_weight, "losses": ["MSE", "Grad('l2')"],
            },
            "flops_note": "gflops: U-Net at phi + the linear warp (+ integration if int_steps > 0), per pair",
        },
        "dice_before": {"mean": float(np.nanmean(before)), "std": float(np.nanstd(before))},
        "jobs": {},
    }
    for key, method, seed, phi in jobs(args):
        keras.utils.set_random_seed(seed)
        if method == "fixed":
            model = build_vxm_dense(**arch, phi=phi, name=key)
        else:
            model = REGISTRATION_METHODS[method](**arch, seed=seed)
        compile_registration(model, learning_rate=args.learning_rate, lambda_weight=args.lambda_weight)
        batches = scan_to_scan(train.images, batch_size=args.batch_size, seed=seed)
        start = time.perf_counter()
        history = model.fit(batches, steps_per_epoch=args.steps, epochs=1, verbose=0, shuffle=False)
        seconds = time.perf_counter() - start
        if method == "fixed":
            rows = [sweep_registration_fixed(model, pairs, phi, arch, batch_size=8)]
        else:
            rows = sweep_registration_phi(model, pairs, phis, batch_size=8, progress=True)
        best = max(rows, key=lambda r: r["dice_mean"])
        print(
            f"{key:>18s}: trained {args.steps} steps in {seconds:5.0f} s (final loss {history.history['loss'][-1]:.4f}); "
            f"Dice {rows[-1]['dice_mean']:.3f} at phi={rows[-1]['phi']:g}, best {best['dice_mean']:.3f} at "
            f"phi={best['phi']:g}; folding {rows[-1]['nonpositive_jacobian']:.4f}"
        )
        results["jobs"][key] = {
            "method": method, "seed": seed, "phi": phi, "train_seconds": seconds,
            "final_loss": float(history.history["loss"][-1]), "rows": rows,
        }
        (folder / "results.json").write_text(json.dumps(results, indent=1))
    title = f"Registration, {dataset}\nDice before registration {results['dice_before']['mean']:.3f}"
    plot_methods(results, str(folder), title=title)
    write_readme(folder, results)
    print(f"Wrote {folder / 'results.json'}, dice_vs_phi.png, dice_vs_gflops.png")


def write_readme(folder: Path, results: dict) -> None:
    """A short summary table next to the results."""
    lines = [
        "# Registration on OASIS-format data",
        "",
        f"**{results['config']['note'] or results['config']['dataset']}**",
        "",
        "Written by `experiments/run_registration_standin.py`. Test pairs: "
        f"{results['config']['subjects']['test_pairs']} random pairs of test subjects; Dice over the "
        f"{results['config']['labels']} structures of the moving labels warped by the predicted displacement.",
        "",
        f"Dice before registration: {results['dice_before']['mean']:.3f} +- {results['dice_before']['std']:.3f}",
        "",
        "| job | phi | Dice after | GFLOPs / pair | folding voxels | train s |",
        "|---|---|---|---|---|---|",
    ]
    for key, job in results["jobs"].items():
        for row in job["rows"]:
            if job["method"] != "fixed" and round(row["phi"], 4) not in (0.25, 0.5):
                continue
            lines.append(
                f"| {key} | {row['phi']:g} | {row['dice_mean']:.3f} +- {row['dice_std']:.3f} | {row['gflops']:.3f} | "
                f"{row['nonpositive_jacobian']:.4f} | {job['train_seconds']:.0f} |"
            )
    lines += ["", "Plots: `dice_vs_phi.png`, `dice_vs_gflops.png` (mean over seeds, +-1 std band).", ""]
    (folder / "README.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
