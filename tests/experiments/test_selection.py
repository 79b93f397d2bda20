"""`choose_phi`: the cheapest phi within a Dice tolerance, or the best within a cost budget."""

import pytest

from sshn_keras.experiments import choose_phi

ROWS = [
    {"phi": 0.1, "dice_mean": 0.80, "gflops": 1.0, "latency_ms": 5.0},
    {"phi": 0.2, "dice_mean": 0.89, "gflops": 1.2, "latency_ms": 6.0},
    {"phi": 0.3, "dice_mean": 0.90, "gflops": 1.5, "latency_ms": 7.0},
    {"phi": 0.4, "dice_mean": 0.91, "gflops": 2.0, "latency_ms": 9.0},
]


def test_choose_by_tolerance_and_budget():
    assert choose_phi(ROWS, tolerance=0.02)["phi"] == 0.2
    assert choose_phi(ROWS, tolerance=0.0)["phi"] == 0.4
    assert choose_phi(ROWS, max_gflops=1.6)["phi"] == 0.3
    assert choose_phi(ROWS, max_latency_ms=6.5)["phi"] == 0.2
    assert choose_phi(ROWS, max_gflops=1.6, max_latency_ms=6.5)["phi"] == 0.2


@pytest.mark.parametrize(
    "kwargs, match",
    [(dict(max_gflops=0.5), "No phi meets the budget .* cheapest phi=0.1 needs 1.0000 GFLOPs"), (dict(), "exactly one"), (dict(tolerance=0.1, max_gflops=2), "exactly one"), (dict(tolerance=-1), ">= 0")],
)
def test_choose_bad_requests(kwargs, match):
    with pytest.raises(ValueError, match=match):
        choose_phi(ROWS, **kwargs)
