"""Training cost, fairness and analysis figures of an experiment, from its committed JSON.

Recorded training times (`train_seconds`) are wall times of runs that may
have shared their machine; these functions quote them as recorded, per
model, and say which ratio they form. Side-by-side costs come from
`benchmarks/training_cost.py`, not from here.
"""

import json
import os

import numpy as np

from sshn_keras.experiments.claims import _count, _f, _s, _seeds, dice, grid, load, mean_differences
from sshn_keras.experiments.tables import curves_table
from sshn_keras.flops import unet_flops
from sshn_keras.models.hyper_size import hypernetwork_size

DOUBLING = [32, 64, 128, 256, 512]
# The training-cost targets: the SSHN to its best validation loss at most this many Fixed U-Nets at phi = 0.5
# (each to its best), and the Fixed grid at least this many SSHNs (as run).
COST_TARGETS = (2.5, 4.0)


def _jobs(results: dict, method: str, seed: int | None = None) -> list:
    return [j for j in results["jobs"].values() if j["method"] == method and (seed is None or j["seed"] == seed)]


def cost(paper: str) -> str:
    """Recorded epochs and wall times: Fixed grid (seed 0) against SSHN seed 0, per-epoch times, epoch ranges."""
    results = load(paper)
    fixed0, sshn = _jobs(results, "fixed", 0), sorted(_jobs(results, "sshn"), key=lambda j: j["seed"])
    grid_seconds = sum(j["train_seconds"] for j in fixed0)
    per_epoch = {(j["phi"], j["seed"]): j["train_seconds"] / j["epochs"] for j in _jobs(results, "fixed")}
    at05 = sorted((s, t) for (p, s), t in per_epoch.items() if abs(p - 0.5) < 1e-6)
    fixed_epochs = [j["epochs"] for j in _jobs(results, "fixed")]
    phi_epochs = [j["epochs"] for j in results["jobs"].values() if j["method"] != "fixed"]
    ratio = results.get("summary", {}).get("fixed_grid_seed0_over_sshn_mean")
    lines = [
        "* SSHN, recorded: " + ", ".join(f"seed {j['seed']} {j['train_seconds']:,.0f} s for {j['epochs']} epochs"
                                         f" ({j['train_seconds'] / j['epochs']:.1f} s per epoch)" for j in sshn) + ".",
        "* Fixed phi = 0.50, recorded per epoch: " + ", ".join(f"seed {s} {t:.1f} s" for s, t in at05) + ".",
        f"* The {len(fixed0)} Fixed U-Nets of seed 0 together: {grid_seconds:,.0f} s recorded "
        f"({min(j['epochs'] for j in fixed0)}-{max(j['epochs'] for j in fixed0)} epochs, "
        f"{min(j['train_seconds'] for j in fixed0):,.0f}-{max(j['train_seconds'] for j in fixed0):,.0f} s each); "
        f"SSHN seed 0 {sshn[0]['train_seconds']:,.0f} s: **{grid_seconds / sshn[0]['train_seconds']:.2f}x** recorded.",
        f"* Epochs run (early stopping, best weights restored): Fixed U-Nets {min(fixed_epochs)}-{max(fixed_epochs)} "
        f"(median {np.median(fixed_epochs):.0f}), phi-conditioned models {min(phi_epochs)}-{max(phi_epochs)}; "
        f"SSHN seeds {'/'.join(str(j['epochs']) for j in sshn)}.",
    ]
    if ratio is not None:
        lines.append(f"* `results.json`'s `fixed_grid_seed0_over_sshn_mean` = {ratio:.3f}: the seed-0 Fixed grid over "
                     "the mean recorded time of the SSHN seeds, whose runs shared machines of different speed.")
    return "\n".join(lines)


def fairness(long_folder: str, paper: str) -> str:
    """Fixed phi = 0.5 trained with the phi-conditioned models' stopping rule against the protocol's."""
    long_results, results = load(long_folder), load(paper)
    (long_job,), = [_jobs(long_results, "fixed")]
    base = next(j for j in _jobs(results, "fixed", long_job["seed"]) if abs(j["phi"] - long_job["phi"]) < 1e-6)
    lc, bc = long_results["config"], results["config"]
    best_long, best_base = long_job["epochs"] - lc["patience"], base["epochs"] - bc["patience"]
    return (f"Fixed phi = {long_job['phi']:.2f} (seed {long_job['seed']}) with patience {lc['patience']} and at most "
            f"{lc['max_epochs']} epochs ran {long_job['epochs']} epochs (best epoch {best_long}); with the protocol's "
            f"patience {bc['patience']} it ran {base['epochs']} (best epoch {best_base}). Test Dice "
            f"{_f(100 * long_job['rows'][0]['dice_mean'])} against {_f(100 * base['rows'][0]['dice_mean'])}.")


