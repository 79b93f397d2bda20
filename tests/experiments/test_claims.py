import json

import pytest

from sshn_keras.experiments import claims, cost_claims
from sshn_keras.experiments.results_md import wrap


def _job(method, seed, dice_by_phi, phi=None, epochs=5, seconds=10.0):
    rows = [{"phi": p, "dice_mean": d, "gflops": 1.0 + p} for p, d in dice_by_phi.items()]
    return {"method": method, "seed": seed, "phi": phi, "train_seconds": seconds, "epochs": epochs, "rows": rows}


def _folder(tmp_path, name, jobs, **config):
    folder = tmp_path / name
    folder.mkdir()
    base = {"fixed_grid": [0.25, 0.5], "phi_patience": 4, "phi_max_epochs": 20, "patience": 2, "max_epochs": 10}
    (folder / "results.json").write_text(json.dumps({"config": {**base, **config}, "jobs": jobs, "missing": []}))
    return str(folder)


def _paper(tmp_path):
    return _folder(tmp_path, "paper", {
        "sshn_seed0": _job("sshn", 0, {0.25: 0.90, 0.5: 0.92}, epochs=12),
        "sshn_seed1": _job("sshn", 1, {0.25: 0.92, 0.5: 0.94}, epochs=20),
        "fixed_phi0.25_seed0": _job("fixed", 0, {0.25: 0.93}, 0.25, epochs=4, seconds=8.0),
        "fixed_phi0.50_seed0": _job("fixed", 0, {0.5: 0.92}, 0.5, epochs=5, seconds=5.0),
        "fixed_phi0.50_seed1": _job("fixed", 1, {0.5: 0.94}, 0.5, epochs=5, seconds=15.0),
    })


def test_verdict_counts_phi_on_seed_means_with_both_sides_seeds_and_std(tmp_path):
    paper = _paper(tmp_path)
    text = claims.verdict(paper)
    assert "| 0.25 | 2 | 91.0 | 1.0 | 1 | 93.0 | - | -2.0 | below |" in text
    assert "| 0.50 | 2 | 93.0 | 1.0 | 2 | 93.0 | 1.0 | +0.0 | >= |" in text  # a tie counts as at least as accurate
    assert "at least as accurate as Fixed at 1 of 2 grid phi (+0.0) and below it at phi = 0.25 (-2.0)" in text
    assert "(SSHN: 2 seeds at every phi; Fixed: 1 seed at phi = 0.25, 2 seeds at the others)" in claims.status(paper)


def test_each_seed_against_the_fixed_means(tmp_path):
    text = claims.sshn_seeds(_paper(tmp_path))
    assert "**SSHN seed 0** stopped after 12 epochs, so its best mean validation loss was at epoch 8" in text
    assert "at least as accurate at 0 of 2 grid phi and below at phi = 0.25 (-3.0), 0.50 (-1.0); it is below every other" \
        " seed at every grid phi (by 2.0)" in text
    assert "**SSHN seed 1** ran the full 20 epochs" in text and "at 1 of 2 grid phi and below at phi = 0.25 (-1.0)." in text


def test_small_differences_keep_their_sign():
    assert claims._s(-0.02) == "-0.02" and claims._s(0.0) == "+0.0" and claims._s(-0.26) == "-0.3"


def test_compact_head_lists_every_model_and_the_exceptions(tmp_path):
    paper = _paper(tmp_path)
    compact = _folder(tmp_path, "compact", {"sshn_seed0": _job("sshn", 0, {0.25: 0.935, 0.5: 0.935}, epochs=9)},
                      head_rank=8)
    text = claims.compact(compact, paper)
    assert "| SSHN, rank-8 heads (seed 0) | 93.5 | 93.5 |" in text and "| Fixed seed 1 | - | 94.0 |" in text
    assert "Fixed seed 1: above at 0 of 1 (-0.5)" in text
    assert ("except SSHN seed 1 at phi = 0.50 (94.0 against 93.5)"
            "; Fixed seed 1 at phi = 0.50 (94.0 against 93.5).**") in text and "It trained 9 epochs" in text


def _recipe(tmp_path, dice_by_seed):
    jobs = {}
    for seed, (a, b) in dice_by_seed.items():
        job = _job("sshn", seed, {0.25: a, 0.5: b}, epochs=20)
        job["history"] = {"val_loss": [0.5, 0.3 - 0.01 * seed, 0.4] + [0.35] * 17}  # best at epoch 2
        jobs[f"sshn_seed{seed}"] = job
    return _folder(tmp_path, "recipe", jobs, head_rank=8)


