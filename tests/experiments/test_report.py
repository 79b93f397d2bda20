import json

from sshn_keras.experiments.report import grid_table, main, phi05_table


def _job(method, seed, dice_by_phi, phi=None):
    rows = [{"phi": p, "dice_mean": d, "gflops": 1.0 + p} for p, d in dice_by_phi.items()]
    return {"method": method, "seed": seed, "phi": phi, "train_seconds": 10.0, "epochs": 5, "rows": rows}


def _results():
    jobs = {
        "sshn_seed0": _job("sshn", 0, {0.25: 0.90, 0.5: 0.92}),
        "sshn_seed1": _job("sshn", 1, {0.25: 0.92, 0.5: 0.94}),
        "fixed_phi0.50_seed0": _job("fixed", 0, {0.5: 0.925}, 0.5),
        "fixed_phi0.25_seed0": _job("fixed", 0, {0.25: 0.93}, 0.25),
    }
    return {"config": {"fixed_grid": [0.25, 0.5]}, "jobs": jobs, "missing": []}


def test_tables_average_seeds_and_subtract_fixed():
    results = _results()
    assert "| sshn | 93.0 +- 1.0 | 2 |" in phi05_table(results)
    table = grid_table(results)
    assert "| sshn | 91.0 | 93.0 |" in table
    assert "| fixed | 93.0 | 92.5 |" in table
    assert "| SSHN - Fixed | -2.0 | +0.5 |" in table


def test_cli_reads_a_folder_and_refuses_a_missing_one(tmp_path, capsys):
    (tmp_path / "results.json").write_text(json.dumps(_results()))
    assert main([str(tmp_path)]) == 0
    assert "SSHN - Fixed" in capsys.readouterr().out
    assert main([str(tmp_path / "nope")]) == 2
    assert "results.json not found" in capsys.readouterr().err


def test_without_a_fixed_grid_every_005_step_is_shown():
    results = {"config": {"fixed_grid": []}, "jobs": {"sshn_seed0": _job("sshn", 0, {0.05: 0.8, 0.07: 0.85, 0.1: 0.9})}}
    table = grid_table(results)
    assert "| phi | 0.05 | 0.10 |" in table and "| sshn | 80.0 | 90.0 |" in table
