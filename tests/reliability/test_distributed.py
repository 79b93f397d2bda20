"""MirroredStrategy on two logical CPUs gives one device's results, and one phi on every replica.

Logical devices must be set before TensorFlow initialises, so the training
runs in a fresh interpreter (`distributed_worker.py`).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

WORKER = Path(__file__).with_name("distributed_worker.py")


@pytest.fixture(scope="module")
def result():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(WORKER)], capture_output=True, text=True, timeout=400, env=env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


@pytest.mark.slow
@pytest.mark.parametrize("method", ["sshn", "stochastic", "film", "fixed"])
def test_mirrored_training_matches_one_device(result, method):
    assert result["replicas"] == 2
    entry = result["methods"][method]
    assert entry["max_weight_change"] > 1e-3  # training moved the weights...
    assert entry["max_weight_diff"] < 1e-5  # ...identically on one device and on two replicas
    np.testing.assert_allclose(entry["loss_mirrored"], entry["loss_single"], rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["sshn", "stochastic", "film"])
def test_every_replica_draws_the_same_phi(result, method):
    entry = result["methods"][method]
    for per_replica, expected in zip(entry["replica_phis"], entry["expected_phis"]):
        assert len(per_replica) == 2 and per_replica[0] == per_replica[1] == expected
    assert len(set(entry["expected_phis"])) == 3  # the phi changes with the step
