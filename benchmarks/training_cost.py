"""Training cost on WBC, measured side by side: the Fixed grid versus one SSHN, and what each lever buys.

The experiments' recorded wall times (`results.json`) were taken while other
work shared the machine, at different times. This script times, under the
same conditions and in interleaved rounds, exactly what the runner runs (the
real WBC arrays, Adam with clipping, batch 8):

* one training epoch (no validation) of every Fixed U-Net of the grid and of
  the SSHN with full and with compact (rank-8) heads, and of the compact SSHN
  at batch 16;
* one validation pass at one phi of each SSHN (a phi-grid validation is one
  pass per phi).

An epoch's cost is its training time plus its validation passes. A model's
cost is its epoch cost times the epochs it ran in the experiment ("as run"),
or up to the epoch of its best validation loss ("to best": the run stopped
`patience` epochs after it). Then it prints

* the Fixed grid (seed 0) over the SSHN (the paper reports > 10x),
* the SSHN over one Fixed U-Net at phi = 0.5,
* the levers: compact heads, validating the grid every 2 epochs, on 3 phi
  instead of 6, batch 16. A lever whose epochs are not known from a finished
  experiment is costed per epoch only, and says so;
* the recommended recipe (`wbc_recipe`: compact heads, a fixed budget with
  the best weights restored) and the validation schedules replayed from its
  seeds' recorded histories (`sshn_keras.experiments.replay`: validation does
  not change the weights, so a cheaper schedule selects another epoch of the
  same runs): early stopping with the shortest patience that keeps every
  seed's best epoch, with the paper protocol's patience, the grid every 2
  epochs, and a grid of 3 phi. Each with its epochs, its cost and the mean
  validation Dice (over the 6-phi grid) at the epoch it selects;
* the recipe trained with a cosine learning-rate decay over a short budget
  (`wbc_recipe_cosine`, when that experiment exists), as run and replayed on
  a 3-phi grid, its validation Dice against the recipe's.

    python benchmarks/training_cost.py [--rounds 2] [--json benchmarks/results/training_cost.json]
    python benchmarks/training_cost.py --reuse-timings benchmarks/results/training_cost.json --json ...

`--reuse-timings` recomputes the costs and levers from the epochs the
experiments record now, with the epoch times of an earlier side-by-side run.
"""

import argparse
import dataclasses
import json
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import device_name, interleaved_times  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.experiments.config import ExperimentConfig, Job  # noqa: E402
from sshn_keras.experiments.replay import replay, shortest_safe_patience  # noqa: E402
from sshn_keras.experiments.runner import build_job_model, load_splits  # noqa: E402
from sshn_keras.losses import SegmentationCrossEntropy  # noqa: E402


def compiled_model(config, job, splits):
    x = splits["train"][0]
    model = build_job_model(config, job, x.shape[1:], len(splits["label_names"]))
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate, global_clipnorm=config.global_clipnorm),
                  loss=SegmentationCrossEntropy())
    return model


def train_epoch_fn(model, splits, batch_size):
    x, y = splits["train"]
    kwargs = {"validation_phis": ()} if hasattr(model, "validation_phis") else {}
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, **kwargs)


def validation_pass_fn(model, splits, batch_size):
    x, y = splits["val"]
    return lambda: model.evaluate(x, y, batch_size=batch_size, verbose=0)


def epochs_of(results: dict, method: str, patience: int, phi=None, seed=None) -> dict:
    """Mean epochs run and mean epochs to the best validation loss of finished jobs."""
    runs = [j for j in results["jobs"].values() if j["method"] == method
            and (phi is None or abs(j["phi"] - phi) < 1e-9) and (seed is None or j["seed"] == seed)]
    if not runs:
        return {}
    max_epochs = results["config"]["phi_max_epochs" if method != "fixed" else "max_epochs"] or \
        results["config"]["max_epochs"]
    best = [j["epochs"] - patience if j["epochs"] < max_epochs else j["epochs"] for j in runs]
    return {"as_run": float(np.mean([j["epochs"] for j in runs])), "to_best": float(np.mean(best)), "seeds": len(runs)}


