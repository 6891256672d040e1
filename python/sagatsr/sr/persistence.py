"""Saving and loading a fitted :class:`~sagatsr.sr.regressor.SymbolicRegressor` as JSON.

The loader treats the file as untrusted input (a colleague's file must neither hang nor lie):

* size: at most :data:`MAX_FILE_BYTES`; numbers must be finite (``1e999999`` is refused, not read
  as inf); only the keys written by :func:`to_json` are allowed, at the top level, in ``params``
  (validated like constructor arguments, :mod:`sagatsr.sr.params`; ``julia_options`` is never read
  from a file) and in each formula;
* names: the variable names must pass the same check as at fit time; units must parse;
* formulas: parsed by the restricted parser with its caps on length, bracket depth, exponent size
  (:mod:`sagatsr.sr.parse`); at most :data:`MAX_FORMULAS` of them; constants must be finite;
* verdicts: ``dimensionally_consistent`` and ``pure_number_coefficients`` are recomputed from the
  formula and the units (:func:`sagatsr.sr.unitcheck.verdicts`); stored values are ignored.

Every refusal is one :class:`InputError` line.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import sympy

from sagatsr.errors import InputError, SagatsrError
from sagatsr.sr.equation import Equation
from sagatsr.sr.parse import parse_expression
from sagatsr.sr.params import SAVED_PARAMETERS
from sagatsr.sr.backends import backend_names
from sagatsr.sr.unitcheck import verdicts

MAX_FILE_BYTES = 5_000_000
MAX_FORMULAS = 1000
TOP_KEYS = {"format", "params", "variable_names", "X_units", "y_units", "backend_used", "notes",
            "y_var", "pareto_front"}
EQUATION_KEYS = {"expression", "latex", "complexity", "loss", "units", "backend", "inputs",
                 "dimensionally_consistent", "coefficients", "pure_number_coefficients", "cv_loss",
                 "nmse", "cv_nmse", "cv_excess_z", "cv_search_penalty"}
FORMAT = "sagatsr.SymbolicRegressor/2"


def to_json(model) -> str:
    data = {"format": FORMAT, "params": {k: getattr(model, k) for k in SAVED_PARAMETERS},
            "variable_names": model.variable_names_, "X_units": getattr(model, "X_units_", None),
            "y_units": model.y_units_, "backend_used": model.backend_used_, "notes": model.notes_,
            "y_var": getattr(model, "_y_var", 0.0),
            "pareto_front": [_finite_or_null(eq.to_dict()) for eq in model.pareto_front_]}
    return json.dumps(data, indent=2, allow_nan=False)


def _finite_or_null(entry: dict) -> dict:
    """Losses of data near 1e200 overflow float64 (inf): they are written as null."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in entry.items()}


def _refuse_constant(token):
    raise InputError(f"saved regressor holds a non-finite number ({token})")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        _refuse_constant(text)
    return value


def _read(text_or_path) -> dict:
    text = str(text_or_path) if not isinstance(text_or_path, Path) else None
    if text is None or not text.lstrip().startswith(("{", "[")):
        path = Path(text_or_path)
        if not path.is_file():
            raise InputError(f"{path}: no such saved regressor file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {path.stat().st_size} bytes exceed the cap of {MAX_FILE_BYTES}")
        text = path.read_text(encoding="utf-8", errors="replace")
    if len(text) > MAX_FILE_BYTES:
        raise InputError(f"saved regressor of {len(text)} characters exceeds the cap of {MAX_FILE_BYTES}")
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"not a SymbolicRegressor JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict):
        raise InputError("not a SymbolicRegressor JSON: the top level is not an object")
    return data


def _check_keys(where, data, allowed, required=()):
    if not isinstance(data, dict):
        raise InputError(f"saved regressor: {where} must be an object")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InputError(f"saved regressor: unknown keys in {where}: {unknown[:5]}")
    missing = [k for k in required if k not in data]
    if missing:
        raise InputError(f"saved regressor: {where} lacks {missing}")


