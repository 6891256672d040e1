"""The target's name and unit: given by the user, or documented by the data's publisher — never guessed.

Rules (the README's "Target units" section says the same):

* ``target_unit`` (``--target-unit``) is any pint string; ``"dimensionless"`` is an explicit choice.
* A few published datasets document their columns' units; :data:`DOCUMENTED_UNITS` lists them with
  the source. A dataset is recognised by a path component or file name (``matbench_perovskites``,
  matminer's ``dielectric_constant`` / ``elastic_tensor_2015`` files, …). For those columns the
  unit may be omitted, and a different ``target_unit`` is refused (the numbers are in the
  documented unit; relabelling them would make every derived unit wrong).
* Any other column without a unit is an error that says how to give one.
* A CGCNN folder's ``id_prop.csv`` has no header: its second column is the target whatever
  ``--target`` calls it. The name is a free label (default ``"target"``) and the unit must be given.
"""

from __future__ import annotations

from pathlib import Path

from sagatsr.errors import InputError, UnitError

__all__ = ["DOCUMENTED_UNITS", "documented_unit", "resolve_target_unit", "peek_target", "FOLDER_TARGET"]

#: default label of the value column of a CGCNN folder
FOLDER_TARGET = "target"

#: dataset name -> (column -> unit, where the unit is documented)
DOCUMENTED_UNITS: dict[str, tuple[dict[str, str], str]] = {
    "demo": ({"bulk_modulus": "GPa"}, "ASE dcdft collection: WIEN2k PBE bulk modulus wien2k_B in GPa"),
    "matbench_perovskites": ({"e_form": "eV/cell", "gap_gllbsc": "eV"},
                             "Matbench v0.1 metadata: heat of formation of the 5-atom cell in eV; "
                             "CMR perovskite database: GLLB-SC band gap in eV"),
    "dielectric_constant": ({"band_gap": "eV", "n": "dimensionless", "poly_electronic": "dimensionless",
                             "poly_total": "dimensionless"},
                            "matminer dataset metadata (Petousis et al. 2017)"),
    "elastic_tensor_2015": ({"K_VRH": "GPa", "G_VRH": "GPa", "K_Voigt": "GPa", "K_Reuss": "GPa",
                             "G_Voigt": "GPa", "G_Reuss": "GPa", "elastic_anisotropy": "dimensionless",
                             "poisson_ratio": "dimensionless"},
                            "matminer dataset metadata (de Jong et al. 2015)"),
    "matbench_log_kvrh": ({"log10(K_VRH)": "dimensionless"}, "Matbench v0.1 metadata: log10 of GPa"),
    "perovskites_mp_oqmd": ({"formation_energy_per_atom": "eV/atom", "band_gap": "eV"},
                            "the dataset's README (Materials Project / OQMD)"),
}


def _dataset_names(source) -> list[str]:
    if str(source) == "demo":
        return ["demo"]
    parts = Path(str(source)).parts
    names = []
    for part in parts:
        stem = part.split(".")[0]
        if stem in DOCUMENTED_UNITS:
            names.append(stem)
    return names


def documented_unit(source, column: str | None) -> str | None:
    """The unit the publisher of ``source`` documents for ``column``, or None."""
    for name in _dataset_names(source):
        units, _ = DOCUMENTED_UNITS[name]
        if column in units:
            return units[column]
    return None


def resolve_target_unit(source, column: str, target_unit: str | None) -> str:
    """The unit of ``column`` of ``source``: ``target_unit`` (checked against a documented one),
    else the documented unit, else :class:`~sagatsr.errors.UnitError` saying how to give it."""
    from sagatsr.units import parse_unit

    documented = documented_unit(source, column)
    if target_unit is not None and not str(target_unit).strip():
        raise UnitError(f"{source}: --target-unit is empty; give the unit of target {column!r}, e.g. "
                        f"--target-unit GPa, or --target-unit dimensionless for a pure number")
    if target_unit is not None:
        given = parse_unit(target_unit)
        if documented is not None and given != parse_unit(documented):
            raise UnitError(f"{source}: column {column!r} is documented in {documented}, not "
                            f"{target_unit!r}; drop --target-unit or give {documented}")
        return str(target_unit).strip()
    if documented is not None:
        return documented
    raise UnitError(f"{source}: the unit of target {column!r} is not known; give it with "
                    f"--target-unit (API: target_unit=), e.g. --target-unit GPa, or "
                    f"--target-unit dimensionless for a pure number")


def check_folder_target(folder, target: str | None) -> str:
    """The label of a CGCNN folder's value column (free-form; see the module docstring)."""
    name = FOLDER_TARGET if target is None else str(target).strip()
    if not name:
        raise InputError("--target must not be empty", source=folder)
    return name


def peek_target(source, target: str | None, target_unit: str | None) -> tuple[str, str]:
    """(target name, unit) of a labelled ``source`` from its header alone (no structure is read), so a
    run can refuse a missing column or unit before it writes anything."""
    import pandas as pd

    if str(source) == "demo":
        if target not in (None, "bulk_modulus"):
            raise InputError(f"the demo data has one target, 'bulk_modulus' (GPa), not {target!r}", source="demo")
        return "bulk_modulus", resolve_target_unit("demo", "bulk_modulus", target_unit)
    path = Path(source)
    if path.is_dir():
        if not (path / "id_prop.csv").exists():
            raise InputError("folder has no id_prop.csv, so it has no target values (predict and screen "
                             "read bare folders of structures)", source=path)
        name = check_folder_target(path, target)
        return name, resolve_target_unit(path / "id_prop.csv", name, target_unit)
    if path.suffix == ".csv":
        columns = list(pd.read_csv(path, nrows=0).columns)
        numeric = [c for c in pd.read_csv(path, nrows=50).select_dtypes("number").columns if c not in ("file", "id")]
        name = target or (numeric[0] if numeric else None)
        if name not in columns:
            raise InputError(f"no target column {name!r}; columns are {columns}", source=path)
        return name, resolve_target_unit(path, name, target_unit)
    if path.name.endswith((".json", ".json.gz")):
        from sagatsr.data.loaders import read_split_json

        table = read_split_json(path)
        if target not in table.columns:
            raise missing_target(path, target, table)
        return target, resolve_target_unit(path, target, target_unit)
    raise InputError("unknown dataset format (folder, .csv, .json(.gz) or 'demo')", source=path)


def missing_target(path, target, table) -> InputError:
    """The error for a split JSON without the ``target`` column (or none chosen): its numeric columns."""
    numeric = list(table.select_dtypes("number").columns)
    what = "choose a target column with --target" if target is None else f"no target column {target!r}"
    return InputError(f"{what}; numeric columns: {numeric}", source=path)


def check_numeric_target(path, target: str, table) -> None:
    """Refuse a target column in which no value is a number (structures, text), naming the numeric
    ones; a column of numbers with a few bad cells is left to the row-by-row errors."""
    import pandas as pd

    column = table[target]
    if pd.api.types.is_numeric_dtype(column) or len(column) == 0:
        return
    as_numbers = pd.to_numeric(column.map(lambda v: v if isinstance(v, (str, int, float)) else None),
                               errors="coerce")
    if as_numbers.notna().any():
        return
    numeric = list(table.select_dtypes("number").columns)
    example = str(column.iloc[0])[:40]
    raise InputError(f"target column {target!r} holds no numbers (first value {example!r}); numeric columns: "
                     f"{numeric}", source=path)