def weight_transfer(paper: str) -> str:
    """`weight_transfer.json` as a table, and how much the phi = 0.5 weights lose elsewhere."""
    with open(os.path.join(paper, "weight_transfer.json")) as f:
        curves = json.load(f)
    own, sshn05, fixed05 = (
        {round(r["phi"], 4): 100 * r["dice_mean"] for r in curves[k]}
        for k in ("SSHN, weights predicted at each phi", "SSHN, weights for phi=0.5", "Fixed 0.5, weights for phi=0.5"))
    loss = {p: own[p] - sshn05[p] for p in own}
    worst = max(loss, key=loss.get)
    keep = 0.5
    for p in sorted(sshn05, reverse=True):  # down from 0.5 while within one point of its Dice at 0.5
        if sshn05[p] < sshn05[0.5] - 1.0:
            break
        keep = p
    fixed_worst = min(fixed05, key=fixed05.get)
    return (curves_table(curves) + f"\n\nThe SSHN's weights for 0.5 lose up to {_f(loss[worst])} points against its "
            f"weights predicted at each phi (at phi = {worst:.2f}); its own predictions score {_f(min(own.values()))} or more. "
            f"Its weights for 0.5 stay within 1 point of their Dice at 0.5 from phi = {keep:.2f} up; the Fixed "
            f"U-Net's weights fall to {_f(fixed05[fixed_worst])} (at phi = {fixed_worst:.2f}).")


def flops(paper: str) -> str:
    """GFLOPs of the experiment's U-Net at the ends of the grid, and the savings of the literal and doubling widths."""
    results = load(paper)
    g = {round(r["phi"], 4): r["gflops"] for job in results["jobs"].values() for r in job["rows"]}
    lo, hi = min(grid(results)), max(grid(results))
    size = results["config"]["image_size"]
    text = (f"At {size}x{size} the experiment's U-Net costs {g[hi]:.2f} GFLOPs per image at phi = {hi:.2f} and "
            f"{g[lo]:.2f} at phi = {lo:.2f}. At 160x192 (one channel, 25 classes), relative to phi = 0.5:")
    for name, filters in (("literal (32 at every stage)", 32), ("doubling (32 ... 512)", DOUBLING)):
        f = {p: unet_flops((160, 192, 1), 25, p, filters=filters)["total"] for p in (0.3, 0.4, 0.5)}
        text += (f" {name} saves {100 * (1 - f[0.4] / f[0.5]):.1f}% at phi = 0.4 and {100 * (1 - f[0.3] / f[0.5]):.1f}%"
                 f" at phi = 0.3" + (";" if filters == 32 else "."))
    return text


def head_size(compact_folder: str) -> str:
    """Hypernetwork weights, full versus compact heads, for the experiment's U-Net and the doubling one."""
    config = load(compact_folder)["config"]
    rank = config["head_rank"]
    arch = {"input_shape": (None, None, 3), "num_classes": 3, "num_stages": config["num_stages"],
            "convs_per_stage": config["convs_per_stage"]}
    sizes = {(f, r): hypernetwork_size(head_rank=r, filters=f, **arch)["total"] / 1e6
             for f in (config["filters"], tuple(DOUBLING)) for r in (None, rank)}
    lit, dbl = config["filters"], tuple(DOUBLING)
    return (f"Rank-{rank} heads: {sizes[lit, rank]:.2f}M hypernetwork weights instead of {sizes[lit, None]:.1f}M "
            f"(RGB input, 3 classes); with widths doubling per stage {sizes[dbl, rank]:.0f}M instead of "
            f"{sizes[dbl, None]:.0f}M.")


