import json

from sshn_keras.experiments.report import main
from sshn_keras.experiments.tables import curves_table, grid_table, phi05_table, prior_width_table, seeds_table


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


def test_seeds_table_lists_every_seed_and_the_std():
    results = _results()
    table = seeds_table(results)
    assert "| sshn seed 0 | 90.0 | 92.0 |" in table and "| sshn seed 1 | 92.0 | 94.0 |" in table
    assert "| sshn std (seeds) | 1.0 (2) | 1.0 (2) |" in table
    assert "| fixed seed 0 | 93.0 | 92.5 |" in table and "fixed std" not in table
    del results["jobs"]["sshn_seed1"]
    assert seeds_table(results) is None  # one seed everywhere: nothing to add


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


def test_analysis_tables():
    curves = {"a": [{"phi": 0.25, "dice_mean": 0.5}, {"phi": 0.5, "dice_mean": 0.9}], "b": [{"phi": 0.5, "dice_mean": 0.8}]}
    table = curves_table(curves)
    assert "| phi | 0.25 | 0.50 |" in table and "| a | 50.0 | 90.0 |" in table and "| b | - | 80.0 |" in table
    rows = [{"radius": 0.0, "seed": 0, "dice_mean": 0.90, "epochs": 30, "train_seconds": 100.0},
            {"radius": 0.0, "seed": 1, "dice_mean": 0.92, "epochs": 40, "train_seconds": 120.0},
            {"radius": 0.05, "seed": 0, "dice_mean": 0.95, "epochs": 50, "train_seconds": 150.0}]
    table = prior_width_table(rows)
    assert "| 0.00 | 91.0 +- 1.0 | 2 | 30/40 | 100/120 |" in table and "| 0.05 | 95.0 +- 0.0 | 1 | 50 | 150 |" in table


def test_report_includes_the_analyses(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps(_results()))
    (tmp_path / "prior_width.json").write_text(json.dumps([{"radius": 0.01, "seed": 0, "dice_mean": 0.9,
                                                             "epochs": 3, "train_seconds": 1.0}]))
    from sshn_keras.experiments.report import report

    text = report(str(tmp_path))
    assert "### prior width" in text and "| 0.01 | 90.0 +- 0.0 | 1 | 3 | 1 |" in text
    assert "weight transfer" not in text


def test_prior_width_plot(tmp_path):
    from sshn_keras.plots import plot_prior_width

    rows = [{"radius": r, "seed": s, "dice_mean": 0.9 + r + 0.01 * s} for r in (0.0, 0.02) for s in (0, 1)]
    path = plot_prior_width(rows, str(tmp_path / "p.png"))
    assert path.endswith("p.png") and (tmp_path / "p.png").stat().st_size > 1000


def test_method_plot_legend_counts_seeds_per_point(tmp_path):
    import matplotlib.pyplot as plt

    from sshn_keras import plots

    results = _results()
    results["jobs"]["fixed_phi0.50_seed1"] = _job("fixed", 1, {0.5: 0.93}, 0.5)
    results["config"]["dataset"] = "toy"
    labels = []
    original = plt.Figure.savefig

    def record(fig, *args, **kwargs):
        labels.append([t.get_text() for t in fig.axes[0].get_legend().get_texts()])
        return original(fig, *args, **kwargs)

    plt.Figure.savefig = record
    try:
        plots.plot_methods(results, str(tmp_path))
    finally:
        plt.Figure.savefig = original
    assert labels[0] == ["SSHN (2 seeds)", "Fixed (1-2 seeds)"]
