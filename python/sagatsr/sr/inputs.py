"""Validation of the inputs of :meth:`SymbolicRegressor.fit` (numpy, pandas or featurize Dataset)."""

from __future__ import annotations

import numpy as np

from sagatsr.errors import InputError, SagatsrError, UnitError


def table_from(X, variable_names=None, X_units=None):
    """``(matrix float64 (n, p), names, units or None)`` from numpy / DataFrame / xarray Dataset."""
    if isinstance(X_units, str):
        raise InputError(f"X_units must be a list with one unit string per column, got the string "
                         f"{X_units!r}")
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
    if matrix.shape[1] == 0:
        raise InputError("X has no columns: symbolic regression needs at least one feature")
    check_variable_names(names)
    if units is not None and len(units) != len(names):
        raise UnitError(f"{len(units)} units given for {len(names)} features ({names})")
    return matrix, names, units


def check_variable_names(names) -> None:
    """Names must survive a save and load: identifiers (any script, e.g. ``χ_P``) that the formula
    parser reads back as exactly that variable, no Python keyword, no duplicates, no name of the
    engine's own (``_p_sagatsr…``). ``nan``/``inf`` are fine (variables win over constants);
    ``x·y`` is refused (the middle dot is an identifier character for Python but an operator for
    a reader of the formula)."""
    import keyword

    import sympy

    from sagatsr.sr.parse import parse_expression

    bad = []
    for name in names:
        ok = isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)
        ok = ok and not name.startswith("_p_sagatsr")
        if ok:
            try:
                ok = parse_expression(name, [name]) == sympy.Symbol(name, real=True)
            except SagatsrError:
                ok = False
        if not ok:
            bad.append(name)
    if bad:
        raise InputError(f"variable names must be identifiers that a saved formula reads back "
                         f"(letters, digits, _; no keyword): {bad}")
    if len(set(names)) != len(names):
        raise InputError(f"duplicate variable names: {names}")


def check_units(X_units, y_units, names) -> None:
    """Every unit parses, has no offset (degC) and there is one per column (UnitError otherwise)."""
    from sagatsr.sr.sisso.scaling import si_factor
    from sagatsr.units import dimension_vector

    if X_units is not None:
        if isinstance(X_units, str) or len(X_units) != len(names):
            raise UnitError(f"X_units must be a list of {len(names)} unit strings (one per column)")
        for name, unit in zip(names, X_units):
            try:
                dimension_vector(unit), si_factor(unit)
            except UnitError as exc:
                raise UnitError(f"feature {name!r}: {exc}") from None
    if y_units is not None:
        dimension_vector(y_units), si_factor(y_units)


def check_finite(matrix, y, names, max_terms):
    """Clear errors for the row count, NaN/inf, a constant target and the target's shape; constant
    inputs are left to the backend (sisso drops them by name, with a note)."""
    from sagatsr.sr.sisso.select import MIN_ROWS_PER_TERM

    y = np.asarray(y, dtype=float).ravel()
    if y.shape[0] != matrix.shape[0]:
        raise InputError(f"y has {y.shape[0]} rows but X has {matrix.shape[0]}")
    need = MIN_ROWS_PER_TERM * (max_terms + 1)
    if matrix.shape[0] < need:
        raise InputError(f"{matrix.shape[0]} rows are too few for up to {max_terms} terms plus an "
                         f"intercept: need at least {need} ({MIN_ROWS_PER_TERM} per coefficient, so "
                         "that held-out rows can judge the formulas); lower max_terms or add rows")
    for j, name in enumerate(names):
        rows = np.flatnonzero(~np.isfinite(matrix[:, j]))
        if rows.size:
            raise InputError(f"feature {name!r} is NaN/inf at row {int(rows[0])}", row=int(rows[0]),
                             item=name)
    rows = np.flatnonzero(~np.isfinite(y))
    if rows.size:
        raise InputError(f"target y is NaN/inf at row {int(rows[0])}", row=int(rows[0]))
    if np.ptp(y) <= 1e-12 * np.max(np.abs(y)):
        raise InputError(f"target y is constant ({y[0]:.6g}) on all {len(y)} rows: there is nothing "
                         "to regress")
    return y