THREE_PHI = (0.1, 0.3, 0.5)


def sshn_histories(results: dict) -> list:
    """The per-epoch histories of an experiment's SSHN seeds, in seed order."""
    return [j["history"] for j in sorted(results["jobs"].values(), key=lambda j: j["seed"])
            if j["method"] == "sshn" and j.get("history")]


def recipe_levers(recipe: dict, s: dict, fixed05_cost: float, fixed_grid_cost: float) -> list:
    """The recipe's seeds replayed under cheaper validation schedules, each costed with the measured epoch times."""
    histories = sshn_histories(recipe)
    if not histories:
        return []
    n_val = len(recipe["config"]["validation_phis"])
    train, val = s["train sshn_rank8"], s["val sshn_rank8"]
    safe = shortest_safe_patience(histories)
    safe2 = shortest_safe_patience(histories, freq=2)
    safe3 = shortest_safe_patience(histories, phis=THREE_PHI)
    paper_patience = 20
    schedules = [  # name, seconds per epoch, replay arguments
        (f"recipe: rank-8 heads, 6-phi grid, budget {recipe['config']['phi_max_epochs']} epochs",
         train + n_val * val, {}),
        (f"recipe + early stopping, patience {safe} (shortest that keeps every seed's best)", train + n_val * val,
         {"patience": safe}),
        (f"recipe + early stopping, patience {paper_patience} (wbc_paper's)", train + n_val * val,
         {"patience": paper_patience}),
        (f"recipe, grid every 2 epochs, patience {safe2}", train + n_val * val / 2, {"freq": 2, "patience": safe2}),
        (f"recipe, grid of 3 phi {THREE_PHI}, patience {safe3}", train + len(THREE_PHI) * val,
         {"phis": THREE_PHI, "patience": safe3}),
    ]
    return costed_rows("wbc_recipe", histories, schedules, replay_mean(histories)["val_dice"], fixed05_cost,
                       fixed_grid_cost)


def cosine_levers(cosine: dict, reference_dice: float, s: dict, fixed05_cost: float, fixed_grid_cost: float) -> list:
    """The recipe trained with a cosine learning-rate decay over a short budget, as run and on a 3-phi grid.

    Its validation Dice is compared with `reference_dice`, the recipe's (150 epochs, constant rate) as run.
    """
    histories = sshn_histories(cosine)
    if not histories:
        return []
    n_val = len(cosine["config"]["validation_phis"])
    train, val = s["train sshn_rank8"], s["val sshn_rank8"]
    budget = cosine["config"]["phi_max_epochs"]
    schedules = [
        (f"recipe + cosine decay, budget {budget} epochs", train + n_val * val, {}),
        (f"recipe + cosine decay, budget {budget} epochs, grid of 3 phi {THREE_PHI}", train + len(THREE_PHI) * val,
         {"phis": THREE_PHI}),
    ]
    return costed_rows("wbc_recipe_cosine", histories, schedules, reference_dice, fixed05_cost, fixed_grid_cost)


def costed_rows(experiment: str, histories: list, schedules: list, reference_dice: float, fixed05_cost: float,
                fixed_grid_cost: float) -> list:
    """One row per `(name, seconds per epoch, replay arguments)` of `experiment`'s runs: epochs, validation Dice
    and cost ratios."""
    rows = []
    for name, per_epoch, kwargs in schedules:
        r = replay_mean(histories, **kwargs)
        rows.append({"lever": name, "experiment": experiment, "seconds_per_epoch": per_epoch, "replay": kwargs,
                     "seeds": len(histories),
                     "to_best": r["best_epoch"], "as_run": r["epochs_run"],
                     "val_dice": r["val_dice"], "val_dice_change": r["val_dice"] - reference_dice,
                     "cost_to_best": per_epoch * r["best_epoch"], "cost_as_run": per_epoch * r["epochs_run"],
                     "over_fixed05_to_best": per_epoch * r["best_epoch"] / fixed05_cost,
                     "fixed_grid_over": fixed_grid_cost / (per_epoch * r["epochs_run"])})
    return rows


