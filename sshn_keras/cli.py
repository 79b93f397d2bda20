"""Command line: `sshn-keras <command>` (also `python -m sshn_keras`)."""

import argparse
import logging
import sys

from sshn_keras import demo, train_cli
from sshn_keras.experiments import cli as experiment_cli


def show_progress(stream=None) -> None:
    """Print the package's INFO log lines (experiment progress) as plain lines on `stream` (stdout).

    Called on every command; a second call only points the handler at the current stream.
    """
    logger = logging.getLogger("sshn_keras")
    handlers = [h for h in logger.handlers if getattr(h, "sshn_keras_cli", False)]
    if handlers:
        handlers[0].setStream(stream or sys.stdout)
    else:
        handler = logging.StreamHandler(stream or sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.sshn_keras_cli = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sshn-keras", description="Scale-Space HyperNetworks for Keras 3")
    subparsers = parser.add_subparsers(dest="command", required=True)
    demo.add_parser(subparsers)
    train_cli.add_parser(subparsers)
    experiment_cli.add_parser(subparsers)
    experiment_cli.add_analysis_parser(subparsers)
    args = parser.parse_args(argv)
    show_progress()
    try:
        args.func(args)
    except (ValueError, TypeError, OSError, FloatingPointError) as err:  # OSError: missing, unreadable files
        print(f"sshn-keras {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
