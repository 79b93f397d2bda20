"""`sshn-keras experiment`: run or resume an experiment from a preset."""

import json
import os

from sshn_keras.experiments.config import PRESETS, ExperimentConfig


def main_args(args) -> None:
    from sshn_keras.experiments.runner import run_experiment

    if args.preset not in PRESETS:
        raise ValueError(f"Unknown preset {args.preset!r}; choose one of {sorted(PRESETS)}.")
    config = ExperimentConfig.from_dict(PRESETS[args.preset].to_dict())
    if args.data_root:
        config.data_root = os.path.abspath(args.data_root)
    results = run_experiment(config, args.folder, max_jobs=args.max_jobs, verbose=args.verbose)
    print(json.dumps(results["summary"], indent=1))
    print(f"finished jobs: {len(results['jobs'])}, missing: {len(results['missing'])}; results in {args.folder}/results.json")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("experiment", help="train every method over seeds, sweep phi, plot (resumable)")
    p.add_argument("--preset", default="wbc_paper", help=f"one of {sorted(PRESETS)}")
    p.add_argument("--folder", required=True, help="result folder (resumed if it exists)")
    p.add_argument("--data-root", default=None, help="dataset folder (default: the loader's)")
    p.add_argument("--max-jobs", type=int, default=None, help="train at most this many new models now")
    p.add_argument("--verbose", type=int, default=2, help="Keras fit verbosity (0, 1 or 2)")
    p.set_defaults(func=main_args)
