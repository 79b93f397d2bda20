"""`sshn_keras.sweep`: phi grids and the Dice-vs-cost rows of a sweep."""

import pytest

from sshn_keras.models import SSHNUNet
from sshn_keras.sweep import phi_grid, sweep_phi

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
