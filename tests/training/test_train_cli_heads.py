"""`sshn-keras train --head-rank`: SSHNUNet's compact default, the paper's full heads one argument away."""

import json

import keras
import pytest

from sshn_keras import cli

TINY = ["--dataset", "synthetic", "--size", "16", "--num-images", "10", "--filters", "2", "--num-stages", "2",
        "--epochs", "1", "--batch-size", "4", "--verbose", "0"]


def test_sshn_trains_with_the_default_compact_heads_and_records_them(tmp_path):
    out = tmp_path / "run"
    assert cli.main(["train", "--output", str(out), "--method", "sshn", *TINY]) == 0
    assert json.loads((out / "config.json").read_text())["head_rank"] == 8
    assert keras.saving.load_model(out / "model.keras").method_options["head_rank"] == 8


def test_full_heads_are_one_argument_away(tmp_path):
    from sshn_keras.train_cli import build_model, resolve_head_rank

    args = _args(["--output", str(tmp_path / "run"), "--method", "sshn", "--head-rank", "none", *TINY])
    resolve_head_rank(args)
    assert args.head_rank is None
    assert build_model(args, (16, 16, 1), 3).method_options["head_rank"] is None


def test_an_old_full_head_run_is_not_resumed_with_compact_heads(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    settings = {"method": "sshn", "phi": 0.5, "dataset": "synthetic", "data_root": None, "label_names": None,
                "num_images": 10, "size": 16, "filters": 2, "num_stages": 2, "epochs": 1, "batch_size": 4,
                "learning_rate": 0.001, "global_clipnorm": 1.0, "validation_phis": None, "patience": None, "seed": 0,
                "precision": "float32", "strategy": "default", "deterministic": False}  # written before --head-rank
    (out / "config.json").write_text(json.dumps(settings))
    capsys.readouterr()
    assert cli.main(["train", "--output", str(out), "--method", "sshn", *TINY]) == 2
    assert "differs in: head_rank" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--method", "fixed", "--head-rank", "4"], "`--head-rank` applies to the methods ['sshn']"),
    (["--method", "sshn", "--head-rank", "0"], "expected a positive int or 'none'. Received '0'"),
    (["--method", "sshn", "--head-rank", "eight"], "expected a positive int or 'none'. Received 'eight'"),
])
def test_bad_head_ranks_are_refused_naming_the_argument(tmp_path, capsys, argv, message):
    try:
        code = cli.main(["train", "--output", str(tmp_path / "run"), *argv, *TINY])
    except SystemExit as exit_:  # argparse's refusal
        code = exit_.code
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "run" / "config.json").exists()


def _args(argv):
    import argparse

    from sshn_keras import train_cli

    parser = argparse.ArgumentParser()
    train_cli.add_parser(parser.add_subparsers())
    return parser.parse_args(["train", *argv])
