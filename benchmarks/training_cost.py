"""Training cost of the WBC experiment: the Fixed grid versus one SSHN, measured side by side.

The experiment's recorded wall times (`results.json`) were taken while other
work shared the machine, at different times. This script times one training
epoch of every model of the experiment under the same conditions, in
interleaved rounds (each round: one epoch of the SSHN, one of each Fixed U-Net
of the grid, ...), exactly as the runner trains them (the real WBC train and
validation arrays, Adam, batch 8, the SSHN validated at the config's
`validation_phis`), and multiplies the median epoch time by the number of
epochs each model actually ran in the experiment. Prints the cost of the
Fixed grid (seed 0) over the mean SSHN cost (the paper reports > 10x), next
to the ratio of the recorded wall times.

    python benchmarks/training_cost.py [--folder experiments/wbc_paper] [--rounds 3]
"""

import argparse
import json
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import device_name, interleaved_times  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.callbacks import PhiGridValidation  # noqa: E402
from sshn_keras.experiments.config import ExperimentConfig, Job  # noqa: E402
from sshn_keras.experiments.runner import build_job_model, load_splits  # noqa: E402
from sshn_keras.losses import SegmentationCrossEntropy  # noqa: E402


def epoch_fn(config, job, splits):
    (x, y), val = splits["train"], splits["val"]
    model = build_job_model(config, job, x.shape[1:], len(splits["label_names"]))
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate, global_clipnorm=config.global_clipnorm),
                  loss=SegmentationCrossEntropy())
    callbacks = []
    if job.method != "fixed" and config.validation_phis:
        callbacks, val = [PhiGridValidation(val, config.validation_phis, batch_size=config.batch_size)], None

    def run():
        model.fit(x, y, batch_size=config.batch_size, epochs=1, validation_data=val, callbacks=callbacks, verbose=0)

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default="experiments/wbc_paper")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with open(os.path.join(args.folder, "results.json")) as f:
        results = json.load(f)
    config = ExperimentConfig.from_dict(results["config"])
    jobs = results["jobs"]
    sshn_keys = [k for k in jobs if jobs[k]["method"] == "sshn"]
    fixed_keys = [k for k in jobs if jobs[k]["method"] == "fixed" and jobs[k]["seed"] == 0]
    if not sshn_keys or not fixed_keys:
        raise SystemExit(f"{args.folder}/results.json needs finished SSHN and Fixed seed-0 jobs.")
    missing = sorted(set(f"{p:.2f}" for p in config.fixed_grid) - {f"{jobs[k]['phi']:.2f}" for k in fixed_keys})
    splits = load_splits(config)
    fns = {"sshn": epoch_fn(config, Job("sshn", 0), splits)}
    for key in fixed_keys:
        fns[key] = epoch_fn(config, Job("fixed", 0, jobs[key]["phi"]), splits)
    print(f"device: {device_name()}; {len(fns)} models, {args.rounds} interleaved rounds of one epoch each")
    seconds = interleaved_times(fns, rounds=args.rounds, reps=1, warmup=1)
    sshn_epochs = float(np.mean([jobs[k]["epochs"] for k in sshn_keys]))
    sshn_cost = seconds["sshn"] * sshn_epochs
    fixed_cost = sum(seconds[k] * jobs[k]["epochs"] for k in fixed_keys)
    print(f"{'model':<24} {'s/epoch':>8} {'epochs':>7} {'cost s':>8}")
    print(f"{'sshn (mean of seeds)':<24} {seconds['sshn']:8.2f} {sshn_epochs:7.1f} {sshn_cost:8.0f}")
    for k in fixed_keys:
        print(f"{k:<24} {seconds[k]:8.2f} {jobs[k]['epochs']:7d} {seconds[k] * jobs[k]['epochs']:8.0f}")
    recorded = sum(jobs[k]["train_seconds"] for k in fixed_keys) / np.mean([jobs[k]["train_seconds"] for k in sshn_keys])
    print(f"Fixed grid ({len(fixed_keys)} models) / SSHN, same conditions: {fixed_cost / sshn_cost:.2f}x "
          f"(recorded wall times: {recorded:.2f}x; paper: > 10x)")
    if missing:
        print(f"note: grid phi without a finished Fixed model (not counted): {', '.join(missing)}")


if __name__ == "__main__":
    main()
