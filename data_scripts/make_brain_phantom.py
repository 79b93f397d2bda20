#!/usr/bin/env python
"""Write the simulated brain dataset (MNI ICBM152 2009 template, nilearn) in the neurite-oasis layout.

Usage:
    python data_scripts/make_brain_phantom.py --output brain_phantom [--subjects 100] [--seed 0] [--volumes]

Every subject is the one template under a random smooth diffeomorphic
deformation, a small affine change, per-tissue intensities, bias field, blur
and noise (sshn_keras/data/brain_simulation.py); labels are seg4-like
(cortex, subcortical grey matter, white matter, CSF), derived from the
template's tissue maps (sshn_keras/data/brain_template.py). It is simulated
data, not OASIS. The folder is read by `load_oasis(DIR, labels="seg4")` and
`load_brain_phantom(DIR)`; a figure of the first subjects is written to
DIR/subjects.png.
"""

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sshn_keras.data.brain_phantom import load_brain_phantom, write_brain_phantom  # noqa: E402
from sshn_keras.plots import plot_brain_phantom  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=Path("brain_phantom"), help="folder to write")
    parser.add_argument("--subjects", type=int, default=100, help="number of simulated subjects")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulation")
    parser.add_argument("--volumes", action="store_true", help="also write 96x112x128 volumes at 1.7 mm")
    parser.add_argument("--plot-subjects", type=int, default=4, help="subjects shown in subjects.png")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.subjects < 1 or args.plot_subjects < 1:
        print(f"--subjects and --plot-subjects must be positive (got {args.subjects}, {args.plot_subjects})", file=sys.stderr)
        return 2
    root = write_brain_phantom(args.output, args.subjects, args.seed, volumes=args.volumes)
    data = load_brain_phantom(root, num_subjects=args.subjects, seed=args.seed)
    path = plot_brain_phantom(data, root / "subjects.png", count=min(args.plot_subjects, args.subjects))
    print(f"{args.subjects} simulated subjects in {root}; figure {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
