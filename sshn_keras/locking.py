"""One writer per output folder: a lock file naming its owner (pid, host, start time).

`fit_resumable`, the experiment runner and `sshn-keras train` hold the lock
of the folder they write for as long as they write it. A second run on the
same folder is refused at once with a `FolderInUseError` naming the owner,
instead of the two deleting each other's checkpoints.

The lock is the operating system's (`fcntl.flock` on the lock file), so a
run that is killed, even with SIGKILL, releases it: the next run takes the
folder over, logging the owner the file still names. Where `fcntl` does not
exist (Windows), the lock file is created exclusively and a lock whose owner
process is gone (same host) is taken over, with the same message.

Example:
>>> with FolderLock("runs/exp1"):          # doctest: +SKIP
...     train_and_write_files()
"""

import contextlib
import json
import logging
import os
import socket
import time

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

logger = logging.getLogger("sshn_keras.training")

LOCK_FILE = ".sshn_keras.lock"


class FolderInUseError(RuntimeError):
    """Another live process is writing the folder."""


def _owner() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}


def _read(path: str) -> dict:
    try:
        with open(path) as f:
            owner = json.load(f)
        return owner if isinstance(owner, dict) else {}
    except (OSError, ValueError):
        return {}


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, TypeError):
        return True
    return True


def _describe(owner: dict) -> str:
    return f"pid {owner.get('pid', '?')} on host {owner.get('host', '?')}, since {owner.get('started', '?')}"


class FolderLock:
    """Exclusive writer's lock of `folder` (a context manager).

    Args:
        folder: the folder to lock (created if missing).
        purpose: what the holder does, for the error message.

    Raises:
        FolderInUseError: on `acquire`, if another live process holds the
            lock; the message names its pid, host and start time.
    """

    def __init__(self, folder, purpose: str = "writing"):
        self.folder = os.fspath(folder)
        self.path = os.path.join(self.folder, LOCK_FILE)
        self.purpose = purpose
        self._fd = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def _refuse(self, owner: dict):
        raise FolderInUseError(
            f"{self.folder!r} is in use: another run ({_describe(owner)}) is {self.purpose} it (lock file "
            f"{self.path}). Wait for it to finish, or use another folder."
        )

    def _take_over(self, owner: dict) -> None:
        if owner:
            logger.warning(
                "Taking over %s: its lock names %s, which is no longer running (a killed run).", self.folder,
                _describe(owner),
            )

    def acquire(self) -> None:
        if self._fd is not None:
            raise FolderInUseError(f"{self.folder!r} is already locked by this FolderLock.")
        os.makedirs(self.folder, exist_ok=True)
        if fcntl is None:
            self._acquire_exclusive()
            return
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                self._refuse(_read(self.path))
            try:  # the file may have been released (deleted) between open and flock: lock the current one
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self._take_over(_read(self.path))
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(_owner()).encode())
        os.fsync(fd)
        self._fd = fd

    def _acquire_exclusive(self) -> None:
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                owner = _read(self.path)
                if owner.get("host") == socket.gethostname() and not _alive(owner.get("pid")):
                    self._take_over(owner)
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(self.path)
                    continue
                self._refuse(owner)
            os.write(fd, json.dumps(_owner()).encode())
            self._fd = fd
            return
        self._refuse(_read(self.path))

    def release(self) -> None:
        """Delete the lock file, unlock, and remove the folder if nothing else is in it."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)
        if fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)  # only if empty (e.g. a run that failed before writing anything)
