"""RESULTS.md and README's generated blocks: the registry of generators and the command that rewrites them.

    python -m sshn_keras.experiments.report --write RESULTS.md README.md

rewrites every `<!-- generated: NAME FOLDER ... -->` block of those files from
the named experiment folders' committed JSON (`generated.fill_blocks`), leaving
the hand-written text as it is. `stale_blocks` says which blocks differ from
what the JSON gives now.
"""

import functools
import os
import re
import textwrap

from sshn_keras.atomic import atomic_write_text
from sshn_keras.experiments import claims, cost_claims
from sshn_keras.experiments.generated import fill_blocks, find_blocks
from sshn_keras.experiments.tables import grid_table, seeds_table


def _grid(paper: str) -> str:
    return grid_table(claims.load(paper))


def _seeds(paper: str) -> str:
    return seeds_table(claims.load(paper)) or ""


def readme_caption(paper: str) -> str:
    """README's caption under the WBC Dice-versus-GFLOPs figure."""
    results = claims.load(paper)
    rows = claims.comparison(results)
    d = claims.dice(results)
    per_seed = []
    for seed in sorted(d["sshn"]):
        diffs = [d["sshn"][seed][r["phi"]] - sum(r["b"]) / len(r["b"]) for r in rows]
        per_seed.append(f"{sum(x >= 0 for x in diffs)}")
    return (f"*Dice versus cost on the real WBC test set, made by `sshn-keras experiment --preset wbc_paper`: one SSHN "
            f"against {len(rows)} Fixed U-Nets, one per grid phi. On the mean over seeds "
            f"(SSHN: {claims.seed_counts(rows, 'a')}; Fixed: {claims.seed_counts(rows, 'b')}), " + claims.count_sentence(rows, "sshn", "fixed")
            + f"; its seeds {', '.join(str(s) for s in sorted(d['sshn']))} one by one are at least as accurate as the "
            f"Fixed mean at {', '.join(per_seed)} of {len(rows)} phi. See [RESULTS.md](RESULTS.md) for what has been "
            f"run, the seeds and stds of both sides, and how it compares with the paper.*")


WIDTH = 110


def wrap(text: str, width: int = WIDTH) -> str:
    """Wrap prose paragraphs and bullets of Markdown at `width`; tables (lines starting with "|") stay as they are."""
    out = []
    for paragraph in text.split("\n\n"):
        if paragraph.startswith("|"):
            out.append(paragraph)
            continue
        items, current = [], []
        for line in paragraph.split("\n"):
            if line.startswith("* ") and current:
                items.append(" ".join(current))
                current = []
            current.append(line.strip())
        items.append(" ".join(current))
        out.append("\n".join(_fill(item, width) for item in items))
    return "\n\n".join(out)


def _fill(item: str, width: int) -> str:
    """`textwrap.fill`, then lines that Markdown would read as a list, quote or heading joined to the line above."""
    lines = textwrap.fill(item, width, subsequent_indent="  " if item.startswith("* ") else "",
                          break_long_words=False, break_on_hyphens=False).split("\n")
    out = lines[:1]
    for line in lines[1:]:
        if re.match(r"\s*([-+*>] |\d+[.)] |#)", line):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def _wrapped(generator):
    @functools.wraps(generator)
    def run(*args):
        return wrap(generator(*args))

    return run


_GENERATORS = {
    "protocol": claims.protocol,
    "status": claims.status,
    "verdict": claims.verdict,
    "grid_table": _grid,
    "seeds_table": _seeds,
    "sshn_seeds": claims.sshn_seeds,
    "fixed_spread": claims.fixed_spread,
    "baselines": claims.baselines,
    "compact": claims.compact,
    "recipe": claims.recipe,
    "table5": claims.table5,
    "protocol1": claims.protocol1,
    "cost": cost_claims.cost,
    "fairness": cost_claims.fairness,
    "weight_transfer": cost_claims.weight_transfer,
    "flops": cost_claims.flops,
    "head_size": cost_claims.head_size,
    "side_by_side": cost_claims.side_by_side,
    "cosine": cost_claims.cosine,
    "readme_caption": readme_caption,
    "recipe_why": claims.recipe_why,
    "compact_why": claims.compact_why,
}
BLOCKS = {name: _wrapped(generator) for name, generator in _GENERATORS.items()}


def regenerate(path: str) -> str:
    """The text of `path` with every generated block rewritten from the JSON (the file is not changed)."""
    if not os.path.exists(path):
        raise ValueError(f"Received path={path!r}, which does not exist (expected a Markdown file with generated blocks).")
    with open(path) as f:
        return fill_blocks(f.read(), BLOCKS)


def stale_blocks(path: str) -> list:
    """Names of the blocks of `path` whose text differs from what the JSON gives now."""
    with open(path) as f:
        old = find_blocks(f.read())
    new = find_blocks(regenerate(path))
    return [f"{name} {' '.join(args)}".strip() for (name, args, a), (_, _, b) in zip(old, new) if a != b]


def write(paths: list) -> list:
    """Rewrite the generated blocks of every file of `paths`; returns the files that changed."""
    changed = []
    for path in paths:
        text = regenerate(path)
        with open(path) as f:
            if f.read() == text:
                continue
        atomic_write_text(path, text)
        changed.append(path)
    return changed