def replay_mean(histories: list, **kwargs) -> dict:
    """`replay` of every history, averaged over them."""
    runs = [replay(h, **kwargs) for h in histories]
    return {k: float(np.mean([r[k] for r in runs])) for k in ("best_epoch", "epochs_run", "val_dice")}


def time_epochs(config, compact, grid, rounds: int) -> dict:
    """Seconds of one training epoch and of one validation pass of each model, in interleaved rounds."""
    splits = load_splits(config)
    batch = config.batch_size
    models = {"sshn_full": compiled_model(config, Job("sshn", 0), splits),
              "sshn_rank8": compiled_model(compact, Job("sshn", 0), splits)}
    fns = {f"train {name}": train_epoch_fn(m, splits, batch) for name, m in models.items()}
    fns["train sshn_rank8 batch16"] = train_epoch_fn(models["sshn_rank8"], splits, 2 * batch)
    fns.update({f"val {name}": validation_pass_fn(m, splits, batch) for name, m in models.items()})
    for phi in grid:
        fixed = compiled_model(config, Job("fixed", 0, phi), splits)
        fns[f"train fixed {phi:.2f}"] = train_epoch_fn(fixed, splits, batch)
        fns[f"val fixed {phi:.2f}"] = validation_pass_fn(fixed, splits, batch)
    print(f"device: {device_name()}; {len(fns)} timed functions, {rounds} interleaved rounds")
    return interleaved_times(fns, rounds=rounds, reps=1, warmup=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default="experiments/wbc_paper")
    parser.add_argument("--compact-folder", default="experiments/wbc_compact_head")
    parser.add_argument("--recipe-folder", default="experiments/wbc_recipe",
                        help="the recommended recipe's experiment (its jobs record per-epoch histories)")
    parser.add_argument("--cosine-folder", default="experiments/wbc_recipe_cosine",
                        help="the recipe trained with a cosine learning-rate decay (a lever; skipped if absent)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", default=None, help="write the measurements and ratios to this file")
    parser.add_argument("--reuse-timings", default=None, metavar="JSON",
                        help="take the epoch times from an earlier run's JSON instead of timing again (when only the "
                             "experiments' epochs changed)")
    args = parser.parse_args()
    results = json.load(open(os.path.join(args.folder, "results.json")))
    compact_results = json.load(open(os.path.join(args.compact_folder, "results.json")))
    config = ExperimentConfig.from_dict(results["config"])
    compact = dataclasses.replace(config, head_rank=compact_results["config"]["head_rank"])
    grid = [p for p in config.fixed_grid if epochs_of(results, "fixed", config.patience, p, seed=0)]
    if args.reuse_timings:  # the epoch times of an earlier side-by-side run; the epochs are read afresh
        earlier = json.load(open(args.reuse_timings))
        s, device, rounds = earlier["seconds"], earlier["device"], earlier["rounds"]
        print(f"epoch times from {args.reuse_timings} ({device}, {rounds} interleaved rounds)")
    else:
        s, device, rounds = time_epochs(config, compact, grid, args.rounds), device_name(), args.rounds

    n_val = len(config.validation_phis)
    fixed_epoch = {phi: s[f"train fixed {phi:.2f}"] + s[f"val fixed {phi:.2f}"] for phi in grid}
    fixed_epochs = {phi: epochs_of(results, "fixed", config.patience, phi, seed=0) for phi in grid}
    fixed_grid_cost = sum(fixed_epoch[p] * fixed_epochs[p]["as_run"] for p in grid)
    fixed05 = epochs_of(results, "fixed", config.patience, 0.5)
    full = epochs_of(results, "sshn", config.phi_patience)
    rank8 = epochs_of(compact_results, "sshn", config.phi_patience)
    levers = [  # name, seconds per epoch, epochs (None: unknown), what it changes
        ("full heads, 6-phi grid every epoch (wbc_paper)", s["train sshn_full"] + n_val * s["val sshn_full"], full),
        ("compact heads (rank 8)", s["train sshn_rank8"] + n_val * s["val sshn_rank8"], rank8),
        ("compact, grid every 2 epochs", s["train sshn_rank8"] + n_val * s["val sshn_rank8"] / 2, None),
        ("compact, grid of 3 phi", s["train sshn_rank8"] + 3 * s["val sshn_rank8"], None),
        ("compact, batch 16", s["train sshn_rank8 batch16"] + n_val * s["val sshn_rank8"], None),
    ]
    fixed05_epoch = fixed_epoch[0.5]
    rows = []
    print(f"\n{'model / lever':<48} {'s/epoch':>8} {'epochs':>13} {'cost to best':>13} {'/ Fixed 0.5':>12} {'grid /':>7}")
    for name, per_epoch, epochs in levers:
        row = {"lever": name, "seconds_per_epoch": per_epoch}
        if epochs:
            row.update(epochs=epochs, cost_to_best=per_epoch * epochs["to_best"],
                       over_fixed05_to_best=per_epoch * epochs["to_best"] / (fixed05_epoch * fixed05["to_best"]),
                       fixed_grid_over=fixed_grid_cost / (per_epoch * epochs["as_run"]))
            print(f"{name:<48} {per_epoch:8.1f} {epochs['to_best']:6.0f}/{epochs['as_run']:<6.0f} "
                  f"{row['cost_to_best']:13.0f} {row['over_fixed05_to_best']:11.2f}x {row['fixed_grid_over']:6.2f}x")
        else:
            print(f"{name:<48} {per_epoch:8.1f} {'unknown':>13} {'':>13} "
                  f"{per_epoch / s['train sshn_rank8'] - 1:+11.0%} per epoch vs compact training alone")
        rows.append(row)
    recipe_path = os.path.join(args.recipe_folder, "results.json")
    recipe_results = json.load(open(recipe_path)) if os.path.exists(recipe_path) else None
    fixed05_cost = fixed05_epoch * fixed05["to_best"]
    recipe = recipe_levers(recipe_results, s, fixed05_cost, fixed_grid_cost) if recipe_results else []
    cosine_path = os.path.join(args.cosine_folder, "results.json")
    if recipe_results and os.path.exists(cosine_path):
        reference = recipe[0]["val_dice"]  # the recipe as run
        recipe += cosine_levers(json.load(open(cosine_path)), reference, s, fixed05_cost, fixed_grid_cost)
    if recipe:
        print(f"\n{'recipe, replayed schedule':<72} {'s/epoch':>8} {'epochs':>9} {'val Dice':>9} {'/ Fixed 0.5':>12} "
              f"{'grid /':>7}")
    for row in recipe:
        print(f"{row['lever']:<72} {row['seconds_per_epoch']:8.1f} {row['to_best']:4.0f}/{row['as_run']:<4.0f} "
              f"{100 * row['val_dice']:6.2f}{100 * row['val_dice_change']:+5.2f} {row['over_fixed05_to_best']:11.2f}x "
              f"{row['fixed_grid_over']:6.2f}x")
    print(f"\nFixed U-Net at phi 0.5: {fixed05_epoch:.1f} s/epoch x {fixed05['to_best']:.0f} epochs to best "
          f"({fixed05['as_run']:.0f} run, {fixed05['seeds']} seeds); Fixed grid ({len(grid)} U-Nets, seed 0, as run): "
          f"{fixed_grid_cost:.0f} s. 'grid /' is the Fixed grid over the SSHN as run (paper: > 10x).")
    out = {"device": device, "rounds": rounds, "seconds": s, "levers": rows,
           "fixed05": {"seconds_per_epoch": fixed05_epoch, **fixed05}, "fixed_grid_seconds": fixed_grid_cost,
           "fixed_grid_phis": grid, "recipe": recipe}
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
