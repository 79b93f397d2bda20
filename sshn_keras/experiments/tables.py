"""Markdown tables of an experiment's `results.json` (printed by `report`, quoted in RESULTS.md)."""

import numpy as np

from sshn_keras.models.methods import METHODS
from sshn_keras.plots import method_curves


def method_order() -> tuple:
    """Methods in table order: the method registry's (`sshn_keras.models.METHODS`)."""
    return METHODS.names()


def _at(curve: dict, phi: float):
    for p, m, n in zip(curve["phi"], curve["mean"], curve["seeds"]):
        if abs(p - phi) < 1e-6:
            return m, n
    return None, 0


def phi05_table(results: dict) -> str:
    lines = ["| method | test Dice at phi = 0.5 | seeds |", "|---|---|---|"]
    for method in method_order():
        values = [min(j["rows"], key=lambda r: abs(r["phi"] - 0.5)) for j in results["jobs"].values() if j["method"] == method]
        values = [100 * r["dice_mean"] for r in values if abs(r["phi"] - 0.5) < 1e-6]
        if values:
            lines.append(f"| {method} | {np.mean(values):.1f} +- {np.std(values):.1f} | {len(values)} |")
    return "\n".join(lines)


def grid_table(results: dict) -> str:
    """Every method at the Fixed grid's phi (or every 0.05 without a grid), plus SSHN - Fixed."""
    curves = method_curves(results)
    grid = _grid(results, curves)
    lines = ["| phi | " + " | ".join(f"{p:.2f}" for p in grid) + " |", "|---" * (len(grid) + 1) + "|"]
    for method in method_order():
        if method in curves:
            cells = []
            for p in grid:
                m, n = _at(curves[method], p)
                cells.append("-" if m is None else f"{100 * m:.1f}")
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
    if "sshn" in curves and "fixed" in curves:
        cells = []
        for p in grid:
            a, _ = _at(curves["sshn"], p)
            b, _ = _at(curves["fixed"], p)
            cells.append("-" if a is None or b is None else f"{100 * (a - b):+.1f}")
        lines.append("| SSHN - Fixed | " + " | ".join(cells) + " |")
    any_curve = next(iter(curves.values()), None)
    if any_curve:
        cells = []
        for p in grid:
            g = [x for q, x in zip(any_curve["phi"], any_curve["gflops"]) if abs(q - p) < 1e-6]
            cells.append(f"{g[0]:.2f}" if g else "-")
        lines.append("| GFLOPs / image | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _grid(results: dict, curves: dict) -> list:
    grid = sorted(round(p, 4) for p in results["config"]["fixed_grid"])
    if not grid:  # no Fixed grid (e.g. an SSHN-only experiment): every 0.05 step
        grid = [round(0.05 * k, 2) for k in range(1, 21) if any(abs(0.05 * k - p) < 1e-6
                                                                for c in curves.values() for p in c["phi"])]
    return grid


def seeds_table(results: dict) -> str | None:
    """Each seed's curve at the grid's phi (a Fixed "seed" row gathers that seed's U-Nets), plus the
    std over seeds; None when every method has one seed."""
    curves = method_curves(results)
    if all(max(c["seeds"]) <= 1 for c in curves.values()):
        return None
    grid = _grid(results, curves)
    dice = {}
    for job in results["jobs"].values():
        for row in job["rows"]:
            dice.setdefault((job["method"], job["seed"]), {})[round(row["phi"], 4)] = row["dice_mean"]
    lines = ["| seed | " + " | ".join(f"{p:.2f}" for p in grid) + " |", "|---" * (len(grid) + 1) + "|"]
    for method in method_order():
        seeds = sorted(s for m, s in dice if m == method)
        for seed in seeds:
            lines.append(f"| {method} seed {seed} | "
                         + " | ".join("-" if p not in dice[method, seed] else f"{100 * dice[method, seed][p]:.1f}"
                                      for p in grid) + " |")
        if len(seeds) > 1:
            cells = []
            for p in grid:
                values = [dice[method, seed][p] for seed in seeds if p in dice[method, seed]]
                cells.append(f"{100 * np.std(values):.1f} ({len(values)})" if len(values) > 1 else "-")
            lines.append(f"| {method} std (seeds) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cost_table(results: dict) -> str:
    lines = ["| model | epochs | recorded training time (s) |", "|---|---|---|"]
    for key, job in results["jobs"].items():
        lines.append(f"| {key} | {job['epochs']} | {job['train_seconds']:.0f} |")
    return "\n".join(lines)


def curves_table(curves: dict) -> str:
    """`{name: sweep rows}` (e.g. `weight_transfer.json`) as one row of Dice per name."""
    phis = sorted({round(r["phi"], 4) for rows in curves.values() for r in rows})
    lines = ["| phi | " + " | ".join(f"{p:.2f}" for p in phis) + " |", "|---" * (len(phis) + 1) + "|"]
    for name, rows in curves.items():
        dice = {round(r["phi"], 4): r["dice_mean"] for r in rows}
        lines.append(f"| {name} | " + " | ".join("-" if p not in dice else f"{100 * dice[p]:.1f}" for p in phis) + " |")
    return "\n".join(lines)


def prior_width_table(rows: list) -> str:
    """Prior-width rows as test Dice at phi = 0.5 per radius (mean +- std over seeds)."""
    by_radius = {}
    for row in rows:
        by_radius.setdefault(round(row["radius"], 4), []).append(row)
    lines = ["| prior radius r: U(0.5 - r, 0.5 + r) | test Dice at phi = 0.5 | seeds | epochs | recorded training time (s) |",
             "|---|---|---|---|---|"]
    for r in sorted(by_radius):
        dice = [100 * row["dice_mean"] for row in by_radius[r]]
        epochs = "/".join(str(row.get("epochs", "?")) for row in by_radius[r])
        seconds = "/".join(f"{row['train_seconds']:.0f}" for row in by_radius[r])
        lines.append(f"| {r:.2f} | {np.mean(dice):.1f} +- {np.std(dice):.1f} | {len(dice)} | {epochs} | {seconds} |")
    return "\n".join(lines)
