#!/usr/bin/env python
"""Download, verify and extract the 2D neurite-oasis release (the tutorial's dataset).

Usage:
    python data_scripts/download_oasis.py [--output DIR]

The tar (from the neurite-oasis page) is fetched to `DIR/neurite-oasis.2d.v1.0.tar`
(resuming a partial download), checked against its published MD5, and
extracted safely into DIR, where `sshn_keras.data.load_oasis(DIR)` reads
it. DIR defaults to `$SSHN_OASIS_DIR`, else `../shared/data/oasis` next to
the repository. Offline? Copy the tar to that path by hand and rerun: it is
verified and extracted without network access.
"""

import argparse
import sys
from pathlib import Path

from sshn_keras.data.download import ChecksumError, DownloadError, UnsafeArchiveError, download, safe_extract
from sshn_keras.data.paths import default_root

OASIS_URL = "https://surfer.nmr.mgh.harvard.edu/ftp/data/neurite/data/neurite-oasis.2d.v1.0.tar"
OASIS_MD5 = "c9ae5864f250c7e4b8d83a104e51ae8e"
OASIS_ARCHIVE = "neurite-oasis.2d.v1.0.tar"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=default_root("oasis"), help="folder to extract into")
    parser.add_argument("--url", default=OASIS_URL, help="where to fetch the tar (http(s):// or file://)")
    parser.add_argument("--md5", default=OASIS_MD5, help="expected MD5 of the tar")
    parser.add_argument("--remove-archive", action="store_true", help="delete the tar after extracting it")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the download; returns the exit status (0 on success)."""
    args = parse_args(argv)
    archive = args.output / OASIS_ARCHIVE
    try:
        download(args.url, archive, md5=args.md5, progress=not args.no_progress)
        safe_extract(archive, args.output, progress=not args.no_progress)
    except DownloadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ChecksumError, UnsafeArchiveError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    subjects = sorted(args.output.glob("OASIS_OAS1_*"))
    if args.remove_archive:
        archive.unlink()
    print(f"OASIS 2D ready in {args.output}: {len(subjects)} subject folders.")
    print(f"Load it with: sshn_keras.data.load_oasis({str(args.output)!r}, split='train')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
