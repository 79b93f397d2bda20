"""The same seed gives the same weights and the same phi sequence (`make_deterministic`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sshn_keras.determinism import make_deterministic

WORKER = Path(__file__).with_name("determinism_worker.py")


@pytest.fixture(scope="module")
def result():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(WORKER)], capture_output=True, text=True, timeout=300, env=env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


@pytest.mark.slow
def test_same_seed_same_weights_bit_for_bit(result):
    assert result["a"]["weights_sha256"] == result["b"]["weights_sha256"]
    assert result["a"]["weights_sha256"] != result["other_seed"]["weights_sha256"]


@pytest.mark.slow
def test_phi_sequence_is_a_function_of_seed_and_step(result):
    a, b, other = result["a"], result["b"], result["other_seed"]
    assert len(a["used_phi"]) == 6  # 3 steps x 2 epochs
    assert a["used_phi"] == b["used_phi"]  # same seed: same sequence
    assert a["used_phi"] == a["expected_phi"]  # the step's phi is prior.sample((seed, step))
    assert all(0 < p <= 0.5 for p in a["used_phi"]) and len(set(a["used_phi"])) == 6
    assert other["used_phi"] != a["used_phi"]


@pytest.mark.parametrize("seed", ["0", 1.5, True, None])
def test_make_deterministic_refuses_a_non_int_seed(seed):
    with pytest.raises(TypeError, match="seed"):
        make_deterministic(seed)
