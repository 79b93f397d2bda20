"""The sentences that summarise an experiment's tables, computed from its committed `results.json`.

Each public function takes experiment folders and returns Markdown: the
verdict at every grid phi (seeds, mean +- std of both sides, difference,
count of phi where SSHN is at least as accurate), each SSHN seed against the
Fixed seed means, the baselines against SSHN, compact heads against every
model and seed, recorded training costs, and the analyses. "At least as
accurate" compares unrounded means (SSHN - Fixed >= 0); the text rounds
Dice to 0.1 points. `sshn_keras.experiments.results_md` names them for the
generated blocks of RESULTS.md and README, which
`python -m sshn_keras.experiments.report --write RESULTS.md README.md` rewrites.

Every block function takes experiment folders (paths holding a `results.json`)
and returns Markdown; a folder without `results.json` raises a ValueError
naming it.

Example:
>>> print(verdict("experiments/wbc_paper"))  # doctest: +SKIP
| phi | SSHN seeds | SSHN mean | SSHN std | Fixed seeds | Fixed mean | Fixed std | SSHN - Fixed | |
...
"""

import glob
import json
import os

import numpy as np

from sshn_keras.experiments.tables import method_order
from sshn_keras.models.methods import METHODS


# Table 5 of the paper (test Dice at phi = 0.5, mean +- std over seeds), quoted for comparison.
PAPER_TABLE5 = {"sshn": (92.7, 0.4), "fixed": (90.9, 0.6), "stochastic": (88.1, 2.0), "film": (87.1, 1.4)}
# The paper's training-cost claim: the grid of Fixed U-Nets costs more than this many times one SSHN.
PAPER_GRID_OVER_SSHN_COST = 10


def label(method: str) -> str:
    """A method's name in the text: its registered label (`sshn_keras.models.METHODS`)."""
    return METHODS.get(method).label


def load(folder: str) -> dict:
    """A folder's `results.json`.

    Raises:
        ValueError: if `folder` has no `results.json`.
    """
    path = os.path.join(folder, "results.json")
    if not os.path.exists(path):
        raise ValueError(f"Received folder={folder!r}, which has no results.json (run `sshn-keras experiment` first).")
    with open(path) as f:
        return json.load(f)


def dice(results: dict) -> dict:
    """`{method: {seed: {phi: test Dice in percent}}}`, phi rounded to 4 decimals."""
    out = {}
    for job in results["jobs"].values():
        for row in job["rows"]:
            out.setdefault(job["method"], {}).setdefault(job["seed"], {})[round(row["phi"], 4)] = 100 * row["dice_mean"]
    return out


def grid(results: dict) -> list:
    return sorted(round(p, 4) for p in results["config"]["fixed_grid"])


def values(per_seed: dict, phi: float) -> list:
    """Dice of every seed that has `phi`, in seed order."""
    return [per_seed[s][phi] for s in sorted(per_seed) if phi in per_seed[s]]


def _f(x: float) -> str:
    return f"{x:.1f}"


def _s(x: float) -> str:
    """Signed, 0.1 points; two decimals where one would print a nonzero difference as 0.0."""
    return f"{x:+.2f}" if 0 < abs(x) < 0.05 else f"{x:+.1f}"


def _span(xs, fmt=_s) -> str:
    lo, hi = fmt(min(xs)), fmt(max(xs))
    return lo if lo == hi else f"{lo} to {hi}"


def _phis(ps) -> str:
    ps = [f"{p:.2f}" for p in ps]
    return ps[0] if len(ps) == 1 else ", ".join(ps[:-1]) + " and " + ps[-1]


def _seeds(n: int) -> str:
    return f"{n} seed" + ("" if n == 1 else "s")


def _mean_std(xs) -> str:
    return f"{_f(np.mean(xs))} +- {_f(np.std(xs))}"