def test_recipe_compares_three_seed_means_and_decides_the_default(tmp_path):
    paper = _paper(tmp_path)
    recipe = _recipe(tmp_path, {0: (0.93, 0.94), 1: (0.93, 0.94), 2: (0.93, 0.94)})
    decision = claims.compact_decision(recipe, paper)
    assert decision["default"] and decision["seeds"] == 3
    assert [round(r["diff_full"], 6) for r in decision["rows"]] == [2.0, 1.0]
    text = claims.recipe(recipe, paper)
    assert "| 0.25 | 3 | 93.0 | 0.0 | 91.0 | 1.0 | 93.0 | - | +2.0 | +0.0 |" in text
    assert "is at least as accurate as the full-head SSHN at 2 of 2 grid phi (+1.0 to +2.0)" in text
    assert "Each seed ran the whole budget of 20 epochs and kept its best epoch (seed 0: 2, seed 1: 2, seed 2: 2)" in text
    assert "**Compact heads meet the rule for the default" in text
    assert "`SSHNUNet`'s default is `head_rank=8` (the paper's full heads: `head_rank=None`)." in text


def test_recipe_below_full_heads_at_one_phi_or_with_fewer_seeds_keeps_full_heads(tmp_path):
    paper = _paper(tmp_path)
    below = _recipe(tmp_path, {0: (0.93, 0.92), 1: (0.93, 0.92), 2: (0.93, 0.92)})
    assert not claims.compact_decision(below, paper)["default"]
    assert "and below it at phi = 0.50 (-1.0)" in claims.recipe(below, paper)
    assert "**Compact heads do not meet the rule for the default**" in claims.recipe(below, paper)
    (tmp_path / "recipe" / "results.json").unlink()
    (tmp_path / "recipe").rmdir()
    two = _recipe(tmp_path, {0: (0.95, 0.95), 1: (0.95, 0.95)})
    assert not claims.compact_decision(two, paper)["default"] and "2 seeds so far: the rule for the default needs three" in claims.recipe(two, paper)


def test_recorded_cost(tmp_path):
    text = cost_claims.cost(_paper(tmp_path))
    assert "The 2 Fixed U-Nets of seed 0 together: 13 s recorded (4-5 epochs, 5-8 s each); SSHN seed 0 10 s: **1.30x**" in text
    assert "Fixed phi = 0.50, recorded per epoch: seed 0 1.0 s, seed 1 3.0 s." in text


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(ValueError, match="has no results.json"):
        claims.load(str(tmp_path / "nope"))


def test_wrap_keeps_tables_and_never_starts_a_line_markdown_would_misread():
    table = "| a | b |\n|---|---|"
    text = wrap(table + "\n\n" + "word " * 20 + "- x > y", width=20)
    assert text.startswith(table) and not any(line.startswith(("- ", "> ")) for line in text.split("\n"))


def test_side_by_side_lists_the_recipes_replayed_schedules_and_the_targets(tmp_path):
    import pathlib

    bench = json.loads((pathlib.Path(__file__).parents[2] / "benchmarks/results/training_cost.json").read_text())
    row = {"lever": "recipe", "seconds_per_epoch": 14.5, "seeds": 3, "to_best": 100.0, "as_run": 150.0, "val_dice": 0.95,
           "val_dice_change": 0.0, "over_fixed05_to_best": 3.6, "fixed_grid_over": 1.9}
    cheap = dict(row, lever="every 2", val_dice=0.949, val_dice_change=-0.001, over_fixed05_to_best=2.4, fixed_grid_over=4.1)
    path = tmp_path / "cost.json"
    path.write_text(json.dumps(dict(bench, recipe=[row, cheap])))
    text = cost_claims.side_by_side(str(path))
    assert "| recipe | 3 | 14.5 | 100 / 150 | 95.00 (+0.00) | 3.60x | 1.90x |" in text
    assert "| every 2 | 3 | 14.5 | 100 / 150 | 94.90 (-0.10) | 2.40x | 4.10x |" in text
    assert "rank-8 heads, 3 seeds" in text and text.endswith("met by every 2 (validation Dice -0.10).") and "cosine" not in text
    cosine = dict(row, lever="recipe + cosine decay, budget 60 epochs", seeds=1, experiment="wbc_recipe_cosine")
    path.write_text(json.dumps(dict(bench, recipe=[row, cosine])))
    text = cost_claims.side_by_side(str(path))
    assert "(`wbc_recipe_cosine`)" in text and "| recipe + cosine decay, budget 60 epochs | 1 | 14.5 |" in text
    path.write_text(json.dumps(dict(bench, recipe=[row])))
    assert cost_claims.side_by_side(str(path)).endswith("**not met by any of these.**")
