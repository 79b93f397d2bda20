import json

import numpy as np
import pytest

from sshn_keras.cli import main
from sshn_keras.data import make_synthetic_segmentation


def test_synthetic_data_is_deterministic_and_has_all_labels():
    a = make_synthetic_segmentation(16, size=32, seed=5)
    b = make_synthetic_segmentation(16, size=32, seed=5)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert set(np.unique(a.labels)) == {0, 1, 2, 3}
    assert a.images.min() >= 0 and a.images.max() <= 1
    assert not np.array_equal(a.images, make_synthetic_segmentation(16, size=32, seed=6).images)


def test_synthetic_data_bad_arguments():
    with pytest.raises(ValueError, match="size"):
        make_synthetic_segmentation(4, size=8)
    with pytest.raises(ValueError, match="num_images"):
        make_synthetic_segmentation(0)


@pytest.mark.slow
def test_demo_command_trains_sweeps_plots_and_exports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SSHN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "demo"
    code = main(["demo", "--output", str(out), "--ce-epochs", "1", "--dice-epochs", "1", "--num-subjects", "10", "--filters", "4"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["sweep"]) == 10 and (out / "dice_vs_phi.png").stat().st_size > 10_000
    assert (out / "sshn.keras").exists() and "not OASIS" in summary["data"]
    assert (tmp_path / "demo" / summary["saved_model"].split("/")[-1] / "saved_model.pb").exists()
    printed = capsys.readouterr().out
    assert "What to notice" in printed and "CPU" in printed and "<- chosen" in printed


@pytest.mark.slow
@pytest.mark.independent
def test_demo_default_run_reaches_the_advertised_quality(tmp_path, monkeypatch):
    """`make demo` as shipped: the SSHN reaches foreground Dice >= 0.85 at the phi it chooses (measured: 0.868 at
    phi 0.35 with seed 0, 0.865 at phi 0.3 with seed 1; about 400 s of CPU time)."""
    monkeypatch.setenv("SSHN_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["demo", "--output", str(tmp_path / "demo")]) == 0
    summary = json.loads((tmp_path / "demo" / "summary.json").read_text())
    assert summary["chosen_dice"] >= 0.85, summary["chosen_rule"]


def test_cli_reports_bad_arguments(capsys):
    assert main(["demo", "--num-subjects", "3", "--output", "/tmp/unused_demo"]) == 2
    assert "num-subjects" in capsys.readouterr().err
