"""What a newcomer waits for: `sshn-keras demo` and each tutorial in fast mode, timed one after another.

    python benchmarks/first_run.py --json benchmarks/results/first_run.json
    python benchmarks/first_run.py --skip-demo 01_oasis_segmentation.ipynb

Each run starts from an empty data cache (as on a fresh clone: the brain
phantom is simulated again) in its own temporary folder, as a separate
process, so the wall-clock times are what a user sees. The targets: the demo
in <= 5 minutes, each fast tutorial in about 3 minutes, on 2 idle CPU cores.
The script also measures the CPU time the rest of the machine used during
each run (from /proc/stat): times measured on a busy machine are not the
machine's speed (it says so, and records it).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"
EXECUTE = """
import sys, nbformat
sys.path.insert(0, {tutorials!r})
from execute import execute
nb = nbformat.read({path!r}, as_version=4)
execute(nb, {workdir!r}, timeout=1800)
print(nb.cells[-1].outputs[-1].get("text", "").strip().splitlines()[-1])
"""


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores; Linux /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list, env: dict, cwd: str) -> dict:
    """Run `command`; wall and CPU seconds (the process and its children), the CPU seconds the rest of the
    machine used meanwhile, and the last line the command printed."""
    busy, cpu, start = machine_busy_seconds(), children_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    others = max(0.0, machine_busy_seconds() - busy - cpu)
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"{command[:4]} failed with exit status {done.returncode}")
    lines = done.stdout.strip().splitlines()
    return {"wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "other_cpu_seconds": round(others, 1),
            "last_line": lines[-1] if lines else ""}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="tutorials to time (default: every NN_*.ipynb)")
    parser.add_argument("--skip-demo", action="store_true", help="time the tutorials only")
    parser.add_argument("--json", help="write the measurements to this file")
    args = parser.parse_args()
    names = args.names or sorted(p.name for p in TUTORIALS.glob("[0-9][0-9]_*.ipynb"))
    unknown = [n for n in names if not (TUTORIALS / n).is_file()]
    if unknown:
        parser.error(f"no such tutorial: {unknown}; the tutorials are {sorted(p.name for p in TUTORIALS.glob('*.ipynb'))}")
    results = {"cpu_count": os.cpu_count(), "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        base = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
        base.pop("MPLBACKEND", None)
        runs = ([] if args.skip_demo else [("sshn-keras demo", None)]) + [(n, n) for n in names]
        for i, (label, notebook) in enumerate(runs):
            workdir = Path(tmp) / f"run{i}"
            workdir.mkdir()
            env = dict(base, SSHN_CACHE_DIR=str(workdir / "cache"), SSHN_TUTORIAL_FAST="1")
            if notebook is None:
                command = [sys.executable, "-m", "sshn_keras", "demo", "--output", str(workdir / "demo_output")]
            else:
                code = EXECUTE.format(tutorials=str(TUTORIALS), path=str(TUTORIALS / notebook), workdir=str(workdir))
                command = [sys.executable, "-c", code]
            print(f"{label}: running ...", flush=True)
            results["runs"][label] = row = timed(command, env, str(workdir))
            print(f"{label}: {row['wall_seconds']:.0f} s wall, {row['cpu_seconds']:.0f} CPU-s (other processes: "
                  f"{row['other_cpu_seconds']:.0f} CPU-s); {row['last_line'][:160]}", flush=True)
    # idle: everything else on the machine used under 5% of one core while each run lasted
    busy = [k for k, r in results["runs"].items() if r["other_cpu_seconds"] > 0.05 * r["wall_seconds"]]
    results["idle"] = not busy
    if busy:
        print(f"NOT IDLE: other processes used the CPU during {busy}; these times are not the machine's speed.")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
        print("wrote", args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
