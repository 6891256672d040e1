"""One writer per output folder: ``<folder>/.sagatsr.lock``.

The lock is an OS advisory lock (``fcntl.flock``) on the lock file, which the kernel releases
when the holder dies, however it dies (SIGKILL, crash, power loss of a local disk) — so a lock
left behind by a dead process is simply taken over. The file also holds the holder's PID, host,
command and start time, so a second writer is told exactly who holds the folder. The lock is
re-entrant within one process (``sagatsr run`` locks its folder, ``fit`` then locks ``model/``
and would lock the run folder again if asked).

Without ``fcntl`` (Windows) the file is created exclusively and a lock whose PID no longer
runs on this host is taken over.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
import time
from pathlib import Path

from sagatsr.errors import LockedError, OutputError
from sagatsr.io.atomic import describe_os_error

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["OutputLock", "LOCK_FILE", "read_holder"]

LOCK_FILE = ".sagatsr.lock"

#: folder (resolved) -> [file descriptor, depth] of the locks this process holds
_HELD: dict[Path, list] = {}


def _command() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return shlex.join([name, *sys.argv[1:]])


def read_holder(folder: str | Path) -> dict | None:
    """The holder recorded in ``folder``'s lock file (None when there is none or it is unreadable)."""
    try:
        data = json.loads((Path(folder) / LOCK_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, TypeError):
        return True
    return True


def _describe(holder: dict | None) -> str:
    if not holder:
        return "another process"
    host = "" if holder.get("host") == socket.gethostname() else f" on {holder.get('host')}"
    return (f"PID {holder.get('pid')}{host} ({holder.get('command', '?')}, since {holder.get('started', '?')})")


class OutputLock:
    """``with OutputLock(folder): ...`` — hold ``folder`` for writing; :class:`LockedError` if
    another live process holds it. Creates the folder."""

    def __init__(self, folder: str | Path, command: str | None = None) -> None:
        self.folder = Path(folder)
        self.command = command or _command()
        self._key: Path | None = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            key = self.folder.resolve()
        except OSError as exc:
            raise OutputError(f"cannot create output folder {self.folder}: {describe_os_error(exc)}",
                              path=self.folder) from None
        if key in _HELD:
            _HELD[key][1] += 1
        else:
            fd = self._lock_flock() if fcntl is not None else self._lock_exclusive()
            _HELD[key] = [fd, 1]
        self._key = key

    def release(self) -> None:
        if self._key is None or self._key not in _HELD:
            return
        entry = _HELD[self._key]
        entry[1] -= 1
        if entry[1] == 0:
            del _HELD[self._key]
            path = self.folder / LOCK_FILE
            try:
                path.unlink()  # while still locked: a waiting process re-checks the inode
            except OSError:
                pass
            if entry[0] is not None:
                os.close(entry[0])
        self._key = None

    # ---- implementations ---------------------------------------------------------------------
    def _payload(self) -> bytes:
        return json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
                           "started": time.strftime("%Y-%m-%dT%H:%M:%S")}).encode()

    def _refuse(self, holder) -> None:
        raise LockedError(f"{self.folder} is in use by {_describe(holder)}; wait for it to finish, "
                          f"or use another --out", path=self.folder)

    def _lock_flock(self) -> int:
        path = self.folder / LOCK_FILE
        for _ in range(20):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(f"cannot create {path}: {describe_os_error(exc)}", path=path) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                self._refuse(read_holder(self.folder))
            # the holder may have unlinked the file between our open and our lock: retry on a fresh one
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, self._payload())
                os.fsync(fd)
                return fd
            os.close(fd)
        raise OutputError(f"could not lock {path} (it keeps being replaced)", path=path)

    def _lock_exclusive(self):  # pragma: no cover - platforms without fcntl
        path = self.folder / LOCK_FILE
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = read_holder(self.folder)
                if holder and holder.get("host") == socket.gethostname() and not _pid_alive(holder.get("pid")):
                    path.unlink(missing_ok=True)  # left behind by a dead process: take it over
                    continue
                self._refuse(holder)
            os.write(fd, self._payload())
            os.close(fd)
            return None
        self._refuse(read_holder(self.folder))
