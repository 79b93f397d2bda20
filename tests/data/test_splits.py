"""Tests of sshn_keras.data.splits: deterministic subject splits."""

import pytest

from sshn_keras.data.base import Sample
from sshn_keras.data.splits import select_split, split_by_subject, split_sizes

IDS = [f"subject{i:03d}" for i in range(100)]


def test_paper_fractions_sizes_and_disjoint():
    parts = split_by_subject(IDS, seed=0)
    assert [len(parts[s]) for s in ("train", "val", "test")] == [64, 16, 20]
    assert set(parts["train"]) | set(parts["val"]) | set(parts["test"]) == set(IDS)
    assert not set(parts["train"]) & set(parts["test"]) and not set(parts["val"]) & set(parts["test"])


def test_deterministic_and_order_independent():
    a = split_by_subject(IDS, seed=3)
    b = split_by_subject(list(reversed(IDS)) + IDS[:10], seed=3)  # duplicates and order do not matter
    assert a == b
    assert split_by_subject(IDS, seed=4) != a


def test_largest_remainder_sizes():
    assert split_sizes(10) == (6, 2, 2)
    assert sum(split_sizes(7)) == 7
    assert split_sizes(5, (1.0, 0.0, 0.0)) == (5, 0, 0)


@pytest.mark.parametrize("fractions", [(0.5, 0.5), (0.6, 0.3, 0.3), (-0.1, 0.6, 0.5), "abc"])
def test_bad_fractions(fractions):
    with pytest.raises(ValueError, match="fractions"):
        split_by_subject(IDS, fractions)


def test_select_split_keeps_subjects_together_and_refuses_empty_split():
    samples = [Sample(subject=f"p{i // 4}", image=f"p{i}.png", label=f"m{i}.png") for i in range(40)]
    train = select_split(samples, "train", seed=0)
    test = select_split(samples, "test", seed=0)
    assert {s.subject for s in train}.isdisjoint({s.subject for s in test})
    assert all(sum(s.subject == t.subject for s in train) == 4 for t in train)
    with pytest.raises(ValueError, match="'val' split of tiny is empty"):
        select_split(samples[:4], "val", dataset="tiny")
    with pytest.raises(ValueError, match="split"):
        select_split(samples, "training")
