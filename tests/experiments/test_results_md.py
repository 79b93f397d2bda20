"""RESULTS.md and README's WBC caption against the committed JSON.

Every generated block must equal what the JSON gives now (rewrite them with
`python -m sshn_keras.experiments.report --write RESULTS.md README.md`), and
every number left in RESULTS.md's hand-written text must sit in one of the
checked passages below. Reads JSON only; trains nothing.
"""

import json
import os
import re

import numpy as np
import pytest

from sshn_keras.data.splits import PAPER_FRACTIONS, split_sizes
from sshn_keras.data.wbc import WBC_MASK_VALUES
from sshn_keras.experiments import claims
from sshn_keras.experiments.analysis import PRIOR_RADII
from sshn_keras.experiments.generated import find_blocks, strip_blocks
from sshn_keras.experiments.results_md import stale_blocks

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAPER = os.path.join(ROOT, "experiments", "wbc_paper")
FILES = ("RESULTS.md", "README.md")
NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)")
LABELS = re.compile(r"protocol[- ][12]\b|Table 5\b", re.I)  # names, not measurements


@pytest.fixture(scope="module", autouse=True)
def _in_root():
    cwd = os.getcwd()
    os.chdir(ROOT)  # block arguments are folders relative to the repository root
    yield
    os.chdir(cwd)


@pytest.fixture(scope="module")
def results():
    return claims.load(PAPER)


def _text(name):
    with open(os.path.join(ROOT, name)) as f:
        return f.read()


def prose(text: str) -> str:
    """Hand-written text: no generated blocks, code, inline code or link targets; whitespace collapsed."""
    text = strip_blocks(text)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"\s+", " ", text)


def _dice(results, method, seed, phi):
    return claims.dice(results)[method][seed][phi]


def _job(results, method, seed, phi=None):
    return next(j for j in results["jobs"].values() if j["method"] == method and j["seed"] == seed
                and (phi is None or abs(j["phi"] - phi) < 1e-6))


def _ranking_follows_epochs(r):
    seeds = sorted(claims.dice(r)["sshn"])
    by_epochs = sorted(seeds, key=lambda s: _job(r, "sshn", s)["epochs"])
    by_dice = sorted(seeds, key=lambda s: _dice(r, "sshn", s, 0.5))
    return by_epochs == by_dice


def _stochastic_protocol1_near_paper(r):
    jobs = claims._protocol1_jobs(PAPER)
    old = next(j for j in jobs.values() if j["method"] == "stochastic")
    at05 = 100 * next(row["dice_mean"] for row in old["rows"] if abs(row["phi"] - 0.5) < 1e-6)
    return abs(at05 - claims.PAPER_TABLE5["stochastic"][0]) < 1.0


def _speeds_differ_3x(r):
    per_epoch = {j["seed"]: j["train_seconds"] / j["epochs"] for j in r["jobs"].values()
                 if j["method"] == "fixed" and abs(j["phi"] - 0.5) < 1e-6}
    return all(round(per_epoch[s] / per_epoch[0]) == 3 for s in per_epoch if s != 0)


def _weight_transfer_is_seed0(r):
    with open(os.path.join(PAPER, "weight_transfer.json")) as f:
        curves = json.load(f)
    own = {round(x["phi"], 4): 100 * x["dice_mean"] for x in curves["SSHN, weights predicted at each phi"]}
    fixed = {round(x["phi"], 4): 100 * x["dice_mean"] for x in curves["Fixed 0.5, weights for phi=0.5"]}
    seed0 = claims.dice(r)["sshn"][0]
    return (all(abs(own[p] - seed0[p]) < 1e-6 for p in own)
            and abs(fixed[0.5] - _dice(r, "fixed", 0, 0.5)) < 1e-6)


def _near_05_transfer_works(r):
    with open(os.path.join(PAPER, "weight_transfer.json")) as f:
        rows = {round(x["phi"], 4): 100 * x["dice_mean"] for x in json.load(f)["SSHN, weights for phi=0.5"]}
    return rows[0.45] >= rows[0.5] - 1.0


