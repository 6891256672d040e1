"""Checked constructor parameters of :class:`~sagatsr.sr.regressor.SymbolicRegressor`.

Every parameter is validated before any work, with a one-line :class:`InputError` naming it (the
PySR way: typed, with the allowed values in the message). :data:`PARAMETERS` is also the list of
keys a saved regressor may carry (:mod:`sagatsr.sr.persistence`).

:data:`DEFAULTS`, :data:`MINIMUM` and :data:`MAXIMUM` are the one statement of the numeric
parameters' defaults and ranges: the regressor's signature and the CLI's options read them. This
module imports no numpy or sympy, so the CLI can.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Literal

from sagatsr.errors import InputError

UnitsMode = Literal["fit", "strict"]
UNITS_MODES = ("fit", "strict")
DEFAULT_UNITS: UnitsMode = "fit"

#: default of each integer parameter
DEFAULTS = {"maxsize": 40, "max_terms": 3, "rung": 3, "n_sis": 20, "max_candidates": 30000, "niterations": 40}
#: smallest allowed value of each integer parameter
MINIMUM = {"maxsize": 1, "max_terms": 1, "rung": 1, "n_sis": 1, "max_candidates": 1, "niterations": 1}
#: largest allowed value, where there is one: beyond these the exhaustive ℓ0 / rung ladder cannot finish
MAXIMUM = {"max_terms": 8, "rung": 6}

#: every constructor parameter, in order (also the allowed ``params`` keys of a saved file)
PARAMETERS = ("backend", "operators", "maxsize", "max_terms", "rung", "n_sis", "max_candidates",
              "units", "require_dimensionless_coefficients", "niterations", "seed",
              "best_tolerance", "julia_options", "progress")
#: the parameters written to a saved file (julia_options stay with the code that ran the search)
SAVED_PARAMETERS = tuple(p for p in PARAMETERS if p not in ("julia_options", "progress"))


def _integer(name, value, low):
    if isinstance(value, bool) or not isinstance(value, Integral):
        if isinstance(value, Real) and not isinstance(value, bool) and float(value).is_integer():
            value = int(value)
        else:
            raise InputError(f"{name} must be an integer ≥ {low}, got {value!r}")
    if value < low:
        raise InputError(f"{name} must be an integer ≥ {low}, got {value}")
    if name in MAXIMUM and value > MAXIMUM[name]:
        raise InputError(f"{name} must be at most {MAXIMUM[name]}, got {value}")
    return int(value)


def check_params(backend, backends, operators, catalog, values: dict) -> dict:
    """The validated, normalised parameters (raises InputError on the first bad one)."""
    if not isinstance(backend, str) or backend not in backends:
        raise InputError(f"backend must be one of {tuple(backends)}, got {backend!r}")
    if isinstance(operators, str):
        raise InputError(f"operators must be a list of operator names, got the string {operators!r}")
    names = list(operators)
    if not names:
        raise InputError("operators must name at least one operator")
    unknown = [n for n in names if not isinstance(n, str) or n not in catalog]
    if unknown:
        raise InputError(f"unknown operators {unknown}; known: {sorted(catalog)}")
    if not any(catalog[n].arity == 2 for n in names):
        raise InputError(f"operators {names} hold no binary operator (add, sub, mul, div, ...)")
    out = {"backend": backend, "operators": list(dict.fromkeys(names))}
    for name, low in MINIMUM.items():
        out[name] = _integer(name, values[name], low)
    units = values["units"]
    strict_alias = values["require_dimensionless_coefficients"]
    if not isinstance(strict_alias, bool):
        raise InputError(f"require_dimensionless_coefficients must be True or False, got {strict_alias!r}")
    if units is None:
        units = "strict" if strict_alias else DEFAULT_UNITS
    if units not in UNITS_MODES:
        raise InputError(f"units must be one of {UNITS_MODES}, got {units!r}")
    if strict_alias and units != "strict":
        raise InputError("require_dimensionless_coefficients=True is units='strict'; do not combine "
                         f"it with units={units!r}")
    out["units"] = units
    out["require_dimensionless_coefficients"] = units == "strict"
    seed = values["seed"]
    if seed is not None:
        seed = _integer("seed", seed, 0)
    out["seed"] = seed
    tol = values["best_tolerance"]
    if tol is not None and (isinstance(tol, bool) or not isinstance(tol, Real)
                            or not (1.0 <= float(tol) < float("inf"))):
        raise InputError(f"best_tolerance must be None (the rule's default) or a finite number ≥ 1, got {tol!r}")
    out["best_tolerance"] = None if tol is None else float(tol)
    options = values["julia_options"]
    if options is not None and not isinstance(options, dict):
        raise InputError(f"julia_options must be a dict, got {type(options).__name__}")
    out["julia_options"] = dict(options or {})
    if not isinstance(values["progress"], bool):
        raise InputError(f"progress must be True or False, got {values['progress']!r}")
    out["progress"] = values["progress"]
    return out
