"""Atomic file writes: write a temporary file beside the target, then `os.replace`.

A process killed at any moment (SIGKILL, out of memory, a preempted node)
leaves either the old file or the new one at the target path, never a
half-written one. The temporary file is flushed to disk (`fsync`) before the
rename, and the folder after it, so a power loss keeps the same guarantee on
file systems that honour `fsync`.

Temporary files are named `<name>.tmp-<pid>-<random><suffix>` in the target's
folder (a rename is only atomic within one file system);
`remove_stale_temporaries` deletes the ones a killed process left behind.
"""

import contextlib
import json
import os
import shutil
import uuid

TMP_MARK = ".tmp-"


def temporary_path(path, suffix: str = "") -> str:
    """A fresh temporary path in `path`'s folder, ending with `suffix`.

    Keras chooses the format from the file name, so a `.keras` or
    `.weights.h5` target needs its temporary to end the same way.
    """
    path = os.fspath(path)
    folder, name = os.path.split(path)
    if suffix and name.endswith(suffix):
        name = name[: -len(suffix)]
    return os.path.join(folder, f"{name}{TMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}")


def _fsync_file(path: str) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_folder(folder: str) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path, write, suffix: str = "") -> str:
    """Call `write(temporary_path)`, then move the result onto `path` atomically.

    Args:
        path: the final file.
        write: a function that writes a complete file at the path it is given.
        suffix: ending the temporary path must keep (e.g. `".keras"`).

    Returns:
        `path` as a string.

    Raises:
        Whatever `write` raises; the temporary file is removed and `path`
        is left as it was.
    """
    path = os.fspath(path)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = temporary_path(path, suffix)
    try:
        write(tmp)
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_folder(folder)
    return path


def atomic_write_text(path, text: str) -> str:
    """Write `text` at `path` atomically."""

    def write(tmp):
        with open(tmp, "w") as f:
            f.write(text)

    return atomic_write(path, write)


def atomic_write_json(path, obj) -> str:
    """Write `obj` as JSON at `path` atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=1))


def atomic_save_model(model, path) -> str:
    """`model.save(path)` for a `.keras` file, atomically."""
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"A Keras model file must end with '.keras'. Received path={path!r}")
    return atomic_write(path, model.save, suffix=".keras")


def atomic_save_weights(model, path) -> str:
    """`model.save_weights(path)` for a `.weights.h5` file (optimizer state included), atomically."""
    path = os.fspath(path)
    if not path.endswith(".weights.h5"):
        raise ValueError(f"A weights file must end with '.weights.h5'. Received path={path!r}")
    return atomic_write(path, model.save_weights, suffix=".weights.h5")


def remove_stale_temporaries(folder, prefix: str = "") -> list:
    """Delete temporary files left in `folder` by killed writers; returns their paths.

    Only files named by `temporary_path` (and starting with `prefix`) whose
    process is gone are removed.
    """
    folder = os.fspath(folder)
    removed = []
    if not os.path.isdir(folder):
        return removed
    for name in os.listdir(folder):
        if TMP_MARK not in name or not name.startswith(prefix):
            continue
        pid = name.split(TMP_MARK, 1)[1].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with contextlib.suppress(OSError):
                os.remove(path)
                removed.append(path)
        elif os.path.isdir(path):  # a folder being written (a SavedModel export)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def atomic_write_folder(path, write) -> str:
    """Call `write(temporary_folder)`, then rename the folder to `path` atomically.

    `path` must not exist, or be an empty folder. A process killed at any
    moment, or a failed write (a full disk), leaves no partial folder at
    `path`: a retry starts clean.

    Raises:
        OSError: naming `path`, if the folder cannot be written or renamed
            (the temporary folder is removed); errors of `write` other than
            I/O errors pass through unchanged.
    """
    path = os.fspath(path).rstrip(os.sep) or os.sep
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    remove_stale_temporaries(parent or ".", os.path.basename(path) + TMP_MARK)
    tmp = temporary_path(path)
    try:
        write(tmp)
        if os.path.isdir(path) and not os.listdir(path):
            os.rmdir(path)
        os.rename(tmp, path)
    except BaseException as error:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(error, OSError) and path not in str(error):
            raise OSError(error.errno, f"Cannot write {path}: {error.strerror or error}", path) from error
        raise
    _fsync_folder(parent)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
