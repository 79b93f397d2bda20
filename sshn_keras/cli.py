"""Command line: `sshn-keras <command>` (also `python -m sshn_keras`)."""

import argparse
import logging
import sys

from sshn_keras import demo, train_cli
from sshn_keras.experiments import cli as experiment_cli


def show_progress(stream=None) -> logging.Handler:
    """Print the package's INFO log lines (experiment progress) as plain lines on `stream` (stdout).

    Called on every command; a second call replaces the handler of the first
    (the stream it wrote to may be gone), so lines are never shown twice.
    """
    logger = logging.getLogger("sshn_keras")
    for old in [h for h in logger.handlers if getattr(h, "sshn_keras_cli", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.sshn_keras_cli = True
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sshn-keras", description="Scale-Space HyperNetworks for Keras 3")
    subparsers = parser.add_subparsers(dest="command", required=True)
    demo.add_parser(subparsers)
    train_cli.add_parser(subparsers)
    experiment_cli.add_parser(subparsers)
    experiment_cli.add_analysis_parser(subparsers)
    args = parser.parse_args(argv)
    handler = show_progress()
    try:
        args.func(args)
    except (ValueError, TypeError, OSError, FloatingPointError) as err:  # OSError: missing, unreadable files
        print(f"sshn-keras {args.command}: error: {err}", file=sys.stderr)
        return 2
    finally:
        logging.getLogger("sshn_keras").removeHandler(handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