def side_by_side(path: str) -> str:
    """The side-by-side training cost written by `benchmarks/training_cost.py --json PATH`.

    Per-epoch costs of every model measured in interleaved rounds, times the
    epochs each model ran (or needed to its best validation loss) in its
    experiment; each lever costed the same way.
    """
    with open(path) as f:
        bench = json.load(f)
    levers = {lever["lever"]: lever for lever in bench["levers"]}
    full = levers["full heads, 6-phi grid every epoch (wbc_paper)"]
    compact = levers["compact heads (rank 8)"]
    fixed05, seconds = bench["fixed05"], bench["seconds"]
    fixed_train = [seconds[f"train fixed {p:.2f}"] for p in bench["fixed_grid_phis"]]
    full_train, compact_train = seconds["train sshn_full"], seconds["train sshn_rank8"]
    full_val, compact_val = seconds["val sshn_full"], seconds["val sshn_rank8"]
    fixed05_cost = fixed05["seconds_per_epoch"] * fixed05["to_best"]
    every2 = full_train + 3 * full_val
    lines = [
        f"* Measured on {bench['device']}, {bench['rounds']} interleaved rounds: one training epoch of a Fixed U-Net "
        f"{min(fixed_train):.1f}-{max(fixed_train):.1f} s (phi = 0.05 to 0.50; {fixed05['seconds_per_epoch']:.1f} s "
        f"per epoch at phi = 0.50 with its validation); of the SSHN {full_train:.1f} s with full heads, "
        f"{compact_train:.1f} s with rank-8 heads; one validation pass at one phi {full_val:.2f} s / {compact_val:.2f} s.",
        f"* SSHN of `wbc_paper` (full heads, 6-phi grid every epoch): {full['seconds_per_epoch']:.1f} s per epoch x "
        f"{full['epochs']['to_best']:.0f} epochs to its best validation loss (mean of {full['epochs']['seeds']} seeds) "
        f"= {full['cost_to_best']:,.0f} s = **{full['over_fixed05_to_best']:.2f}x** one Fixed U-Net at phi = 0.50 to "
        f"its best ({fixed05['seconds_per_epoch']:.1f} s x {fixed05['to_best']:.0f} epochs = {fixed05_cost:,.0f} s). "
        f"The Fixed grid as run (10 U-Nets, seed 0, {bench['fixed_grid_seconds']:,.0f} s) = "
        f"**{full['fixed_grid_over']:.2f}x** one SSHN as run (paper: > 10x).",
        f"* Rank-8 heads cost more per epoch here, not less ({compact['seconds_per_epoch']:.1f} s with the grid), and "
        f"their one seed needed {compact['epochs']['to_best']:.0f} epochs to its best: "
        f"{compact['over_fixed05_to_best']:.2f}x one Fixed U-Net at phi = 0.50.",
        f"* Validating the grid every 2 epochs (or on 3 phi instead of 6) takes a full-head epoch to {every2:.1f} s "
        f"(-{100 * (1 - every2 / full['seconds_per_epoch']):.0f}%): {every2 * full['epochs']['to_best'] / fixed05_cost:.2f}x "
        f"one Fixed U-Net at phi = 0.50 if the epochs to best stayed the same (not trained, so not known). Batch 16 "
        f"halves the steps: a rank-8 training epoch {seconds['train sshn_rank8 batch16']:.1f} s instead of "
        f"{compact_train:.1f} s, with epochs to best not known either.",
    ]
    recipe = bench.get("recipe") or []
    if recipe:
        lines.append(f"* The recommended recipe (`wbc_recipe`: rank-8 heads, {recipe[0]['seeds']} seeds), and cheaper "
                     "validation schedules replayed from its seeds' recorded histories (the same runs: validation does not "
                     "change the weights, so each schedule selects another epoch of them)"
                     + (", and the recipe trained again with a cosine learning-rate decay over a shorter budget "
                        "(`wbc_recipe_cosine`)" if any(row.get("experiment") == "wbc_recipe_cosine" for row in recipe) else "")
                     + ". Means over seeds; validation Dice is the mean over the 6-phi grid at the selected epoch, "
                     "in brackets its change from the recipe as run:")
        table = ["| schedule | seeds | s per epoch | epochs to best / run | validation Dice (%) | "
                 "cost to best / Fixed 0.50 | Fixed grid / as run |", "|---|---|---|---|---|---|---|"]
        for row in recipe:
            table.append(f"| {row['lever']} | {row['seeds']} | {row['seconds_per_epoch']:.1f} | "
                         f"{row['to_best']:.0f} / {row['as_run']:.0f} | "
                         f"{100 * row['val_dice']:.2f} ({100 * row['val_dice_change']:+.2f}) | "
                         f"{row['over_fixed05_to_best']:.2f}x | {row['fixed_grid_over']:.2f}x |")
        met = [f"{row['lever']} (validation Dice {100 * row['val_dice_change']:+.2f})" for row in recipe
               if row["over_fixed05_to_best"] <= COST_TARGETS[0] and row["fixed_grid_over"] >= COST_TARGETS[1]]
        return "\n".join(lines) + "\n\n" + "\n".join(table) + (
            f"\n\nTargets (at most {COST_TARGETS[0]:g}x one Fixed U-Net at phi = 0.50 to the best, the Fixed grid at least "
            f"{COST_TARGETS[1]:g}x one SSHN): " + (f"met by {'; '.join(met)}." if met else "**not met by any of these.**"))
    return "\n".join(lines)


def cosine(cosine_folder: str, recipe_folder: str, paper: str) -> str:
    """Test Dice of the cheaper recipe (cosine decay, short budget) against the recipe and Fixed, at every grid phi."""
    results, config = load(paper), load(cosine_folder)["config"]
    cheap, recipe = dice(load(cosine_folder)).get("sshn", {}), dice(load(recipe_folder)).get("sshn", {})
    fixed = dice(results).get("fixed", {})
    lines = ["| phi | cosine seeds | cosine mean | recipe mean | Fixed mean | cosine - recipe | cosine - Fixed |",
             "|---" * 7 + "|"]
    rows = mean_differences(cheap, {"recipe": recipe, "fixed": fixed}, grid(results))
    for r in rows:
        lines.append(f"| {r['phi']:.2f} | {len(r['subject'])} | {_f(np.mean(r['subject']))} | {_f(np.mean(r['recipe']))} | "
                     f"{_f(np.mean(r['fixed']))} | {_s(r['diff_recipe'])} | {_s(r['diff_fixed'])} |")
    return "\n".join(lines) + (
        f"\n\nOn the seed means, the recipe with a cosine decay over {config['phi_max_epochs']} epochs "
        f"({_seeds(len(cheap))}) is {_count(rows, 'diff_recipe', 'the recipe')}, and {_count(rows, 'diff_fixed', 'Fixed')}.")

