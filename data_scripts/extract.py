#!/usr/bin/env python
"""Safely extract a dataset archive you downloaded by hand (CAMUS, PanDental).

Usage:
    python data_scripts/extract.py ARCHIVE OUTPUT [--md5 HEX] [--strip-components N]

Refuses archives with absolute paths, `..` members or links (see
`sshn_keras.data.download.safe_extract`); verifies the MD5 when given.
"""

import argparse
import sys
from pathlib import Path

from sshn_keras.data.download import ChecksumError, UnsafeArchiveError, safe_extract, verify_md5


def main(argv=None) -> int:
    """Run the extraction; returns the exit status (0 on success)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path, help="the .zip / .tar(.gz) file")
    parser.add_argument("output", type=Path, help="folder to extract into")
    parser.add_argument("--md5", default=None, help="expected MD5 of the archive")
    parser.add_argument("--strip-components", type=int, default=0, help="leading folders to drop from member paths")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    try:
        if args.md5:
            verify_md5(args.archive, args.md5)
        files = safe_extract(args.archive, args.output, args.strip_components, progress=not args.no_progress)
    except (FileNotFoundError, ChecksumError, UnsafeArchiveError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Extracted {len(files)} files into {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
