import pytest

from sshn_keras.experiments import choose_phi
from sshn_keras.models import SSHNUNet
from sshn_keras.sweep import phi_grid, sweep_phi

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


def test_phi_grid():
    g = phi_grid(0.01, 0.5, 0.01)
    assert len(g) == 50 and g[0] == 0.01 and g[-1] == 0.5
    assert list(phi_grid(0.05, 0.5, 0.05)) == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]


@pytest.mark.parametrize("args, match", [((0.0, 0.5, 0.01), "start"), ((0.1, 1.5, 0.01), "stop"), ((0.1, 0.5, 0.0), "step"), ((0.1, 0.5, -0.1), "step"), ((0.5, 0.1, 0.01), "exceed")])
def test_phi_grid_bad_ranges(args, match):
    with pytest.raises(ValueError, match=match):
        phi_grid(*args)


def test_sweep_rows(tiny_data, tiny_arch):
    x, y = tiny_data
    model = SSHNUNet(**tiny_arch)
    rows = sweep_phi(model, x[:8], y[:8], [0.1, 0.5], label_names=["bg", "a", "b", "c"], progress=False)
    assert [r["phi"] for r in rows] == [0.1, 0.5]
    assert set(rows[0]["dice_per_label"]) == {"a", "b", "c"}
    assert rows[0]["gflops"] < rows[1]["gflops"]
    assert all(0 <= r["dice_mean"] <= 1 and r["latency_ms"] > 0 for r in rows)
