"""`benchmarks/gpu_suite.py --tiny` on CPU: its logic and its JSON, not its timings.

The suite runs in a fresh interpreter (it sets XLA_FLAGS and logical devices
before TensorFlow starts), on the CPU only, once for the whole module.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "benchmarks" / "gpu_suite.py"
SEGMENTATION = {"sshn", "fixed_xla", "fixed_auto", "fixed_noxla", "stochastic", "film"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpu_suite") / "suite.json"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, str(SUITE), "--tiny", "--json", str(out)], capture_output=True, text=True, timeout=900, env=env
    )
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, json.loads(out.read_text())


pytestmark = pytest.mark.slow  # one run of the whole suite in a fresh interpreter: about two minutes of CPU


def test_exits_zero_and_prints_the_table(suite):
    proc, result = suite
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert all(result["checks"].values()) and set(result["checks"]) >= {
        "sshn_no_new_traces", "sshn_no_new_xla_compilations", "fixed_xla_compiles_once",
        "mixed_precision_within_tolerance", "mirrored_matches_one_device", "saved_models_equal_on_cpu", "sweep_timed",
    }
    assert "Checks: all passed" in proc.stdout and "SSHN/Fixed step time" in proc.stdout


def test_training_runs_every_model_and_counts_traces_and_compilations(suite):
    _, result = suite
    training = result["training"]
    assert list(training["batches"]) == ["4"]
    runs = training["batches"]["4"]["runs"]
    assert set(runs) == SEGMENTATION
    for name, run in runs.items():
        assert run["steps_per_s"] > 0 and math.isfinite(run["loss"]) and run["peak_memory_mb"] > 0
        assert run["warmup_traces"] >= 1  # the counter sees the step's trace...
        assert run["new_traces"] == 0 and run["new_tf_function_traces"] == 0  # ...and none after the warm-up
    assert runs["sshn"]["jit_compile"] is False and runs["sshn"]["warmup_xla_compilations"] == 0
    assert runs["fixed_xla"]["jit_compile"] is True
    assert runs["fixed_xla"]["warmup_xla_compilations"] >= 1 and runs["fixed_xla"]["new_xla_compilations"] == 0
    assert runs["fixed_auto"]["jit_compile"] is False  # "auto" is off on a CPU-only host
    ratios = training["batches"]["4"]["step_time_ratio"]
    assert set(ratios) == {"sshn/fixed_xla", "sshn/fixed_auto", "sshn/fixed_noxla"} and all(r > 0 for r in ratios.values())


def test_flop_rate_needs_a_peak_on_cpu(suite):
    _, result = suite
    training = result["training"]
    assert training["peak_tflops"] is None and "--peak-tflops" in training["peak_basis"]
    fixed = training["batches"]["4"]["runs"]["fixed_noxla"]
    expected = 3 * training["forward_flops_per_image_fixed"] * 4 * fixed["steps_per_s"] / 1e12
    assert fixed["tflops"] == pytest.approx(expected) and fixed["peak_fraction"] is None


def test_mixed_precision_matches_float32(suite):
    _, precision = suite[1], suite[1]["precision"]
    for policy in ("mixed_float16", "mixed_bfloat16"):
        entry = precision[policy]
        assert entry["loss_rel_diff"] <= precision["tolerance"]["loss_rtol"]
        assert entry["dice_abs_diff"] <= precision["tolerance"]["dice_atol"]
        assert entry["loss"] != precision["float32"]["loss"]  # it did run in another precision
        assert entry["new_traces"] == 0


def test_mirrored_runs_two_cpu_replicas_like_one_device(suite):
    mirrored = suite[1]["mirrored"]
    assert mirrored["replicas"] == 2 and len(mirrored["devices"]) == 2
    assert mirrored["max_weight_change"] > 1e-4 and mirrored["max_weight_diff"] < 1e-5
    assert mirrored["new_traces_mirrored"] == 0


def test_sweep_is_timed_against_bare_forward_passes(suite):
    sweep = suite[1]["sweep"]
    assert sweep["points"] == 51 and sweep["pure_s"] > 0 and sweep["sweep_s"] > 0
    assert sweep["ratio"] == pytest.approx(sweep["sweep_s"] / sweep["pure_s"])


def test_saved_models_give_the_models_outputs_on_cpu(suite):
    result = suite[1]
    exports = [result["export"]] + [result["registration"][d]["export"] for d in ("2d", "3d")]
    for export in exports:
        for form in ("at_phi", "phi_per_request"):
            assert export[form]["equal"] and export[form]["max_abs_diff_cpu"] <= 1e-5
    for d, shape in (("2d", [32, 32, 1]), ("3d", [16, 16, 16, 1])):
        reg = result["registration"][d]
        assert reg["shape"] == shape and reg["new_traces"] == 0 and reg["new_xla_compilations"] == 0
