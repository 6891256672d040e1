"""Structures without labels, for ``predict`` and ``screen`` on new candidates.

:func:`load_structures` reads

* a folder of structure files with no ``id_prop.csv`` (CIF, POSCAR/CONTCAR/``.vasp``, pymatgen
  ``.json``, ``.extxyz``/``.xyz`` through ASE; other files are ignored),
* a single structure file, or a glob pattern (``"cands/*.cif"``),
* a CSV with a ``file`` column, or a matminer "split" JSON, without the target column,
* and every labelled source :func:`~sagatsr.data.load_dataset` reads.

:func:`load_for_model` uses a trained model's own target: when the source has that column (or is a
CGCNN folder, whose values are taken to be that target) the labels are loaded too, in the
model's unit; otherwise the structures alone. Ids are file stems (file names in a glob/folder).
"""

from __future__ import annotations

import glob as globbing
import os
from pathlib import Path

from sagatsr.errors import InputError

__all__ = ["STRUCTURE_SUFFIXES", "is_structure_file", "find_structure_files", "load_structures", "load_for_model"]

STRUCTURE_SUFFIXES = (".cif", ".mcif", ".vasp", ".poscar", ".json", ".extxyz", ".xyz")


def is_structure_file(path: Path) -> bool:
    """True for the file names sagatsr reads as one structure."""
    name = Path(path).name.lower()
    if name.endswith(".json.gz"):
        return False
    return name.startswith(("poscar", "contcar")) or name.endswith(STRUCTURE_SUFFIXES)


def _is_glob(source: str) -> bool:
    return any(ch in source for ch in "*?[")


def find_structure_files(source) -> list[Path]:
    """Structure files of a bare folder, a glob pattern or a single file (sorted; none is an error)."""
    text = str(source)
    if _is_glob(text):
        files = sorted(Path(p) for p in globbing.glob(text) if Path(p).is_file())
    elif Path(text).is_dir():
        files = sorted(p for p in Path(text).iterdir() if p.is_file() and is_structure_file(p))
    elif Path(text).is_file():
        files = [Path(text)]
    else:
        raise InputError("no such file, folder or matching files", source=text)
    files = [f for f in files if is_structure_file(f)]
    if not files:
        raise InputError(f"no structure files (suffixes {', '.join(STRUCTURE_SUFFIXES)}, POSCAR*, CONTCAR*)",
                         source=text)
    return files


def _load_paths(source, paths: list[Path], limit, on_error, workers, reader_source=None, lines=None,
                confine_to=None, allow_outside=False):
    """Parse ``paths`` (one structure each) with the labelled loaders' parser and bad-row policy;
    ids are the file stems (the file names when stems repeat). ``lines``: the line of
    ``reader_source`` each path comes from (else rows are numbered as entries); ``confine_to``: the
    folder the paths must stay in unless ``allow_outside``."""
    from sagatsr.data.checks import confined
    from sagatsr.data.loaders import _add_parsed, _read_text, _RowReader

    paths = paths[:limit]
    stems = [p.stem if p.suffix else p.name for p in paths]
    ids = stems if len(set(stems)) == len(stems) else [p.name for p in paths]
    numbers = list(lines)[:limit] if lines is not None else range(1, len(paths) + 1)
    rows = [(number, mid, str(p), None) for number, mid, p in zip(numbers, ids, paths)]
    if confine_to is not None:
        texts = [_read_text(lambda f: confined(confine_to, os.path.relpath(f, confine_to), allow_outside).read_text(),
                            str(p)) for p in paths]  # paths start with the folder: confine their names
    else:
        texts = [_read_text(lambda f: Path(f).read_text(), str(p)) for p in paths]
    reader = _RowReader(reader_source or source, on_error, numbering="entry" if lines is None else "line")
    _add_parsed(reader, rows, texts, workers)
    return reader.result(None, None)


def load_structures(source, *, limit=None, on_error="raise", workers=None, allow_outside=False):
    """Structures (and ids) of ``source`` without requiring a target; ``.targets`` is None unless the
    source is labelled only (the demo). Paths listed in a table stay inside its folder unless
    ``allow_outside``."""
    from sagatsr.data.loaders import _load_csv, _load_split_json, load_dataset

    text = str(source)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InputError(f"limit must be a positive integer, got {limit!r}")
    if text == "demo":
        return load_dataset("demo", limit=limit, on_error=on_error)
    path = Path(text)
    if path.is_dir() and (path / "id_prop.csv").exists():  # its files, in its order; values unused
        numbered = [(k, line.split(",")[0].strip()) for k, line in
                    enumerate((path / "id_prop.csv").read_text().splitlines(), start=1) if line.strip()]
        paths = [path / n if (path / n).exists() or not (path / f"{n}.cif").exists() else path / f"{n}.cif"
                 for _, n in numbered]
        return _load_paths(path, paths, limit, on_error, workers, reader_source=path / "id_prop.csv",
                           lines=[k for k, _ in numbered], confine_to=path, allow_outside=allow_outside)
    if path.is_file() and path.suffix == ".csv":
        return _load_csv(path, None, limit, on_error, workers, labeled=False, allow_outside=allow_outside)
    if path.is_file() and (path.name.endswith(".json.gz") or (path.suffix == ".json" and _is_split_json(path))):
        return _load_split_json(path, None, limit, on_error, labeled=False)
    return _load_paths(text, find_structure_files(text), limit, on_error, workers)


def _is_split_json(path: Path) -> bool:
    head = path.read_text(errors="ignore")[:4096]
    return '"columns"' in head and '"data"' in head


def _has_column(source, column) -> bool:
    import pandas as pd

    path = Path(str(source))
    if str(source) == "demo":
        return column == "bulk_modulus"
    if path.is_dir():
        return (path / "id_prop.csv").exists()
    if path.is_file() and path.suffix == ".csv":
        return column in pd.read_csv(path, nrows=0).columns
    if path.is_file() and path.name.endswith((".json", ".json.gz")) and \
            (path.name.endswith(".gz") or _is_split_json(path)):
        from sagatsr.data.loaders import read_split_json

        return column in read_split_json(path).columns
    return False


def load_for_model(source, target: str | None, unit: str | None, *, limit=None, on_error="raise", workers=None,
                   allow_outside=False):
    """Structures of ``source`` for a model trained on ``target`` (in ``unit``): with that target's
    values when the source has them (a CGCNN folder's values are taken to be that target), else
    without labels."""
    from sagatsr.data.loaders import load_dataset

    if target is not None and _has_column(source, target):
        return load_dataset(source, target, limit=limit, on_error=on_error, target_unit=unit, workers=workers,
                            allow_outside=allow_outside)
    return load_structures(source, limit=limit, on_error=on_error, workers=workers, allow_outside=allow_outside)