def comparison(results: dict, a: str = "sshn", b: str = "fixed") -> list:
    """Per grid phi: `{"phi", "a", "b"}` (Dice of every seed of each side) and `"diff"` of their means."""
    d = dice(results)
    rows = []
    for p in grid(results):
        va, vb = values(d.get(a, {}), p), values(d.get(b, {}), p)
        if va and vb:
            rows.append({"phi": p, "a": va, "b": vb, "diff": float(np.mean(va) - np.mean(vb))})
    return rows


def count_sentence(rows: list, a: str, b: str) -> str:
    """"A is at least as accurate as B at K of N grid phi (range) and below it at phi = ..." from `comparison` rows."""
    return f"{label(a)} is " + _count(rows, "diff", label(b))


def _count(rows: list, key: str, what: str) -> str:
    """"at least as accurate as WHAT at K of N grid phi (range) and below it at phi = ..." from `rows[i][key]`."""
    ok = [r[key] for r in rows if r[key] >= 0]
    below = [r for r in rows if r[key] < 0]
    text = f"at least as accurate as {what} at {len(ok)} of {len(rows)} grid phi" + (f" ({_span(ok)})" if ok else "")
    if below:
        text += " and below it at phi = " + ", ".join(f"{r['phi']:.2f} ({_s(r[key])})" for r in below)
    return text


def seed_counts(rows: list, side: str) -> str:
    """Seeds per phi of one side ("a" or "b") of `comparison` rows: "3 seeds at every phi" or "3 seeds at phi = 0.05 and 0.50, 1 seed at the others"."""
    by_n = {}
    for r in rows:
        by_n.setdefault(len(r[side]), []).append(r["phi"])
    if len(by_n) == 1:
        return f"{_seeds(next(iter(by_n)))} at every phi"
    parts = sorted(by_n.items(), key=lambda kv: (len(kv[1]), kv[0]))  # "the others": most phi, then most seeds
    return ", ".join(f"{_seeds(n)} at phi = {_phis(ps)}" for n, ps in parts[:-1]) + f", {_seeds(parts[-1][0])} at the others"


def status(paper: str) -> str:
    """One sentence: the verdict and what the Fixed side's seeds are."""
    results = load(paper)
    rows = comparison(results)
    missing = results.get("missing", [])
    return (f"On the mean over seeds (SSHN: {seed_counts(rows, 'a')}; Fixed: {seed_counts(rows, 'b')}), "
            + count_sentence(rows, "sshn", "fixed") + "."
            + (f" `results.json` lists {len(missing)} models as missing." if missing else ""))


