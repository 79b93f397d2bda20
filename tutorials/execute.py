"""Execute the tutorial notebooks in place, keeping their outputs.

    python tutorials/execute.py            # full runs (OASIS if present, else the brain phantom)
    python tutorials/execute.py --fast     # small models, short training (what CI runs)

The first cell's output of each notebook states which kind of run produced it.
The kernel runs without capturing its process-level stderr: TensorFlow prints
a few C++ start-up lines (oneDNN, CUDA probe) before its logging is set up,
which `TF_CPP_MIN_LOG_LEVEL` does not silence; they go to this terminal, not
into the notebook.
"""

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False"]


def execute(nb, path: Path, timeout: int | None = None) -> None:
    """Execute notebook `nb` with `path` as its working directory (raises on a failing cell)."""
    NotebookClient(nb, timeout=timeout, kernel_name="python3", extra_arguments=KERNEL_ARGUMENTS,
                   resources={"metadata": {"path": str(path)}}).execute()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    args = parser.parse_args()
    os.environ["SSHN_TUTORIAL_FAST"] = "1" if args.fast else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    names = args.names or sorted(p.name for p in HERE.glob("[0-9][0-9]_*.ipynb"))
    for name in names:
        nb = nbformat.read(HERE / name, as_version=4)
        execute(nb, HERE, timeout=None if not args.fast else 900)
        nbformat.write(nb, HERE / name)
        print("executed", name, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