def _number(where, value, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"saved regressor: {where} must be a finite number, got {value!r}")
    if integer and int(value) != value:
        raise InputError(f"saved regressor: {where} must be an integer, got {value!r}")
    return int(value) if integer else float(value)


def _equation(k, d, names, X_units, y_units) -> Equation:
    _check_keys(f"pareto_front[{k}]", d, EQUATION_KEYS, ("expression", "complexity", "loss"))
    expr = parse_expression(d["expression"], names)
    if expr.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        raise InputError(f"saved regressor: formula {k} holds a non-finite constant")
    backend = d.get("backend", "sisso")
    if backend not in backend_names():  # the registry of sagatsr.sr.backends
        raise InputError(f"saved regressor: formula {k} has unknown backend {backend!r}")
    coefficients = d.get("coefficients")
    if coefficients is not None and not (isinstance(coefficients, list) and all(
            isinstance(c, dict) and all(isinstance(v, (str, int, float)) for v in c.values())
            for c in coefficients)):
        raise InputError(f"saved regressor: formula {k} has malformed coefficients")
    consistent, pure = verdicts(expr, names, X_units, y_units, backend)
    cv, nmse, cv_nmse, z, penalty = (d.get(k) for k in ("cv_loss", "nmse", "cv_nmse", "cv_excess_z",
                                                        "cv_search_penalty"))
    return Equation(expression=d["expression"], sympy=expr,
                    complexity=_number(f"formula {k} complexity", d["complexity"], integer=True),
                    loss=math.inf if d["loss"] is None else _number(f"formula {k} loss", d["loss"]),
                    units=y_units or "dimensionless", backend=backend,
                    inputs=sorted((s.name for s in expr.free_symbols), key=names.index),
                    dimensionally_consistent=consistent, coefficients=coefficients,
                    pure_number_coefficients=pure,
                    cv_loss=None if cv is None else _number(f"formula {k} cv_loss", cv),
                    nmse=None if nmse is None else _number(f"formula {k} nmse", nmse),
                    cv_nmse=None if cv_nmse is None else _number(f"formula {k} cv_nmse", cv_nmse),
                    cv_excess_z=None if z is None else _number(f"formula {k} cv_excess_z", z),
                    cv_search_penalty=None if penalty is None else _number(f"formula {k} cv_search_penalty",
                                                                           penalty))


def from_json(cls, text_or_path):
    """A regressor from :func:`to_json` output (a string or a path), validated (module docstring)."""
    from sagatsr.sr.inputs import check_units, check_variable_names

    data = _read(text_or_path)
    _check_keys("the file", data, TOP_KEYS, ("params", "variable_names", "pareto_front"))
    params = data["params"]
    _check_keys("params", params, SAVED_PARAMETERS)
    try:
        model = cls(**params)
        names = data["variable_names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InputError("saved regressor: variable_names must be a list of strings")
        check_variable_names(names)
        X_units, y_units = data.get("X_units"), data.get("y_units") or None  # None: y had no unit
        check_units(X_units, y_units or "dimensionless", names)
        front = data["pareto_front"]
        if not isinstance(front, list) or not front or len(front) > MAX_FORMULAS:
            raise InputError(f"saved regressor: pareto_front must hold 1 to {MAX_FORMULAS} formulas")
        model.pareto_front_ = [_equation(k, d, names, X_units, y_units) for k, d in enumerate(front)]
    except SagatsrError as exc:
        raise InputError(str(exc).splitlines()[0]) from None
    model.variable_names_, model.X_units_, model.y_units_ = names, X_units, y_units
    backend_used = data.get("backend_used")
    model.backend_used_ = backend_used if backend_used in backend_names() else None
    notes = data.get("notes") or []
    model.notes_ = [str(n)[:500] for n in notes[:50]] if isinstance(notes, list) else []
    model._y_var = _number("y_var", data.get("y_var", 0.0))
    return model