def verdict(paper: str) -> str:
    """The central comparison at every grid phi: seeds and mean +- std of both sides, the difference."""
    rows = comparison(load(paper))
    lines = ["| phi | SSHN seeds | SSHN mean | SSHN std | Fixed seeds | Fixed mean | Fixed std | SSHN - Fixed | |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [f"{len(v)} | {_f(np.mean(v))} | " + (_f(np.std(v)) if len(v) > 1 else "-") for v in (r["a"], r["b"])]
        lines.append(f"| {r['phi']:.2f} | {cells[0]} | {cells[1]} | {_s(r['diff'])} | {'>=' if r['diff'] >= 0 else 'below'} |")
    return "\n".join(lines) + "\n\n**On the seed means, " + count_sentence(rows, "sshn", "fixed") + ".**"


def sshn_seeds(paper: str) -> str:
    """Each SSHN seed: epochs, how it stopped, its comparison with the Fixed seed means, its rank among seeds."""
    results = load(paper)
    config, d = results["config"], dice(results)
    sshn, fixed = d["sshn"], d.get("fixed", {})
    lines = []
    for seed in sorted(sshn):
        job = next(j for j in results["jobs"].values() if j["method"] == "sshn" and j["seed"] == seed)
        epochs, patience, budget = job["epochs"], config.get("phi_patience"), config.get("phi_max_epochs")
        stop = (f"ran the full {budget} epochs" if epochs >= (budget or 0) else
                f"stopped after {epochs} epochs, so its best mean validation loss was at epoch {epochs - patience}"
                f" (patience {patience})")
        diffs = [(p, sshn[seed][p] - np.mean(values(fixed, p))) for p in grid(results) if values(fixed, p)]
        ok = [x for _, x in diffs if x >= 0]
        below = [(p, x) for p, x in diffs if x < 0]
        others = [s for s in sshn if s != seed]
        gaps = [min(sshn[o][p] for o in others) - sshn[seed][p] for p in grid(results)] if others else []
        text = (f"* **SSHN seed {seed}** {stop}; at phi = 0.50 {_f(sshn[seed][0.5])}. Against the Fixed seed means it "
                f"is at least as accurate at {len(ok)} of {len(diffs)} grid phi")
        text += (" and below at phi = " + ", ".join(f"{p:.2f} ({_s(x)})" for p, x in below)) if below else ""
        if gaps and all(g > 0 for g in gaps):
            text += f"; it is below every other seed at every grid phi (by {_span(gaps, _f)})"
        lines.append(text + ".")
    return "\n".join(lines)


def fixed_spread(paper: str) -> str:
    """At each phi where Fixed has several seeds: their Dice, mean, std, against the SSHN's."""
    results = load(paper)
    lines = []
    for r in comparison(results):
        if len(r["b"]) > 1:
            std = max(np.std(r["a"]), np.std(r["b"]))
            lines.append(f"* phi = {r['phi']:.2f}: Fixed seeds " + ", ".join(_f(x) for x in r["b"])
                         + f" (mean {_mean_std(r['b'])}), SSHN {_mean_std(r['a'])}: SSHN - Fixed {_s(r['diff'])}, "
                         + ("smaller" if abs(r["diff"]) < std else "not smaller") + f" than the larger seed std ({_f(std)}).")
    return "\n".join(lines)


def baselines(paper: str) -> str:
    """Stochastic and FiLM against the SSHN seed mean and against each SSHN seed."""
    results = load(paper)
    d = dice(results)
    lines = []
    for method in ("stochastic", "film"):
        if method not in d:
            continue
        rows = comparison(results, method, "sshn")
        above = sum(r["diff"] > 0 for r in rows)
        per_seed = ", ".join(f"seed {s} at {sum(np.mean(values(d[method], p)) > d['sshn'][s][p] for p in grid(results))}"
                             for s in sorted(d["sshn"]))
        lines.append(f"* **{label(method)}** ({_seeds(len(d[method]))}) - SSHN ({_seeds(len(d['sshn']))}, mean): "
                     f"{_span([r['diff'] for r in rows])}, above at {above} of {len(rows)} grid phi; above SSHN "
                     f"{per_seed} of {len(rows)}.")
    return "\n".join(lines)


def compact(compact_folder: str, paper: str) -> str:
    """Compact-head SSHN against every model and seed of the main experiment, at every grid phi."""
    results, comp = load(paper), load(compact_folder)
    d, c = dice(results), dice(comp)["sshn"]
    (cseed, cdice), = c.items()
    phis = [p for p in grid(results) if p in cdice]
    header = "| phi | " + " | ".join(f"{p:.2f}" for p in phis) + " |"
    lines = [header, "|---" * (len(phis) + 1) + "|",
             f"| SSHN, rank-{comp['config']['head_rank']} heads (seed {cseed}) | "
             + " | ".join(_f(cdice[p]) for p in phis) + " |"]
    summary, exceptions = [], []
    for method in method_order():
        for seed in sorted(d.get(method, {})):
            row = d[method][seed]
            lines.append(f"| {label(method)} seed {seed} | " + " | ".join(_f(row[p]) if p in row else "-" for p in phis) + " |")
            diffs = [(p, cdice[p] - row[p]) for p in phis if p in row]
            summary.append(f"{label(method)} seed {seed}: above at {sum(x > 0 for _, x in diffs)} of {len(diffs)} "
                           f"({_span([x for _, x in diffs])})")
            exceptions += [f"{label(method)} seed {seed} at phi = {p:.2f} ({_f(row[p])} against {_f(cdice[p])})"
                           for p, x in diffs if x <= 0]
    job = next(iter(comp["jobs"].values()))
    text = "\n".join(lines) + "\n\nRank-" + f"{comp['config']['head_rank']} SSHN - each model, at the grid phi it has: " \
        + "; ".join(summary) + ". "
    text += ("**It is above every model and seed at every grid phi.**" if not exceptions else
             "**It is above every other model and seed at every grid phi except " + "; ".join(exceptions) + ".**")
    return text + f" It trained {job['epochs']} epochs (best weights restored), {job['train_seconds']:,.0f} s recorded."


def table5(paper: str) -> str:
    """Test Dice at phi = 0.5: the paper's Table 5, ours (seeds), and protocol 1 when kept."""
    results = load(paper)
    d, old = dice(results), _protocol1(paper)
    lines = ["| method | paper (Table 5) | ours (protocol 2) | seeds | ours (protocol 1) |", "|---|---|---|---|---|"]
    for method in method_order():
        v = values(d.get(method, {}), 0.5)
        if not v or method not in PAPER_TABLE5:
            continue
        ours = _mean_std(v) if len(v) > 1 else _f(v[0])
        earlier = values(old.get(method, {}), 0.5)
        lines.append(f"| {label(method)} | {PAPER_TABLE5[method][0]} +- {PAPER_TABLE5[method][1]} | {ours} | {len(v)} | "
                     + (_f(np.mean(earlier)) if earlier else "(same models)" if method == "fixed" else "-") + " |")
    means = {m: np.mean(values(d[m], 0.5)) for m in method_order() if m in d}
    top3 = [m for m in ("sshn", "fixed", "stochastic") if m in means]
    spread = max(means[m] for m in top3) - min(means[m] for m in top3)
    ours_minus_paper = [means[m] - PAPER_TABLE5[m][0] for m in ("sshn", "fixed") if m in means]
    ranking = ", ".join(label(m) for m in sorted(means, key=means.get, reverse=True))
    return ("\n".join(lines) + f"\n\nOurs minus the paper's: {_span(ours_minus_paper)} points for SSHN and Fixed. "
            f"Our ranking at phi = 0.5, best first: {ranking}; SSHN, Fixed and Stochastic within {_f(spread)} of each other; "
            f"FiLM - SSHN {_s(means['film'] - means['sshn'])}; SSHN - Fixed {_s(means['sshn'] - means['fixed'])} "
            f"(seed std: SSHN {_f(np.std(values(d['sshn'], 0.5)))}, Fixed {_f(np.std(values(d['fixed'], 0.5)))}); "
            f"the three Fixed seeds at 0.5: " + ", ".join(_f(x) for x in values(d["fixed"], 0.5)) + ".")


def _protocol1_jobs(paper: str) -> dict:
    """The jobs kept in `paper/protocol1/jobs` (the earlier protocol), by key."""
    jobs = {}
    for path in sorted(glob.glob(os.path.join(paper, "protocol1", "jobs", "*.json"))):
        with open(path) as f:
            jobs[os.path.basename(path)[:-5]] = json.load(f)
    return jobs


def _protocol1(paper: str) -> dict:
    return dice({"jobs": _protocol1_jobs(paper)})


def protocol1(paper: str) -> str:
    """Protocol-1 curves at the grid, where that SSHN was below Fixed seed 0, and what protocol 2 changed."""
    results = load(paper)
    old, new = _protocol1(paper), dice(results)
    phis = grid(results)
    lines = ["| phi | " + " | ".join(f"{p:.2f}" for p in phis) + " |", "|---" * (len(phis) + 1) + "|"]
    for method in method_order():
        for seed in sorted(old.get(method, {})):
            lines.append(f"| {method} | " + " | ".join(_f(old[method][seed][p]) for p in phis) + " |")
    fixed0 = new["fixed"][0]
    below = [(p, old["sshn"][0][p] - fixed0[p]) for p in phis if old["sshn"][0][p] < fixed0[p]]
    change = {m: {p: new[m][0][p] - old[m][0][p] for p in phis} for m in old if m in new}
    epochs = next(j["epochs"] for j in _protocol1_jobs(paper).values() if j["method"] == "sshn")
    return ("\n".join(lines) + "\n\nThat SSHN (seed 0, " + f"{epochs} epochs) was below the Fixed U-Net (seed 0) at phi = "
            + ", ".join(f"{p:.2f} ({_s(x)})" for p, x in below) + ". Protocol 2 minus protocol 1, seed 0: "
            + "; ".join(f"{label(m)} {_span(list(ch.values()))} (phi = 0.05: {_s(ch[0.05])}, 0.45: {_s(ch[0.45])}, "
                        f"0.50: {_s(ch[0.5])})" for m, ch in change.items()) + ".")


def protocol(paper: str) -> str:
    """The training protocol, as the experiment's config records it."""
    c = load(paper)["config"]
    vp = c["validation_phis"]
    return (f"{c['image_size']}x{c['image_size']} images; the paper's literal U-Net ({c['num_stages']} stages, "
            f"{c['convs_per_stage']} convolutions per stage, {c['filters']} features, LeakyReLU); Adam "
            f"{c['learning_rate']:g} with global gradient-norm clipping {c['global_clipnorm']:g} for every method, batch "
            f"{c['batch_size']}, cross-entropy, early stopping on validation loss with the best weights restored; prior "
            f"`Uniform({c['prior'][0]:g}, {c['prior'][1]:g})`; split seed {c['split_seed']}.\n\n"
            f"* **Fixed**: one U-Net per phi = {', '.join(f'{p:g}' for p in grid({'config': c}))}; validation at its phi, "
            f"patience {c['patience']}, at most {c['max_epochs']} epochs.\n"
            f"* **SSHN, Stochastic, FiLM**: validated at phi = {', '.join(f'{p:g}' for p in vp)}, early stopping on the "
            f"*mean* validation loss over these {len(vp)} (`sshn_keras.callbacks.PhiGridValidation`), patience "
            f"{c['phi_patience']}, at most {c['phi_max_epochs']} epochs.")


def recipe_why(paper: str) -> str:
    """The numbers behind the default recipe's phi-grid validation (README's quickstart)."""
    results = load(paper)
    old, new = _protocol1(paper), dice(results)
    fixed = {p: sum(values(new["fixed"], p)) / len(values(new["fixed"], p)) for p in grid(results)}
    small = [p for p in grid(results) if p <= 0.15]
    gap_old = {p: old["sshn"][0][p] - fixed[p] for p in small}
    gap_new = {p: new["sshn"][0][p] - fixed[p] for p in small}
    worst = min(gap_old, key=gap_old.get)
    c = results["config"]
    with open(os.path.join(paper, "protocol1", "config.json")) as f:
        first = json.load(f)
    return (f"On WBC, an SSHN (seed 0) validated at the prior's middle only (patience {first['patience']}) was "
            f"{_s(gap_old[worst])} Dice points from the mean Fixed U-Net at phi = {worst:.2f} "
            f"({_span(list(gap_old.values()))} at phi = {_phis(small)}); validated on the mean over phi = "
            f"{', '.join(f'{p:g}' for p in c['validation_phis'])} (patience {c['phi_patience']}) it was "
            f"{_span(list(gap_new.values()))} there.")


def mean_differences(subject: dict, others: dict, phis: list) -> list:
    """`[{"phi", "subject", <other>..., "diff_<other>"...}]` at each phi where every side has seeds.

    `subject` and each of `others` map seed -> {phi: Dice}; `diff_*` are differences of the seed means.
    """
    rows = []
    for p in phis:
        sides = {"subject": values(subject, p), **{name: values(v, p) for name, v in others.items()}}
        if all(sides.values()):
            rows.append({"phi": p, **sides, **{f"diff_{name}": float(np.mean(sides["subject"]) - np.mean(sides[name]))
                                               for name in others}})
    return rows


def compact_decision(recipe_folder: str, paper: str) -> dict:
    """Whether compact heads earn the default: on >= 3 seeds, at least as accurate as the full-head SSHN at every grid phi.

    Returns:
        `{"rows": [{"phi", "subject", "full", "fixed", "diff_full", "diff_fixed"}], "seeds": n, "default": bool}`
        (Dice in percent, "subject" the compact seeds'; `diff_*` are differences of the seed means).
    """
    results, rec = load(paper), load(recipe_folder)
    d, c = dice(results), dice(rec).get("sshn", {})
    rows = mean_differences(c, {"full": d.get("sshn", {}), "fixed": d.get("fixed", {})}, grid(results))
    seeds = len(c)
    default = seeds >= 3 and bool(rows) and len(rows) == len(grid(results)) and all(r["diff_full"] >= 0 for r in rows)
    return {"rows": rows, "seeds": seeds, "default": default}


def compact_why(recipe_folder: str, paper: str) -> str:
    """The numbers behind the default compact heads (README's quickstart)."""
    decision, config = compact_decision(recipe_folder, paper), load(recipe_folder)["config"]
    rows = decision["rows"]
    return (f"On WBC, on the means of {_seeds(decision['seeds'])}, the SSHN with rank-{config['head_rank']} heads "
            f"(a budget of {config['phi_max_epochs']} epochs, the best kept) was "
            f"{_count(rows, 'diff_full', 'the full-head SSHN')}, and {_count(rows, 'diff_fixed', 'the Fixed U-Nets')}.")


def best_epochs(results: dict, method: str = "sshn") -> dict:
    """`{seed: epoch of the lowest validation loss}` (1-based) of the jobs that recorded their history."""
    return {j["seed"]: int(np.argmin(j["history"]["val_loss"])) + 1 for j in results["jobs"].values()
            if j["method"] == method and j.get("history", {}).get("val_loss")}


def recipe(recipe_folder: str, paper: str) -> str:
    """The recommended recipe (compact heads, a fixed budget) against the full-head SSHN and Fixed, and the decision."""
    rec = load(recipe_folder)
    decision = compact_decision(recipe_folder, paper)
    rows, n = decision["rows"], decision["seeds"]
    rank, budget = rec["config"]["head_rank"], rec["config"]["phi_max_epochs"]
    lines = ["| phi | compact seeds | compact mean | std | full-head SSHN mean | std | Fixed mean | std | "
             "compact - full | compact - Fixed |", "|---" * 10 + "|"]
    for r in rows:
        cells = " | ".join(f"{_f(np.mean(v))} | " + (_f(np.std(v)) if len(v) > 1 else "-")
                           for v in (r["subject"], r["full"], r["fixed"]))
        lines.append(f"| {r['phi']:.2f} | {len(r['subject'])} | {cells} | {_s(r['diff_full'])} | {_s(r['diff_fixed'])} |")
    best = best_epochs(rec)
    text = "\n".join(lines) + (
        f"\n\nOn the seed means, the rank-{rank} SSHN ({_seeds(n)}) is {_count(rows, 'diff_full', 'the full-head SSHN')}, "
        f"and {_count(rows, 'diff_fixed', 'Fixed')}.")
    if best:
        text += (f" Each seed ran the whole budget of {budget} epochs and kept its best epoch ("
                 + ", ".join(f"seed {s}: {best[s]}" for s in sorted(best)) + "), so none stopped on a plateau.")
    current = default_head_rank()
    now = ("full heads (`head_rank=None`)" if current is None
           else f"`head_rank={current}` (the paper's full heads: `head_rank=None`)")
    if decision["default"]:
        text += (f" **Compact heads meet the rule for the default: at least as accurate as full heads at every grid phi "
                 f"on {n} seeds.** `SSHNUNet`'s default is {now}.")
    elif n >= 3:
        text += (f" **Compact heads do not meet the rule for the default** (at least as accurate as full heads at every "
                 f"grid phi on three seeds). `SSHNUNet`'s default is {now}.")
    else:
        text += f" **{_seeds(n)} so far: the rule for the default needs three.** `SSHNUNet`'s default is {now}."
    return text


def default_head_rank():
    """`SSHNUNet`'s default `head_rank` (None: the paper's full heads)."""
    from sshn_keras.models.methods import METHODS

    return METHODS.get("sshn").option_default("head_rank")
