"""Dataset loaders: structures + one target column, with a clear error (or a skip report) per bad row.

Sources understood by :func:`load_dataset`:

* ``"demo"`` — ASE's ``dcdft`` collection (71 elemental crystals, WIEN2k PBE bulk modulus, GPa),
  shipped inside the ``ase`` wheel.
* a folder with ``id_prop.csv`` (CGCNN/ALIGNN convention: ``file,target`` with no header; the file
  name may omit ``.cif``) and one structure file (CIF, POSCAR, …) per row;
* a CSV with a ``file`` column and target columns; files are read from beside the CSV or, when a
  ``.tgz``/``.tar.gz`` lies beside it, from inside that tarball (opened once);
* a matminer/pandas "split" JSON (``.json`` or ``.json.gz``) with a ``structure`` column of pymatgen dicts.

The target's unit is given (``target_unit=``) or documented by the source, never guessed
(:mod:`sagatsr.data.targets`). Structures without labels (a bare folder, a file, a glob, a table
without the target column) are read by :func:`sagatsr.data.structures.load_structures`.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.data.feature_csv import ID_COLUMNS
from sagatsr.data.targets import (DOCUMENTED_UNITS, check_folder_target, check_numeric_target, missing_target,
                                  resolve_target_unit)
from sagatsr.errors import InputError

log = logging.getLogger("sagatsr.data")

__all__ = ["LoadedDataset", "SkippedRow", "load_dataset", "KNOWN_TARGET_UNITS"]

#: dataset -> (column -> unit, where documented): the only defaults (see sagatsr.data.targets)
KNOWN_TARGET_UNITS = DOCUMENTED_UNITS


@dataclass
class SkippedRow:
    """One row left out under ``on_error="skip"``: where, id, file and why.

    ``row`` is the row's line number in the source file for CSV sources (1-based, header line
    counted: what an editor shows) and the 1-based entry number for the demo and JSON sources."""

    row: int
    id: str
    file: str
    reason: str


@dataclass
class LoadedDataset:
    """Structures with ids and targets; unpacks as ``structures, targets, ids``."""

    structures: list
    targets: np.ndarray | None
    ids: list[str]
    files: list[str]
    target_name: str | None
    target_unit: str | None
    skipped: list[SkippedRow] = field(default_factory=list)
    #: source line (CSV) or 1-based entry number of each loaded structure (see :class:`SkippedRow`)
    rows: list[int] = field(default_factory=list)
    #: the file the rows come from, and whether ``rows`` are its lines ("line") or entries ("entry")
    source: str = ""
    numbering: str = "row"

    def __iter__(self):
        return iter((self.structures, self.targets, self.ids))

    def __len__(self) -> int:
        return len(self.ids)


def _parse_structure(text: str, name: str):
    """A pymatgen Structure from file text; the format comes from the file name (CIF default).
    A file the format's reader cannot read raises ``ValueError("not a readable POSCAR file: ...")``:
    the reader's own words ("list index out of range") do not say what was being read."""
    lower = name.lower()
    if lower.endswith(".json"):
        label = "pymatgen JSON"
    elif lower.endswith((".extxyz", ".xyz")):
        label = "extended XYZ"
    else:
        label = "POSCAR" if ("poscar" in lower or "contcar" in lower or lower.endswith(".vasp")) else "CIF"
    if not text.strip():
        raise ValueError("empty file")
    try:
        return _read_structure(text, label)
    except Exception as exc:
        words = str(exc).strip().splitlines()
        raise ValueError(f"not a readable {label} file: {words[0] if words else type(exc).__name__}") from None


