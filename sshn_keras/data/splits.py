"""Deterministic train / validation / test splits by subject.

All samples of a subject land in the same split (no leakage between, e.g.,
the four CAMUS views of one patient). The split depends only on the set of
subject ids, the fractions and the seed, never on file order.
"""

from typing import Iterable, Sequence

import numpy as np

SPLITS = ("train", "val", "test")
PAPER_FRACTIONS = (0.64, 0.16, 0.2)


def check_fractions(fractions: Sequence[float]) -> tuple:
    """Return `fractions` as three floats after checking they are >= 0 and sum to 1.

    Raises:
        ValueError: for anything but three non-negative numbers summing to 1.
    """
    try:
        values = tuple(float(f) for f in fractions)
    except (TypeError, ValueError):
        raise ValueError(f"`fractions` must be three numbers (train, val, test). Received fractions={fractions!r}")
    if len(values) != 3 or min(values) < 0 or abs(sum(values) - 1.0) > 1e-6:
        raise ValueError(
            "`fractions` must be three non-negative numbers (train, val, test) summing to 1. "
            f"Received fractions={fractions!r}"
        )
    return values


def split_sizes(num_subjects: int, fractions: Sequence[float] = PAPER_FRACTIONS) -> tuple:
    """Subjects per split, by the largest-remainder rule (the sizes sum to `num_subjects`).

    Example:
    >>> split_sizes(10)
    (6, 2, 2)
    """
    fractions = check_fractions(fractions)
    exact = [num_subjects * f for f in fractions]
    sizes = [int(np.floor(x)) for x in exact]
    order = sorted(range(3), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in order[: num_subjects - sum(sizes)]:
        sizes[i] += 1
    return tuple(sizes)


def split_by_subject(
    ids: Iterable, fractions: Sequence[float] = PAPER_FRACTIONS, seed: int = 0
) -> dict:
    """Assign each distinct subject id to `"train"`, `"val"` or `"test"`.

    Ids are de-duplicated and sorted (as strings) before a seeded
    permutation, so the result does not depend on the order they are given
    in. The default fractions are the paper's (64%, 16%, 20%).

    Args:
        ids: subject ids (duplicates allowed: one per sample is fine).
        fractions: `(train, val, test)` fractions, non-negative, summing to 1.
        seed: seed of the permutation.

    Returns:
        `{"train": [...], "val": [...], "test": [...]}`, each a sorted list
        of subject ids (a split may be empty for very few subjects).

    Raises:
        ValueError: for bad `fractions` or no ids at all.

    Example:
    >>> parts = split_by_subject([f"s{i}" for i in range(10)], seed=0)
    >>> [len(parts[s]) for s in ("train", "val", "test")]
    [6, 2, 2]
    """
    unique = sorted({str(i) for i in ids})
    if not unique:
        raise ValueError("`ids` is empty: there are no subjects to split.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"`seed` must be an int. Received seed={seed!r}")
    sizes = split_sizes(len(unique), fractions)
    order = np.random.default_rng(int(seed)).permutation(len(unique))
    bounds = np.cumsum((0,) + sizes)
    return {
        name: sorted(unique[j] for j in order[bounds[k] : bounds[k + 1]]) for k, name in enumerate(SPLITS)
    }


def select_split(
    samples: list, split: str | None, fractions: Sequence[float] = PAPER_FRACTIONS, seed: int = 0, dataset: str = "dataset"
) -> list:
    """Keep the samples whose subject belongs to `split` (all of them for None).

    Args:
        samples: `Sample`s (anything with a `subject` attribute).
        split: `"train"`, `"val"`, `"test"` or None.
        fractions, seed: see `split_by_subject`.
        dataset: dataset name for error messages.

    Returns:
        The selected samples, in their original order.

    Raises:
        ValueError: for an unknown split name, or a split with no subjects.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"`split` must be one of {SPLITS} or None. Received split={split!r}")
    if not samples:
        raise ValueError(f"No samples found for {dataset}.")
    if split is None:
        check_fractions(fractions)
        return list(samples)
    parts = split_by_subject([s.subject for s in samples], fractions, seed)
    chosen = set(parts[split])
    if not chosen:
        num_subjects = sum(len(p) for p in parts.values())
        raise ValueError(
            f"The {split!r} split of {dataset} is empty: {num_subjects} subject(s) split with "
            f"fractions={tuple(fractions)} give {[len(parts[s]) for s in SPLITS]} (train, val, test) subjects. "
            "Use more data or other fractions."
        )
    return [s for s in samples if s.subject in chosen]
