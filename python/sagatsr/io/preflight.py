"""Checks of ``--out`` before any work starts, so hours of computing never end in "cannot write".

A folder output must not be an existing file and must accept a new file (probed by creating and
removing one, which also catches read-only mounts and missing permissions that ``os.access``
misreports). A file output must not be a folder, and its folder must pass the same probe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sagatsr.errors import OutputError
from sagatsr.io.atomic import describe_os_error

__all__ = ["prepare_output_dir", "prepare_output_file"]


def _probe(folder: Path, what: Path) -> None:
    try:
        fd, name = tempfile.mkstemp(prefix=".sagatsr-probe.", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise OutputError(f"cannot write into {folder} (for {what}): {describe_os_error(exc)}",
                          path=folder) from None


def prepare_output_dir(path: str | Path) -> Path:
    """Create the output folder ``path`` (and parents) and check that files can be written in it."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} exists and is not a folder; give --out a folder path", path=path)
    for parent in path.parents:  # a file in the middle of the path
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"cannot create {path}: {parent} is a file", path=path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {path}: {describe_os_error(exc)}", path=path) from None
    _probe(path, path)
    return path


def prepare_output_file(path: str | Path, suffixes: tuple[str, ...] = ()) -> Path:
    """Check that the output file ``path`` can be written (its folder is created); optionally
    that it ends with one of ``suffixes``."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder; --out needs a file name"
                          + (f" ending in {' or '.join(suffixes)}" if suffixes else ""), path=path)
    if suffixes and not path.name.endswith(suffixes):
        raise OutputError(f"{path}: --out should end in {' or '.join(suffixes)}", path=path)
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"cannot write {path}: {parent} is a file", path=path)
    prepare_output_dir(path.parent if str(path.parent) else Path("."))
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"cannot overwrite {path}: permission denied", path=path)
    return path
