"""Command line: `sshn-keras <command>` (also `python -m sshn_keras`)."""

import argparse
import sys

from sshn_keras import demo, train_cli
from sshn_keras.experiments import cli as experiment_cli
from sshn_keras.locking import FolderInUseError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sshn-keras", description="Scale-Space HyperNetworks for Keras 3")
    subparsers = parser.add_subparsers(dest="command", required=True)
    demo.add_parser(subparsers)
    train_cli.add_parser(subparsers)
    experiment_cli.add_parser(subparsers)
    experiment_cli.add_analysis_parser(subparsers)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (ValueError, TypeError, OSError, FloatingPointError, FolderInUseError) as err:  # OSError: unreadable files
        print(f"sshn-keras {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
