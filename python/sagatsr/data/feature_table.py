"""A feature Dataset (from :func:`sagatsr.featurize`) that carries its target.

The target is stored as a data variable under its own name (``bulk_modulus``), with attrs
``units``, ``description`` and ``role="target"``; the Dataset's attrs ``target`` names it. So
``sagatsr featurize`` → ``sagatsr sr`` and a run's ``features.nc`` → ``sagatsr sr`` need no
renaming, and feature loops skip it (:func:`feature_names`).
"""

from __future__ import annotations

import numpy as np

from sagatsr.errors import InputError

__all__ = ["attach_target", "feature_names", "split_target", "drop_uninformative"]

#: name prefix of targets in files written before the target kept its own name
_LEGACY_PREFIX = "target_"


def attach_target(ds, name: str, values, unit: str, description: str | None = None):
    """``ds`` with the target ``name`` (values in ``unit``) added as a data variable."""
    if name in ds.data_vars and ds[name].attrs.get("role") != "target":
        raise InputError(f"target name {name!r} is also a feature name; choose another --target label")
    values = np.asarray(values, dtype=float)
    ds = ds.copy()
    ds[name] = ("material", values, {"units": unit, "description": description or f"target {name}",
                                     "role": "target"})
    ds.attrs["target"] = name
    return ds


def feature_names(ds) -> list[str]:
    """The data variables that are features (the target is not)."""
    return [str(n) for n, v in ds.data_vars.items() if v.attrs.get("role") != "target"]


def split_target(ds, target: str | None = None, *, source=None):
    """(features only, y, target name, y unit). ``target`` defaults to the Dataset's own target; a
    name written by earlier versions (``target_<name>``) is accepted too."""
    name = target or ds.attrs.get("target")
    if name is None:
        marked = [n for n, v in ds.data_vars.items() if v.attrs.get("role") == "target"]
        name = marked[0] if len(marked) == 1 else None
    if name is None:
        raise InputError("the NetCDF holds no target; write it with `sagatsr featurize --target NAME` or "
                         "pass --target with one of its variables", source=source)
    if name not in ds.data_vars and f"{_LEGACY_PREFIX}{name}" in ds.data_vars:
        name = f"{_LEGACY_PREFIX}{name}"
    if name not in ds.data_vars:
        raise InputError(f"target {name!r} is not a variable of the NetCDF (targets: "
                         f"{[n for n in ds.data_vars if ds[n].attrs.get('role') == 'target'] or 'none'})",
                         source=source)
    unit = ds[name].attrs.get("units")
    if unit is None:
        raise InputError(f"variable {name!r} has no 'units' attribute; the target's unit must be known",
                         source=source)
    y = np.asarray(ds[name].values, dtype=float)
    label = name[len(_LEGACY_PREFIX):] if name.startswith(_LEGACY_PREFIX) and ds[name].attrs.get("role") is None \
        else name
    others = [n for n, v in ds.data_vars.items() if v.attrs.get("role") == "target" or n == name]
    return ds.drop_vars(others), y, label, str(unit)


def drop_uninformative(ds, names: list[str]) -> tuple[list[str], list[str]]:
    """(kept, dropped): a feature that is constant or not finite on every row carries nothing a
    formula could use (the SR engines refuse it), so it is left out, and the caller says so."""
    kept, dropped = [], []
    for name in names:
        values = np.asarray(ds[name].values, dtype=float)
        (kept if np.isfinite(values).all() and np.ptp(values) > 0 else dropped).append(name)
    return kept, dropped
