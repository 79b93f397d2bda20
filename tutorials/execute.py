"""Execute the tutorial notebooks in place, keeping their outputs.

    python tutorials/execute.py            # full runs (real data, default epochs)
    python tutorials/execute.py --fast     # stand-in data, a few steps (what CI runs)

The first cell's output of each notebook states which kind of run produced it.
"""

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    args = parser.parse_args()
    os.environ["SSHN_TUTORIAL_FAST"] = "1" if args.fast else "0"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    names = args.names or sorted(p.name for p in HERE.glob("[0-9][0-9]_*.ipynb"))
    for name in names:
        nb = nbformat.read(HERE / name, as_version=4)
        NotebookClient(nb, timeout=None if not args.fast else 900, kernel_name="python3",
                       resources={"metadata": {"path": str(HERE)}}).execute()
        nbformat.write(nb, HERE / name)
        print("executed", name, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
