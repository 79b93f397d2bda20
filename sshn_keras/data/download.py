"""Download, verify and safely extract dataset archives (used by `data_scripts/`).

* `download`: streams a URL to `<file>.part` with a tqdm bar, resumes a
  partial file with an HTTP `Range` request (or a seek, for `file://`
  URLs), checks the MD5 when one is given, and only then renames the file
  into place. Network failures raise `DownloadError` with what to do
  offline; a wrong checksum raises `ChecksumError`.
* `safe_extract`: extracts a tar (any compression) or zip archive after
  checking every member: absolute paths, `..` components, paths that
  resolve outside the target, symbolic and hard links, devices and FIFOs
  are refused with `UnsafeArchiveError` before anything is written. Only
  regular files and folders are created (no permissions or owners copied).
"""

import hashlib
import logging
import shutil
import socket
import stat
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

logger = logging.getLogger("sshn_keras.data")

CHUNK_SIZE = 1 << 20


class DownloadError(OSError):
    """The file could not be fetched (offline, host unreachable, HTTP error, interrupted)."""


class ChecksumError(ValueError):
    """A file's MD5 differs from the published one."""


class UnsafeArchiveError(ValueError):
    """An archive member would escape the target folder, or is a link or special file."""


def md5sum(path, chunk_size: int = CHUNK_SIZE) -> str:
    """Hex MD5 digest of a file, read in chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_md5(path, expected: str) -> None:
    """Raise `ChecksumError` (naming the file, expected and received digests) on a mismatch."""
    received = md5sum(path)
    if received.lower() != expected.strip().lower():
        raise ChecksumError(f"MD5 mismatch for {path}: expected {expected.strip().lower()}, received {received}.")


def _offline_message(url: str, destination: Path, reason) -> str:
    host = urllib.parse.urlparse(url).netloc or url
    return (
        f"Cannot download {url}: {reason}. This machine seems to be offline, or {host} is blocked. "
        f"Download the file on a machine with internet access and copy it to {destination} "
        "(it is then verified and used without any network access), or rerun this when online: "
        "a partial download resumes where it stopped."
    )


def _open(url: str, offset: int, timeout: float):
    """Open `url` from byte `offset`; returns `(stream, start, total or None)`.

    `start` is where the returned stream begins (0 if the server ignored the
    range, `offset` otherwise); `total` is the full size when known.
    """
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        path = Path(urllib.request.url2pathname(parsed.path))
        size = path.stat().st_size
        stream = open(path, "rb")
        start = min(offset, size)
        stream.seek(start)
        return stream, start, size
    request = urllib.request.Request(url, headers={"User-Agent": "sshn-keras-downloader"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    response = urllib.request.urlopen(request, timeout=timeout)
    length = response.headers.get("Content-Length")
    length = int(length) if length is not None and length.isdigit() else None
    if offset and getattr(response, "status", None) == 206:
        content_range = response.headers.get("Content-Range", "")
        total = content_range.rsplit("/", 1)[-1]
        start = int(content_range.split()[-1].split("-")[0]) if content_range.startswith("bytes") else offset
        return response, start, int(total) if total.isdigit() else (offset + length if length is not None else None)
    return response, 0, length


def download(
    url: str,
    destination,
    md5: str | None = None,
    resume: bool = True,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Fetch `url` to `destination`, resuming and verifying.

    A file already at `destination` is verified (if `md5` is given) and
    kept without touching the network; a wrong checksum there is an error
    (delete the file to fetch it again).

    Args:
        url: `http(s)://` or `file://` URL.
        destination: final path of the file (parents are created).
        md5: expected hex MD5, or None to skip verification.
        resume: continue from `<destination>.part` if present.
        progress: show a tqdm bar.
        timeout: seconds to wait on the network.

    Returns:
        `destination` as a `Path`.

    Raises:
        DownloadError: offline, host unreachable, HTTP error or interrupted
            transfer (the message says what to do).
        ChecksumError: the MD5 differs (the partial file is deleted).

    Example:
    >>> download("https://example.org/data.tar", "data/data.tar", md5="...")   # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    destination = Path(destination)
    if destination.is_file():
        if md5:
            verify_md5(destination, md5)
        logger.info("%s already present%s", destination, " (MD5 verified)" if md5 else "")
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(destination.name + ".part")
    offset = part.stat().st_size if resume and part.is_file() else 0
    try:
        stream, start, total = _open(url, offset, timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:  # the partial file is already complete
            stream, start, total = None, offset, offset
        else:
            raise DownloadError(f"Cannot download {url}: HTTP {error.code} {error.reason}.") from error
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DownloadError(_offline_message(url, destination, reason)) from error
    if stream is not None:
        if start != offset:
            logger.info("%s: the server does not resume; starting again from byte %d", url, start)
        written = start
        try:
            with stream, open(part, "r+b" if part.exists() else "wb") as out, tqdm(
                total=total, initial=start, unit="B", unit_scale=True, desc=destination.name, disable=not progress
            ) as bar:
                out.seek(start)
                out.truncate()
                for chunk in iter(lambda: stream.read(CHUNK_SIZE), b""):
                    out.write(chunk)
                    written += len(chunk)
                    bar.update(len(chunk))
        except (OSError, socket.timeout) as error:
            raise DownloadError(
                f"Download of {url} interrupted after {written} bytes ({error}); rerun to resume from {part}."
            ) from error
        if total is not None and written != total:
            raise DownloadError(
                f"Download of {url} stopped at {written} of {total} bytes; rerun to resume from {part}."
            )
    if md5:
        try:
            verify_md5(part, md5)
        except ChecksumError as error:
            part.unlink()
            raise ChecksumError(f"{error} The partial file was deleted; rerun to download it again.") from None
    part.replace(destination)
    return destination


@dataclass(frozen=True)
class Member:
    """One archive entry, as `safe_extract` sees it."""

    name: str
    kind: str  # "file", "dir", "symlink", "hardlink" or "special"
    link: str = ""


def _tar_members(archive: tarfile.TarFile) -> list:
    members = []
    for info in archive.getmembers():
        if info.issym():
            kind = "symlink"
        elif info.islnk():
            kind = "hardlink"
        elif info.isdir():
            kind = "dir"
        elif info.isfile():
            kind = "file"
        else:
            kind = "special"
        members.append((Member(info.name, kind, info.linkname), info))
    return members


def _zip_members(archive: zipfile.ZipFile) -> list:
    members = []
    for info in archive.infolist():
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            kind = "symlink"
        elif info.is_dir():
            kind = "dir"
        elif stat.S_IFMT(mode) and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            kind = "special"
        else:
            kind = "file"
        members.append((Member(info.filename, kind), info))
    return members


def member_target(member: Member, target: Path, strip_components: int = 0, archive="archive") -> Path | None:
    """Where `member` would be written under `target` (None: stripped away).

    Raises:
        UnsafeArchiveError: for links, special files, absolute paths, `..`
            components, or a path resolving outside `target`.
    """
    name = member.name
    if member.kind in ("symlink", "hardlink"):
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} is a {'symbolic' if member.kind == 'symlink' else 'hard'} link "
            f"(-> {member.link!r}); links are refused."
        )
    if member.kind == "special":
        raise UnsafeArchiveError(f"{archive}: member {name!r} is a device, FIFO or other special file; refused.")
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        raise UnsafeArchiveError(f"{archive}: member {name!r} has an absolute path; refused.")
    parts = [p for p in PurePosixPath(normalized).parts if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(f"{archive}: member {name!r} contains '..' and could escape {target}; refused.")
    parts = parts[strip_components:]
    if not parts:
        return None
    path = target.joinpath(*parts)
    root = target.resolve()
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise UnsafeArchiveError(f"{archive}: member {name!r} resolves to {resolved}, outside {root}; refused.")
    return path


def check_layout(plan, archive) -> None:
    """Refuse an archive whose members cannot all be extracted: a file that is also a folder.

    E.g. a file `a` and a file `a/b` (or a folder `a`): the second would
    need `a` to be a folder.

    Raises:
        UnsafeArchiveError: naming both members.
    """
    files = {path: member for path, member, _ in plan if path is not None and member.kind != "dir"}
    for path, member, _ in plan:
        if path is None:
            continue
        for parent in [path, *path.parents] if member.kind == "dir" else path.parents:
            clash = files.get(parent)
            if clash is not None:
                raise UnsafeArchiveError(
                    f"Archive {archive}: member {member.name!r} needs {clash.name!r} to be a folder, but the archive "
                    f"also holds {clash.name!r} as a file; nothing was extracted."
                )


def safe_extract(archive, target, strip_components: int = 0, progress: bool = True) -> list:
    """Extract a tar or zip archive into `target`, refusing anything unsafe.

    Every member is checked before the first file is written (see
    `member_target`).

    Args:
        archive: the `.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz` or `.zip` file.
        target: the folder to extract into (created if needed).
        strip_components: leading path components to drop (like
            `tar --strip-components`), e.g. 1 for GitHub's `repo-<sha>/` folder.
        progress: show a tqdm bar.

    Returns:
        The paths of the extracted files.

    Raises:
        UnsafeArchiveError: for a member with an absolute path, `..`, a
            link, or a special file, or a file that another member needs
            to be a folder (nothing is extracted).
        ValueError: if the archive is not a readable tar or zip (truncated,
            corrupted), naming it.
        FileNotFoundError: if the archive is missing.
        OSError: naming the file, if a file cannot be written (full disk,
            permissions).

    Example:
    >>> safe_extract("data/neurite-oasis.2d.v1.0.tar", "data/oasis")   # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    archive, target = Path(archive), Path(target)
    if not archive.is_file():
        raise FileNotFoundError(f"Missing archive {archive}")
    target.mkdir(parents=True, exist_ok=True)
    try:
        if zipfile.is_zipfile(archive):
            opened, kind = zipfile.ZipFile(archive), "zip"
            members = _zip_members(opened)
        else:
            opened, kind = tarfile.open(archive, "r:*"), "tar"
            members = _tar_members(opened)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
        raise ValueError(f"Cannot read archive {archive} (not a tar or zip file, or truncated): {error}") from error
    extracted = []
    with opened:
        plan = [(member_target(m, target, strip_components, archive), m, info) for m, info in members]
        check_layout(plan, archive)
        for path, member, info in tqdm(plan, desc=f"Extracting {archive.name}", unit="file", disable=not progress):
            if path is None:
                continue
            try:
                if member.kind == "dir":
                    path.mkdir(parents=True, exist_ok=True)
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                out = open(path, "wb")
            except OSError as error:
                raise OSError(error.errno, f"Cannot write {path} while extracting {archive}: {error.strerror}",
                              str(path)) from error
            try:
                source = opened.open(info) if kind == "zip" else opened.extractfile(info)
                with source, out:
                    shutil.copyfileobj(source, out, CHUNK_SIZE)
            except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error) as error:
                raise ValueError(f"Archive {archive} is truncated or corrupted ({error}); download it again.") from error
            except OSError as error:
                if error.errno is None:  # raised by the decompressor: the archive is damaged
                    raise ValueError(f"Archive {archive} is truncated or corrupted ({error}); download it again.") from error
                raise OSError(error.errno, f"Cannot write {path} while extracting {archive}: {error.strerror}",
                              str(path)) from error
            extracted.append(path)
    logger.info("Extracted %d files from %s into %s", len(extracted), archive, target)
    return extracted
