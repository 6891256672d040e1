"""Dataset loaders: structures + one target column, with a clear error (or a skip report) per bad row.

Sources understood by :func:`load_dataset`:

* ``"demo"`` — ASE's ``dcdft`` collection (71 elemental crystals, WIEN2k PBE bulk modulus, GPa),
  shipped inside the ``ase`` wheel.
* a folder with ``id_prop.csv`` (CGCNN/ALIGNN convention: ``file,target`` with no header; the file
  name may omit ``.cif``) and one structure file (CIF, POSCAR, …) per row;
* a CSV with a ``file`` column and target columns; files are read from beside the CSV or, when a
  ``.tgz``/``.tar.gz`` lies beside it, from inside that tarball (opened once);
* a matminer/pandas "split" JSON (``.json`` or ``.json.gz``) with a ``structure`` column of pymatgen dicts.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.errors import InputError

log = logging.getLogger("sagatsr.data")

__all__ = ["LoadedDataset", "SkippedRow", "load_dataset", "KNOWN_TARGET_UNITS"]

#: default units of target columns of the datasets sagatsr knows
KNOWN_TARGET_UNITS = {
    "bulk_modulus": "GPa", "e_form": "eV", "gap_gllbsc": "eV", "band_gap": "eV", "n": "dimensionless",
    "poly_electronic": "dimensionless", "poly_total": "dimensionless", "optb88vdw_bandgap": "eV",
    "formation_energy_per_atom": "eV/atom", "target": "dimensionless",
}


@dataclass
class SkippedRow:
    """One row left out under ``on_error="skip"``: 0-based data row, id, file and why."""

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
    target_unit: str
    skipped: list[SkippedRow] = field(default_factory=list)

    def __iter__(self):
        return iter((self.structures, self.targets, self.ids))

    def __len__(self) -> int:
        return len(self.ids)


def _parse_structure(text: str, name: str):
    """A pymatgen Structure from file text; the format comes from the file name (CIF default)."""
    from pymatgen.core import Structure

    lower = name.lower()
    fmt = "poscar" if ("poscar" in lower or "contcar" in lower or lower.endswith(".vasp")) else "cif"
    if lower.endswith(".json"):
        return Structure.from_dict(json.loads(text))
    if not text.strip():
        raise ValueError("empty file")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Structure.from_str(text, fmt=fmt)


def _validate(structure) -> None:
    if len(structure) == 0:
        raise ValueError("structure has no sites")
    if not structure.is_ordered:
        raise ValueError("disordered (partially occupied) sites are not supported")
    for site in structure:
        if getattr(site.specie, "Z", 0) in (0, None):
            raise ValueError(f"unknown element {site.specie}")


class _RowReader:
    """Turns rows into (structure, target) while collecting or raising errors per row."""

    def __init__(self, source, on_error: str):
        if on_error not in ("raise", "skip"):
            raise ValueError("on_error must be 'raise' or 'skip'")
        self.source, self.on_error = source, on_error
        self.structures, self.targets, self.ids, self.files, self.skipped = [], [], [], [], []
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
                raise InputError(f"{reason} (use on_error='skip' / drop --strict to skip bad rows)",
                                 source=self.source, row=row, item=file or mid) from None
            self.skipped.append(SkippedRow(row, mid, file, reason))
            return
        self._seen.add(mid)
        self.structures.append(structure)
        self.targets.append(None if target is None else float(target))
        self.ids.append(mid)
        self.files.append(file)

    def result(self, target_name, target_unit) -> LoadedDataset:
        if self.skipped:
            log.warning("%s: skipped %d bad rows", self.source, len(self.skipped))
        if not self.ids:
            raise InputError("no usable rows", source=self.source)
        targets = None if any(t is None for t in self.targets) else np.array(self.targets, dtype=float)
        return LoadedDataset(self.structures, targets, self.ids, self.files, target_name, target_unit,
                             self.skipped)


def _load_demo(target, limit, on_error) -> LoadedDataset:
    import ase
    from ase.db import connect
    from pymatgen.io.ase import AseAtomsAdaptor

    if target not in (None, "bulk_modulus"):
        raise InputError(f"the demo data has one target, 'bulk_modulus' (GPa), not {target!r}", source="demo")
    reader = _RowReader("demo", on_error)
    for row, entry in enumerate(list(connect(Path(ase.__file__).parent / "collections" / "dcdft.json").select())[:limit]):
        reader.add(row, entry.formula, "", entry.key_value_pairs["wien2k_B"],
                   lambda e=entry: AseAtomsAdaptor.get_structure(e.toatoms()))
    return reader.result("bulk_modulus", "GPa")


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


def _load_folder(folder: Path, target, limit, on_error, workers) -> LoadedDataset:
    table = pd.read_csv(folder / "id_prop.csv", header=None, dtype={0: str})
    if table.shape[1] < 2:
        raise InputError("id_prop.csv needs two columns: file, target", source=folder / "id_prop.csv")
    name = target or "target"
    reader = _RowReader(folder / "id_prop.csv", on_error)
    rows = []
    for row, (file, value) in enumerate(table.iloc[:limit, :2].itertuples(index=False)):
        path = folder / file
        if not path.exists() and (folder / f"{file}.cif").exists():
            path = folder / f"{file}.cif"
        rows.append((row, Path(str(file)).stem if path.suffix == ".cif" else str(file), str(path), value))
    texts = [_read_text(lambda f: Path(f).read_text(), file) for _, _, file, _ in rows]
    _add_parsed(reader, rows, texts, workers)
    return reader.result(name, KNOWN_TARGET_UNITS.get(name, "dimensionless"))


def _read_members(tarball: Path, wanted: set[str]) -> dict[str, str]:
    """The texts of the ``wanted`` members, in one sequential pass: random access into a gzip stream
    re-decompresses from the start for every backward seek."""
    texts = {}
    with tarfile.open(tarball) as tar:
        for member in tar:
            if member.name in wanted and member.isfile():
                texts[member.name] = tar.extractfile(member).read().decode()
    return texts


def _load_csv(path: Path, target, limit, on_error, workers) -> LoadedDataset:
    table = pd.read_csv(path, nrows=limit)
    if "file" not in table.columns:
        raise InputError("a dataset CSV needs a 'file' column with structure paths", source=path)
    candidates = [c for c in table.columns if c not in ("file", "id") and pd.api.types.is_numeric_dtype(table[c])]
    name = target or (candidates[0] if candidates else None)
    if name not in table.columns:
        raise InputError(f"no target column {name!r}; columns are {list(table.columns)}", source=path)
    tarballs = sorted(path.parent.glob("*.tgz")) + sorted(path.parent.glob("*.tar.gz"))
    packed = _read_members(tarballs[0], set(table["file"].astype(str))) if tarballs else {}

    def read(file: str) -> str:
        return packed[file] if file in packed else (path.parent / file).read_text()

    ids = table["id"].astype(str) if "id" in table.columns else table["file"].astype(str)
    rows = [(row, mid, file, value) for row, (mid, file, value)
            in enumerate(zip(ids, table["file"].astype(str), table[name]))]
    texts = [_read_text(read, file) for _, _, file, _ in rows]
    reader = _RowReader(path, on_error)
    _add_parsed(reader, rows, texts, workers)
    return reader.result(name, KNOWN_TARGET_UNITS.get(name, "dimensionless"))


def _load_split_json(path: Path, target, limit, on_error) -> LoadedDataset:
    from pymatgen.core import Structure

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        payload = json.load(handle)
    if not {"columns", "data"} <= set(payload) or "structure" not in payload["columns"]:
        raise InputError("expected a pandas 'split' JSON with a 'structure' column", source=path)
    table = pd.DataFrame(payload["data"], columns=payload["columns"], index=payload.get("index"))
    if target not in table.columns:
        numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
        raise InputError(f"choose a target column with --target; numeric columns: {numeric}", source=path)
    reader = _RowReader(path, on_error)
    for row, (mid, entry) in enumerate(table.iloc[:limit].iterrows()):
        reader.add(row, str(mid), "", entry[target], lambda s=entry["structure"]: Structure.from_dict(s))
    return reader.result(target, KNOWN_TARGET_UNITS.get(target, "dimensionless"))


def load_dataset(source, target=None, *, limit=None, on_error="raise", target_unit=None,
                 workers=None) -> LoadedDataset:
    """Load structures and one target column from ``source`` (see the module docstring).

    ``on_error="raise"`` stops at the first bad row with an :class:`~sagatsr.errors.InputError`
    naming file and row; ``"skip"`` leaves bad rows out and lists them in ``.skipped``.
    ``target_unit`` overrides the unit known for the column (``"dimensionless"`` otherwise).
    ``workers``: processes that parse structure files (``None``: all cores for ≥ 500 files).
    """
    if str(source) == "demo":
        data = _load_demo(target, limit, on_error)
    else:
        path = Path(source)
        if path.is_dir():
            if not (path / "id_prop.csv").exists():
                raise InputError("folder has no id_prop.csv", source=path)
            data = _load_folder(path, target, limit, on_error, workers)
        elif not path.exists():
            raise InputError("no such file or folder", source=path)
        elif path.suffix == ".csv":
            data = _load_csv(path, target, limit, on_error, workers)
        elif path.name.endswith((".json", ".json.gz")):
            data = _load_split_json(path, target, limit, on_error)
        else:
            raise InputError("unknown dataset format (folder, .csv, .json(.gz) or 'demo')", source=path)
    if target_unit is not None:
        from sagatsr.units import parse_unit

        parse_unit(target_unit)
        data.target_unit = target_unit
    return data
