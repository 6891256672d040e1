"""A table of descriptors you already have (a CSV with one row per material, one column per feature
and a target column, no structures) as a feature Dataset for ``sagatsr sr``.

Columns: the target (``--target``), an optional ``id`` (or ``material_id``) column naming the rows,
and features; every other column must be numeric. Units: ``feature_units`` maps each feature to a
pint string (all of them, or none: then every feature is treated as a pure number). A cell that is
not a number, empty, NaN or infinite is an :class:`~sagatsr.errors.InputError` naming its line
and column, or, with ``skip_bad``, leaves its row out (listed with the reason). A header naming a
column twice is refused (pandas would silently rename the second one). A column name that a
formula cannot use as a variable (``E-form``, ``band gap``, ``2nd``, ``lambda``) becomes one
(:func:`formula_names`: ``E_form``, ``band_gap``, ``x_2nd``, ``lambda_``); the Dataset's
``renamed`` attribute maps each original name to its new one, and ``--feature-units`` accepts
either.
"""

from __future__ import annotations

import csv
import keyword
import re
import unicodedata
from pathlib import Path

import numpy as np

from sagatsr.errors import InputError, UnitError

__all__ = ["is_feature_table", "read_feature_table", "parse_feature_units", "formula_names", "ID_COLUMNS"]

ID_COLUMNS = ("id", "material_id")


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [name.strip() for name in next(csv.reader(handle), [])]


def _as_identifier(name: str) -> str:
    # NFKC first: Python reads an identifier in that form (ℌ is H), so the formula would too;
    # \W: anything but letters (any script), digits and _ ; the middle dot reads as a product
    name = re.sub(r"[\W·]+", "_", unicodedata.normalize("NFKC", name)).strip("_") or "x"
    name = f"x_{name}" if not name[0].isidentifier() else name
    return f"{name}_" if keyword.iskeyword(name) or name.startswith("_p_sagatsr") else name


def formula_names(columns) -> dict[str, str]:
    """Each column name -> a variable name a formula can use: itself when it is one, else its runs
    of other characters turned into ``_`` (``x_`` before a leading digit, ``_`` after a Python
    keyword), numbered ``_2``, ``_3``... when two columns would get the same name."""
    from sagatsr.errors import SagatsrError
    from sagatsr.sr.inputs import check_variable_names

    def usable(name: str) -> bool:
        try:
            check_variable_names([name])
        except SagatsrError:
            return False
        return True

    names, taken = {}, {c for c in columns if usable(c)}
    for column in columns:
        if column in taken and column not in names.values():
            names[column] = column
            continue
        base = _as_identifier(column)
        base = base if usable(base) else "x"  # e.g. a name the formula reader takes for a constant
        name, k = base, 1
        while name in taken or name in names.values() or not usable(name):
            k += 1
            name = f"{base}_{k}"
        names[column] = name
    return names


def is_feature_table(path) -> bool:
    """A ``.csv`` whose header has no ``file`` column (structure CSVs have one)."""
    path = Path(path)
    return path.suffix.lower() == ".csv" and path.is_file() and "file" not in _header(path)


def parse_feature_units(text: str | None) -> dict[str, str] | None:
    """``"a=eV, b=angstrom"`` -> ``{"a": "eV", "b": "angstrom"}`` (None for None or empty)."""
    if not text or not text.strip():
        return None
    units = {}
    for item in text.split(","):
        name, sep, unit = item.partition("=")
        if not sep or not name.strip() or not unit.strip() or "=" in unit:
            raise InputError(f"--feature-units: {item.strip()!r} is not NAME=UNIT (pairs separated by commas, e.g. a=eV,b=angstrom)")
        units[name.strip()] = unit.strip()
    return units


def read_feature_table(path, target: str | None, target_unit: str | None, feature_units=None, *,
                       limit=None, skip_bad=False):
    """(features Dataset with ``units`` attrs, y, skipped rows as dicts) from the CSV at ``path``."""
    import pandas as pd
    import xarray as xr

    from sagatsr.units import parse_unit

    path = Path(path)
    header = _header(path)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(f"the header names column(s) {repeated} more than once", source=path)
    if not target:
        raise InputError(f"a feature table needs --target naming its target column; columns: {header}", source=path)
    if target not in header:
        raise InputError(f"no target column {target!r}; columns are {header}", source=path)
    if not target_unit:
        raise InputError(f"give the unit of {target!r} with --target-unit (any pint string, or dimensionless)",
                         source=path)
    parse_unit(target_unit)  # UnitError naming it
    # blank lines are kept while reading, so index + 2 is the line an editor shows
    table = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, skipinitialspace=True,
                        encoding="utf-8-sig").fillna("")
    table.columns = [str(c).strip() for c in table.columns]
    table = table[(table != "").any(axis=1)]
    table = table.iloc[:limit] if limit else table
    lines = (table.index.to_numpy() + 2).tolist()
    id_column = next((c for c in ID_COLUMNS if c in table.columns), None)
    features = [c for c in table.columns if c not in (target, id_column)]
    if not features:
        raise InputError(f"the table has no feature column besides {target!r}", source=path)
    renamed = formula_names(features)
    units = _feature_units(features, _by_column(feature_units, renamed), path)
    ids = table[id_column].astype(str).tolist() if id_column else [f"line{line}" for line in lines]
    values, skipped, keep = {}, [], np.ones(len(table), bool)
    for column in [*features, target]:
        numbers = pd.to_numeric(table[column].str.strip(), errors="coerce").to_numpy(float)
        for k in np.flatnonzero(~np.isfinite(numbers) & keep):
            cell = table[column].iloc[k]
            reason = f"column {column!r}: {cell!r} is not a finite number"
            if not skip_bad:
                raise InputError(f"line {lines[k]} ({ids[k]}), {reason}; fix it or pass --skip-bad to leave "
                                 "such rows out", source=path)
            skipped.append({"row": int(lines[k]), "id": ids[k], "file": str(path), "reason": reason})
            keep[k] = False
        values[column] = numbers
    if not keep.any():
        raise InputError("no row has a finite number in every column", source=path)
    kept_ids = [i for i, k in zip(ids, keep) if k]
    ds = xr.Dataset({renamed[name]: ("material", values[name][keep], {"units": units[name], "column": name})
                     for name in features}, coords={"material": kept_ids})
    ds.attrs["source"] = str(path)
    ds.attrs["renamed"] = {old: new for old, new in renamed.items() if old != new}
    return ds, values[target][keep], sorted(skipped, key=lambda s: s["row"])


def _by_column(given, renamed):
    """``--feature-units`` keyed by column name, whether it names the column or its formula name."""
    if not given:
        return given
    column_of = {new: old for old, new in renamed.items()}
    return {name if name in renamed else column_of.get(name, name): unit for name, unit in given.items()}


def _feature_units(features, given, path) -> dict[str, str]:
    from sagatsr.units import parse_unit

    if not given:
        return {name: "dimensionless" for name in features}
    unknown = sorted(set(given) - set(features))
    if unknown:
        raise InputError(f"--feature-units names {unknown}, which are not feature columns ({features})", source=path)
    missing = [name for name in features if name not in given]
    if missing:
        raise InputError(f"--feature-units gives no unit for {missing}: give every feature a unit, or none "
                         "(then all are pure numbers)", source=path)
    for name in features:
        try:
            parse_unit(given[name])
        except UnitError as exc:
            raise UnitError(f"--feature-units, column {name!r}: {exc}") from None
    return dict(given)
