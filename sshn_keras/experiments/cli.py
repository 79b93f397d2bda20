"""`sshn-keras experiment`: run or resume an experiment from a preset."""

import json
import os

from sshn_keras.atomic import atomic_write_json
from sshn_keras.experiments.analysis import PRIOR_RADII
from sshn_keras.experiments.config import PRESETS, ExperimentConfig
from sshn_keras.models.methods import METHODS


def main_args(args) -> None:
    from sshn_keras.experiments.runner import run_experiment

    if args.preset not in PRESETS:
        raise ValueError(f"Unknown preset {args.preset!r}; choose one of {sorted(PRESETS)}.")
    config = ExperimentConfig.from_dict(PRESETS[args.preset].to_dict())
    if args.data_root:
        config.data_root = os.path.abspath(args.data_root)
    if args.ensure_models:
        from sshn_keras.experiments.runner import load_job_model

        for key in args.ensure_models:
            load_job_model(config, args.folder, key, train_if_missing=True, verbose=args.verbose)
            print(f"{args.folder}/models/{key}.keras is there")
        return
    results = run_experiment(config, args.folder, max_jobs=args.max_jobs, verbose=args.verbose, methods=args.methods,
                             only=args.jobs)
    print(json.dumps(results["summary"], indent=1))
    print(f"finished jobs: {len(results['jobs'])}, missing: {len(results['missing'])}; results in {args.folder}/results.json")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("experiment", help="train every method over seeds, sweep phi, plot (resumable)")
    p.add_argument("--preset", default="wbc_paper", help=f"one of {sorted(PRESETS)}")
    p.add_argument("--folder", required=True, help="result folder (resumed if it exists)")
    p.add_argument("--data-root", default=None, help="dataset folder (default: the loader's)")
    p.add_argument("--max-jobs", type=int, default=None, help="train at most this many new models now")
    p.add_argument("--methods", nargs="+", default=None, choices=METHODS.names(),
                   help="train only these methods' jobs now (default: all, in priority order)")
    p.add_argument("--jobs", nargs="+", default=None, metavar="NAME",
                   help="train only these jobs now, named as in the folder's jobs/ (e.g. fixed_phi0.50_seed2)")
    p.add_argument("--ensure-models", nargs="+", default=None, metavar="NAME",
                   help="only make sure these jobs' model files exist: retrain a missing one (its recorded results are kept)")
    p.add_argument("--verbose", type=int, default=2, help="Keras fit verbosity (0, 1 or 2)")
    p.set_defaults(func=main_args)


def analysis_args(args) -> None:
    from sshn_keras.experiments import analysis
    from sshn_keras.saving import load_model
    from sshn_keras.experiments.runner import check_folder, job_architecture, load_splits
    from sshn_keras.sweep import phi_grid

    config = ExperimentConfig.from_dict(PRESETS[args.preset].to_dict())
    if args.data_root:
        config.data_root = os.path.abspath(args.data_root)
    check_folder(config, args.folder)
    if args.kind == "prior-width":
        rows = analysis.prior_width_experiment(config, args.folder, radii=tuple(args.radii), seeds=tuple(args.seeds),
                                               verbose=args.verbose)
        for r in rows:
            print(f"r={r['radius']:.2f} seed={r['seed']}: Dice at phi=0.5 {r['dice_mean']:.4f}")
        return
    splits = load_splits(config)
    x, y = splits["test"]
    models = {}
    for name, key in (("SSHN", "sshn_seed0"), ("Fixed 0.5", "fixed_phi0.50_seed0")):
        path = os.path.join(args.folder, "models", f"{key}.keras")
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} is missing: run `sshn-keras experiment` in {args.folder} first.")
        models[name] = load_model(path)
    arch = job_architecture(config, x.shape[1:], len(splits["label_names"]))
    out = analysis.weight_transfer_experiment(models, x, y, phi_grid(0.05, 0.5, 0.05), arch, splits["label_names"])
    atomic_write_json(os.path.join(args.folder, "weight_transfer.json"), out)
    from sshn_keras.plots import plot_curves

    plot_curves(out, os.path.join(args.folder, "weight_transfer.png"), "Weight transfer from phi = 0.5")
    for name, rows in out.items():
        print(name, " ".join(f"{r['phi']:.2f}:{r['dice_mean']:.3f}" for r in rows))


def add_analysis_parser(subparsers) -> None:
    p = subparsers.add_parser("analysis", help="the paper's prior-width and weight-transfer experiments")
    p.add_argument("kind", choices=["prior-width", "weight-transfer"])
    p.add_argument("--preset", default="wbc_paper", help=f"one of {sorted(PRESETS)}")
    p.add_argument("--folder", required=True, help="the experiment folder (weight transfer reads its models)")
    p.add_argument("--data-root", default=None)
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--radii", type=float, nargs="+", default=list(PRIOR_RADII),
                   help="prior-width only: radii r of U(0.5 - r, 0.5 + r) (default: the paper's 0 ... 0.05)")
    p.add_argument("--verbose", type=int, default=2)
    p.set_defaults(func=analysis_args)