def _read_structure(text: str, label: str):
    import warnings

    from pymatgen.core import Structure

    if label == "pymatgen JSON":
        return Structure.from_dict(json.loads(text))
    if label == "extended XYZ":
        import io

        from ase.io import read
        from pymatgen.io.ase import AseAtomsAdaptor

        frames = read(io.StringIO(text), format="extxyz", index=":")
        if len(frames) != 1:  # one file is one material: the last frame alone would pass silently
            raise ValueError(f"it holds {len(frames)} structures, and a file must hold one (write one file per "
                             "frame, e.g. with ase.io.write)")
        return AseAtomsAdaptor.get_structure(frames[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        structure = Structure.from_str(text, fmt=label.lower())
    if any(str(w.message).startswith("Elements in POSCAR cannot be determined") for w in caught):
        # pymatgen then names the species H, He, Li, ...: a structure of the wrong elements
        raise ValueError("it has no line of element symbols above the atom counts (VASP 4 format); add one")
    return structure


def _validate(structure) -> None:
    from sagatsr.data.checks import check_structure

    check_structure(structure)


class _RowReader:
    """Turns rows into (structure, target) while collecting or raising errors per row."""

    def __init__(self, source, on_error: str, numbering: str = "row"):
        """``numbering``: what the ``row`` given to :meth:`add` is — ``"line"`` (a line of the
        source file), ``"entry"`` (a 1-based entry number) or ``"row"`` (0-based)."""
        if on_error not in ("raise", "skip"):
            raise ValueError("on_error must be 'raise' or 'skip'")
        self.source, self.on_error, self.numbering = source, on_error, numbering
        self.structures, self.targets, self.ids, self.files, self.skipped = [], [], [], [], []
        self.rows: list[int] = []
        self._seen: set[str] = set()

    def add(self, row: int, mid: str, file: str, target, make_structure) -> None:
        try:
            if mid in self._seen:
                raise ValueError(f"duplicate id {mid!r}")
            if target is not None and not math.isfinite(float(target)):
                raise ValueError("target is missing or not a finite number")
            structure = make_structure()
            _validate(structure)
        except Exception as exc:  # each bad row becomes one message naming file and row
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if self.on_error == "raise":
                where = {"line": row} if self.numbering == "line" else {"row": row}
                if self.numbering == "entry":
                    where = {"item": f"entry {row}" + (f" ({file or mid})" if file or mid else "")}
                raise InputError(f"{reason} (use --skip-bad, or on_error='skip', to skip bad rows and list "
                                 "them in skipped.csv)", source=self.source,
                                 **({"item": file or mid} | where)) from None
            self.skipped.append(SkippedRow(row, mid, file, reason))
            return
        self._seen.add(mid)
        self.structures.append(structure)
        self.targets.append(None if target is None else float(target))
        self.ids.append(mid)
        self.files.append(file)
        self.rows.append(row)

    def result(self, target_name, target_unit) -> LoadedDataset:
        if self.skipped:
            log.warning("%s: skipped %d bad rows", self.source, len(self.skipped))
        if not self.ids:
            raise InputError("no usable rows", source=self.source)
        targets = None if any(t is None for t in self.targets) else np.array(self.targets, dtype=float)
        return LoadedDataset(self.structures, targets, self.ids, self.files, target_name, target_unit,
                             self.skipped, self.rows, str(self.source), self.numbering)


def _load_demo(target, limit, on_error, target_unit=None) -> LoadedDataset:
    import ase
    from ase.db import connect
    from pymatgen.io.ase import AseAtomsAdaptor

    if target not in (None, "bulk_modulus"):
        raise InputError(f"the demo data has one target, 'bulk_modulus' (GPa), not {target!r}", source="demo")
    reader = _RowReader("demo", on_error, numbering="entry")
    entries = list(connect(Path(ase.__file__).parent / "collections" / "dcdft.json").select())[:limit]
    for row, entry in enumerate(entries, start=1):
        reader.add(row, entry.formula, "", entry.key_value_pairs["wien2k_B"],
                   lambda e=entry: AseAtomsAdaptor.get_structure(e.toatoms()))
    return reader.result("bulk_modulus", resolve_target_unit("demo", "bulk_modulus", target_unit))


def _parse_item(item):
    """Worker: (text or Failed, file name) -> Structure, or Failed (never raises)."""
    from sagatsr.parallel import Failed

    text, name = item
    if isinstance(text, Failed):
        return text
    try:
        return _parse_structure(text, name)
    except Exception as exc:
        return Failed.from_exception(exc)


def _read_text(read, file):
    from sagatsr.parallel import Failed

    try:
        return read(file)
    except UnicodeDecodeError as exc:
        return Failed(f"not a text file ({exc.reason} at byte {exc.start})")
    except Exception as exc:  # a missing or unreadable file fails its own row only
        return Failed.from_exception(exc)


def _add_parsed(reader, rows, texts, workers):
    """Parse ``texts`` (one per row of ``rows``: row, id, file, target) on worker processes and hand
    each result, or its error, to ``reader`` in row order."""
    from sagatsr.parallel import Failed, map_items

    def unwrap(result):
        if isinstance(result, Failed):
            raise ValueError(result.reason)
        return result

    parsed = map_items(_parse_item, [(text, Path(file).name) for (_, _, file, _), text in zip(rows, texts)],
                       workers=workers, desc="reading structures")
    for (row, mid, file, value), result in zip(rows, parsed):
        reader.add(row, mid, file, value, lambda r=result: unwrap(r))


def _load_folder(folder: Path, target, limit, on_error, workers, target_unit=None,
                 allow_outside=False) -> LoadedDataset:
    name = check_folder_target(folder, target)
    unit = resolve_target_unit(folder / "id_prop.csv", name, target_unit)
    # blank lines are kept while reading, so the index + 1 is the line an editor shows
    table = pd.read_csv(folder / "id_prop.csv", header=None, dtype={0: str}, skip_blank_lines=False)
    table = table.dropna(how="all")
    if table.shape[1] < 2:
        raise InputError("id_prop.csv needs two columns: file, target", source=folder / "id_prop.csv")
    reader = _RowReader(folder / "id_prop.csv", on_error, numbering="line")
    rows = []
    for index, (file, value) in zip(table.index[:limit], table.iloc[:limit, :2].itertuples(index=False)):
        row = int(index) + 1
        path = folder / file
        if not path.exists() and (folder / f"{file}.cif").exists():
            path = folder / f"{file}.cif"
        rows.append((row, Path(str(file)).stem if path.suffix == ".cif" else str(file), str(path), value))
    from sagatsr.data.checks import confined

    # `file` already starts with the folder: confine it by its name inside the folder (a relative
    # folder would otherwise be joined twice, jv/jv/POSCAR)
    texts = [_read_text(lambda f: confined(folder, os.path.relpath(f, folder), allow_outside).read_text(), file)
             for _, _, file, _ in rows]
    _add_parsed(reader, rows, texts, workers)
    return reader.result(name, unit)


def _read_members(tarball: Path, wanted: set[str]) -> dict[str, str]:
    """The texts of the ``wanted`` members, in one sequential pass: random access into a gzip stream
    re-decompresses from the start for every backward seek."""
    texts = {}
    with tarfile.open(tarball) as tar:
        for member in tar:
            if member.name in wanted and member.isfile():
                texts[member.name] = _read_text(lambda m: tar.extractfile(m).read().decode(), member)
    return texts


def _load_csv(path: Path, target, limit, on_error, workers, target_unit=None, labeled=True,
              allow_outside=False) -> LoadedDataset:
    from sagatsr.data.checks import confined

    # blank lines are kept while reading, so index + 2 (the header line) is the line an editor shows
    table = pd.read_csv(path, skip_blank_lines=False).dropna(how="all").iloc[:limit]
    if "file" not in table.columns:
        raise InputError("a dataset CSV needs a 'file' column with structure paths", source=path)
    candidates = [c for c in table.columns if c not in ("file", "id") and pd.api.types.is_numeric_dtype(table[c])]
    name = (target or (candidates[0] if candidates else None)) if labeled else None
    if labeled and name not in table.columns:
        raise InputError(f"no target column {name!r}; columns are {list(table.columns)}", source=path)
    if labeled:
        check_numeric_target(path, name, table)
    unit = resolve_target_unit(path, name, target_unit) if labeled else None
    tarballs = sorted(path.parent.glob("*.tgz")) + sorted(path.parent.glob("*.tar.gz"))
    packed = _read_members(tarballs[0], set(table["file"].astype(str))) if tarballs else {}

    def read(file: str) -> str:
        return packed[file] if file in packed else confined(path.parent, file, allow_outside).read_text()

    ids = _row_ids(table, table["file"])
    values = table[name] if labeled else [None] * len(table)
    rows = [(int(index) + 2, mid, file, value) for index, mid, file, value
            in zip(table.index, ids, table["file"].astype(str), values)]
    texts = [_read_text(read, file) for _, _, file, _ in rows]
    reader = _RowReader(path, on_error, numbering="line")
    _add_parsed(reader, rows, texts, workers)
    return reader.result(name, unit)


def _row_ids(table: pd.DataFrame, fallback) -> list[str]:
    """The materials' ids: the first ``ID_COLUMNS`` column the table has (matminer's files keep
    ``material_id`` as a column and number their rows), else ``fallback``."""
    column = next((c for c in ID_COLUMNS if c in table.columns), None)
    return [str(v) for v in (table[column] if column else fallback)]


def read_split_json(path: Path) -> pd.DataFrame:
    """A pandas "split" JSON (``.json``/``.json.gz``) with a ``structure`` column, as a DataFrame."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as handle:
            payload = json.load(handle)
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable JSON file ({exc})", source=path) from None
    if not isinstance(payload, dict) or not {"columns", "data"} <= set(payload) \
            or "structure" not in payload["columns"]:
        raise InputError("expected a pandas 'split' JSON with a 'structure' column", source=path)
    return pd.DataFrame(payload["data"], columns=payload["columns"], index=payload.get("index"))


def _load_split_json(path: Path, target, limit, on_error, target_unit=None, labeled=True) -> LoadedDataset:
    from pymatgen.core import Structure

    table = read_split_json(path)
    if labeled and target not in table.columns:
        raise missing_target(path, target, table)
    if labeled:
        check_numeric_target(path, target, table)
    unit = resolve_target_unit(path, target, target_unit) if labeled else None
    reader = _RowReader(path, on_error, numbering="entry")
    table = table.iloc[:limit]
    for row, (mid, (_, entry)) in enumerate(zip(_row_ids(table, table.index), table.iterrows()), start=1):
        reader.add(row, mid, "", entry[target] if labeled else None,
                   lambda s=entry["structure"]: Structure.from_dict(s))
    return reader.result(target if labeled else None, unit)


def load_dataset(source, target=None, *, limit=None, on_error="raise", target_unit=None,
                 workers=None, allow_outside=False) -> LoadedDataset:
    """Load structures and one target column from ``source`` (see the module docstring).

    ``on_error="raise"`` stops at the first bad row with an :class:`~sagatsr.errors.InputError`
    naming file and row; ``"skip"`` leaves bad rows out and lists them in ``.skipped``.
    ``target_unit``: the target's pint unit; may be omitted only where the source documents it
    (:mod:`sagatsr.data.targets`), otherwise a :class:`~sagatsr.errors.UnitError` says how to give it.
    On a CGCNN folder ``target`` is a free label of the value column (default ``"target"``).
    ``workers``: processes that parse structure files (``None``: all cores for ≥ 500 files).
    ``allow_outside``: structure paths in a folder's ``id_prop.csv`` or a CSV may point outside
    the dataset's folder (refused by default: a dataset reads only its own files).
    Every structure passes :func:`sagatsr.data.checks.check_structure`.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InputError(f"limit must be a positive integer, got {limit!r}")
    if str(source) == "demo":
        data = _load_demo(target, limit, on_error, target_unit)
    else:
        path = Path(source)
        if path.is_dir():
            if not (path / "id_prop.csv").exists():
                raise InputError("folder has no id_prop.csv", source=path)
            data = _load_folder(path, target, limit, on_error, workers, target_unit, allow_outside)
        elif not path.exists():
            raise InputError("no such file or folder", source=path)
        elif path.suffix == ".csv":
            data = _load_csv(path, target, limit, on_error, workers, target_unit, allow_outside=allow_outside)
        elif path.name.endswith((".json", ".json.gz")):
            data = _load_split_json(path, target, limit, on_error, target_unit)
        else:
            raise InputError("unknown dataset format (folder, .csv, .json(.gz) or 'demo')", source=path)
    return data
