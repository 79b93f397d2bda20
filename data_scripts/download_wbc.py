#!/usr/bin/env python
"""Download and extract the WBC dataset from the public repository zxaoyou/segmentation_WBC.

Usage:
    python data_scripts/download_wbc.py [--output DIR]

Fetches GitHub's zip of the pinned commit, extracts it safely into DIR
(dropping the `segmentation_WBC-<commit>/` folder, so `DIR/Dataset 1/001.bmp`
results) and checks that the 300 + 100 image/mask pairs are there. DIR
defaults to `$SSHN_WBC_DIR`, else `../shared/data/wbc` next to the
repository, where `sshn_keras.data.load_wbc()` looks. GitHub does not
publish checksums of its zips, so the content is checked instead (pass
`--md5` to pin one). Offline? Copy the zip to `DIR/segmentation_WBC-<commit>.zip`
by hand and rerun.
"""

import argparse
import sys
from pathlib import Path

from sshn_keras.data.download import ChecksumError, DownloadError, UnsafeArchiveError, download, safe_extract
from sshn_keras.data.paths import default_root

WBC_COMMIT = "fa9c01622f52bccb9aeb8a6f2628f564e377767d"
WBC_URL = f"https://codeload.github.com/zxaoyou/segmentation_WBC/zip/{WBC_COMMIT}"
WBC_EXPECTED_PAIRS = {"Dataset 1": 300, "Dataset 2": 100}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=default_root("wbc"), help="folder to extract into")
    parser.add_argument("--url", default=WBC_URL, help="where to fetch the zip (http(s):// or file://)")
    parser.add_argument("--md5", default=None, help="expected MD5 of the zip (optional)")
    parser.add_argument("--remove-archive", action="store_true", help="delete the zip after extracting it")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    return parser.parse_args(argv)


def count_pairs(root: Path) -> dict:
    """`{subset: number of NNN.bmp with an NNN.png}` under `root`."""
    counts = {}
    for subset in WBC_EXPECTED_PAIRS:
        folder = root / subset
        counts[subset] = sum((p.with_suffix(".png")).is_file() for p in folder.glob("*.bmp")) if folder.is_dir() else 0
    return counts


def main(argv=None) -> int:
    """Run the download; returns the exit status (0 on success)."""
    args = parse_args(argv)
    archive = args.output / f"segmentation_WBC-{WBC_COMMIT}.zip"
    try:
        download(args.url, archive, md5=args.md5, progress=not args.no_progress)
        safe_extract(archive, args.output, strip_components=1, progress=not args.no_progress)
    except DownloadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ChecksumError, UnsafeArchiveError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    counts = count_pairs(args.output)
    if counts != WBC_EXPECTED_PAIRS:
        print(
            f"error: {args.output} holds {counts} image/mask pairs, expected {WBC_EXPECTED_PAIRS}; "
            f"delete {archive} and rerun.",
            file=sys.stderr,
        )
        return 1
    if args.remove_archive:
        archive.unlink()
    print(f"WBC ready in {args.output}: {counts} image/mask pairs.")
    print(f"Load it with: sshn_keras.data.load_wbc({str(args.output)!r}, split='train')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
