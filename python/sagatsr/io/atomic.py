"""Atomic file replacement: readers (and a crash) see the old file or the complete new one.

The new content goes to a hidden temp file in the destination's folder (so the final
``os.replace`` is a rename within one filesystem, which POSIX makes atomic), is flushed to disk
with ``fsync``, renamed over the destination, and the folder entry is fsynced too, so a power cut
cannot leave a renamed-but-empty file. A failure removes the temp file and leaves the old file as
it was; an ``OSError`` (disk full, read-only, permission) becomes one
:class:`~sagatsr.errors.OutputError` naming the destination.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from sagatsr.errors import OutputError

__all__ = ["atomic_target", "write_bytes", "write_text", "write_json", "fsync_path", "describe_os_error"]


def describe_os_error(exc: OSError) -> str:
    """``strerror`` (e.g. "No space left on device") without the path Python appends."""
    return exc.strerror or type(exc).__name__


def fsync_path(path: str | Path, *, directory: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk; folders cannot be fsynced on some systems."""
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if directory:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def _final_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def atomic_target(path: str | Path):
    """Yield a temp path to write ``path``'s new content to (by any library: ``to_netcdf``,
    ``to_csv``, ``torch.save``, ``savefig`` ...); on success it replaces ``path`` atomically.

    The temp name keeps the destination's suffix, because some writers choose the format from it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {describe_os_error(exc)}", path=path) from None
    tmp = Path(tmp)
    try:
        os.chmod(tmp, _final_mode(path))  # mkstemp makes 0600; keep what a plain open() would give
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, path)
        fsync_path(path.parent, directory=True)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {describe_os_error(exc)}", path=path) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically."""
    with atomic_target(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Replace ``path`` with ``text`` (UTF-8) atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, payload, **dumps_kwargs) -> Path:
    """Replace ``path`` with ``payload`` as indented JSON atomically."""
    dumps_kwargs.setdefault("indent", 2)
    return write_text(path, json.dumps(payload, **dumps_kwargs))
