"""`make test`'s schedule (tests/xdist_schedule.py) does what it says under the installed pytest and pytest-xdist.

A file's tests share one worker (a module-scoped fixture is built once), `independent` tests are spread over
the workers and sent first. This broke once without an error: under pytest 9.2, pytest-xdist 3.8's
`xdist_group` marks stopped reaching the scheduler, so module fixtures were built once per worker.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("xdist")

TESTS = Path(__file__).resolve().parent

SHARED = '''
import os, pytest
LOG = os.environ["SCHEDULE_LOG"]

def log(text):
    with open(LOG, "a") as f:
        f.write(f"{os.environ['PYTEST_XDIST_WORKER']} {text}\\n")

@pytest.fixture(scope="module")
def expensive():
    log("fixture")
    return 1
'''
FILE = SHARED + "".join(f"\ndef test_{i}(expensive):\n    log('shared {i}')\n" for i in range(6))
INDEPENDENT = SHARED + "".join(
    f"\n@pytest.mark.independent\ndef test_alone_{i}():\n    log('alone {i}')\n" for i in range(2))


def test_a_files_tests_share_a_worker_and_independent_tests_go_first_on_both(tmp_path):
    (tmp_path / "conftest.py").write_text('pytest_plugins = ("xdist_schedule",)\n')
    (tmp_path / "test_a_shared.py").write_text(FILE)
    (tmp_path / "test_b_shared.py").write_text(FILE)
    (tmp_path / "test_z_alone.py").write_text(INDEPENDENT)  # collected last, scheduled first
    log = tmp_path / "schedule.log"
    env = dict(os.environ, PYTHONPATH=str(TESTS), SCHEDULE_LOG=str(log))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup",
                           "--no-loadscope-reorder", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert sum(text == "fixture" for _, text in lines) == 2  # once per file, not once per worker and file
    alone = {worker for worker, text in lines if text.startswith("alone")}
    assert len(alone) == 2  # the two independent tests ran on different workers...
    for worker in alone:  # ...each as its worker's first test
        assert next(text for w, text in lines if w == worker).startswith("alone")
