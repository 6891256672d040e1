"""Validation of the inputs of :meth:`SymbolicRegressor.fit` (numpy, pandas or featurize Dataset)."""

from __future__ import annotations

import numpy as np

from sagatsr.errors import InputError, UnitError


def table_from(X, variable_names=None, X_units=None):
    """``(matrix float64 (n, p), names, units or None)`` from numpy / DataFrame / xarray Dataset."""
    units = list(X_units) if X_units is not None else None
    if hasattr(X, "data_vars"):  # the xarray.Dataset of sagatsr.featurize
        names = list(variable_names) if variable_names is not None else [str(v) for v in X.data_vars]
        missing = [n for n in names if n not in X.data_vars]
        if missing:
            raise InputError(f"variables {missing} are not in the Dataset")
        matrix = np.column_stack([np.asarray(X[n].values, dtype=float).ravel() for n in names])
        if units is None:
            units = [str(X[n].attrs.get("units", "dimensionless")) for n in names]
    elif hasattr(X, "columns") and hasattr(X, "to_numpy"):
        names = list(variable_names) if variable_names is not None else [str(c) for c in X.columns]
        matrix = X.to_numpy(dtype=float)
    else:
        try:
            matrix = np.asarray(X, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"X must be numeric: {exc}") from None
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        names = list(variable_names) if variable_names is not None else [
            f"x{i}" for i in range(matrix.shape[1] if matrix.ndim == 2 else 0)]
    if matrix.ndim != 2:
        raise InputError(f"X must be 2-D (rows × features), got shape {matrix.shape}")
    if len(names) != matrix.shape[1]:
        raise InputError(f"{len(names)} variable names for {matrix.shape[1]} columns of X")
    bad = [n for n in names if not str(n).isidentifier()]
    if bad:
        raise InputError(f"variable names must be identifiers (letters, digits, _): {bad}")
    if len(set(names)) != len(names):
        raise InputError(f"duplicate variable names: {names}")
    if units is not None and len(units) != len(names):
        raise UnitError(f"{len(units)} units given for {len(names)} features ({names})")
    return matrix, names, units


def check_finite(matrix, y, names, max_terms):
    """Clear errors for NaN/inf, constant columns, row count and target shape."""
    y = np.asarray(y, dtype=float).ravel()
    if y.shape[0] != matrix.shape[0]:
        raise InputError(f"y has {y.shape[0]} rows but X has {matrix.shape[0]}")
    for j, name in enumerate(names):
        rows = np.flatnonzero(~np.isfinite(matrix[:, j]))
        if rows.size:
            raise InputError(f"feature {name!r} is NaN/inf at row {int(rows[0])}", row=int(rows[0]),
                             item=name)
        if np.ptp(matrix[:, j]) == 0:
            raise InputError(f"feature {name!r} is constant; drop it before symbolic regression",
                             item=name)
    rows = np.flatnonzero(~np.isfinite(y))
    if rows.size:
        raise InputError(f"target y is NaN/inf at row {int(rows[0])}", row=int(rows[0]))
    if matrix.shape[0] < max_terms + 2:
        raise InputError(f"{matrix.shape[0]} rows are too few for up to {max_terms} terms "
                         f"plus an intercept (need at least {max_terms + 2})")
    return y