# Each passage of RESULTS.md's hand-written text that holds numbers, with the check that makes it true.
CHECKED = {
    "masks {0, 128, 255}": lambda r: tuple(WBC_MASK_VALUES) == (0, 128, 255),
    "a seeded 64/16/20 split (256 / 64 / 80 of the 400 images)":
        lambda r: tuple(PAPER_FRACTIONS) == (0.64, 0.16, 0.2) and tuple(split_sizes(400)) == (256, 64, 80),
    "the seeds' ranking at phi = 0.5 follows the number of epochs they ran": _ranking_follows_epochs,
    "scores at phi = 0.5 close to the paper's figure": _stochastic_protocol1_near_paper,
    "test Dice at phi = 0.5": lambda r: max(claims.grid(r)) == 0.5,
    "differed by about 3x": _speeds_differ_3x,
    "The paper's > 10x": lambda r: claims.PAPER_GRID_OVER_SSHN_COST == 10,
    "Weights made for phi = 0.5": lambda r: os.path.exists(os.path.join(PAPER, "weight_transfer.json")),
    "SSHN seed 0, Fixed seed 0": _weight_transfer_is_seed0,
    "its weights for 0.5 still work near 0.5": _near_05_transfer_works,
    "Uniform(0.5 - r, 0.5 + r), r = 0 ... 0.05": lambda r: (min(PRIOR_RADII), max(PRIOR_RADII)) == (0.0, 0.05)
        and len(PRIOR_RADII) == 6,
}


@pytest.mark.parametrize("name", FILES)
def test_generated_blocks_match_the_committed_json(name):
    assert find_blocks(_text(name)), f"{name} has no generated blocks"
    stale = stale_blocks(os.path.join(ROOT, name))
    assert not stale, (f"{name}: generated blocks out of date with the JSON: {stale}; run "
                       f"`python -m sshn_keras.experiments.report --write RESULTS.md README.md`")


def test_readme_caption_is_generated():
    names = [name for name, _, _ in find_blocks(_text("README.md"))]
    assert sorted(names) == ["compact_why", "readme_caption", "recipe_why"]
    caption = next(body for name, _, body in find_blocks(_text("README.md")) if name == "readme_caption")
    assert "of 10 grid phi" in " ".join(caption.split())


def test_recipe_why_compares_the_two_protocols_at_small_phi():
    text = claims.recipe_why(PAPER)
    assert "patience 10" in text and "patience 20" in text and "phi = 0.05, 0.10 and 0.15" in text


def test_compact_why_counts_both_comparisons_on_three_seeds():
    text = " ".join(claims.compact_why(os.path.join(ROOT, "experiments", "wbc_recipe"), PAPER).split())
    assert "on the means of 3 seeds, the SSHN with rank-8 heads" in text
    assert "as accurate as the full-head SSHN at 10 of 10 grid phi" in text and "the Fixed U-Nets at" in text


@pytest.mark.parametrize("passage", sorted(CHECKED))
def test_each_checked_passage_is_there_and_true(passage, results):
    assert passage in prose(_text("RESULTS.md")), f"RESULTS.md no longer says {passage!r}: update CHECKED"
    assert CHECKED[passage](results), f"RESULTS.md says {passage!r}, which the committed JSON does not support"


def loose_numbers(markdown: str) -> list:
    """`[(number, context)]` for every number of the hand-written text outside the CHECKED passages."""
    text = LABELS.sub(" ", prose(markdown))
    covered = np.zeros(len(text), bool)
    for passage in CHECKED:
        for match in re.finditer(re.escape(passage), text):
            covered[match.start():match.end()] = True
    return [(m.group(), text[max(0, m.start() - 40):m.end() + 40]) for m in NUMBER.finditer(text) if not covered[m.start()]]


def test_every_hand_written_number_is_in_a_checked_passage():
    loose = loose_numbers(_text("RESULTS.md"))
    assert not loose, f"numbers in RESULTS.md's hand-written text that nothing checks: {loose}"


def test_the_checks_see_a_hand_written_number_and_a_stale_block(tmp_path):
    text = _text("RESULTS.md")
    assert [n for n, _ in loose_numbers(text.replace("Earlier lessons:", "Earlier lessons (seed 2 lost 1.6 points):"))] \
        == ["2", "1.6"]
    edited = tmp_path / "RESULTS.md"
    edited.write_text(text.replace("| 0.05 | 3 | 92.1 |", "| 0.05 | 3 | 92.4 |"))
    assert stale_blocks(str(edited)) == ["verdict experiments/wbc_paper"]
