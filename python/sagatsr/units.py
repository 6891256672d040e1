"""Physical units for features and targets.

Every unit in sagatsr is a pint-parsable string (``"eV"``, ``"Å"``, ``"g/cm^3"``,
``"dimensionless"``). This module is the one place that turns such a string into

* a :class:`pint.Unit` (:func:`parse_unit`),
* the string DynamicQuantities.jl's ``uparse`` reads, which SymbolicRegression.jl uses for its
  dimensional constraints (:func:`to_dynamicquantities`), and
* an exponent vector over the seven SI base dimensions, which the embedded SISSO engine uses for
  its hard unit rules (:func:`dimension_vector`, :func:`vector_to_unit`).

Only the *dimension* of a unit matters to the symbolic-regression checks, so both engines get
dimensions only (no scale factors: eV and J are the same to them).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
import pint

from sagatsr.errors import UnitError

__all__ = [
    "BASE_DIMENSIONS",
    "ureg",
    "parse_unit",
    "is_dimensionless",
    "to_dynamicquantities",
    "dimension_vector",
    "vector_to_unit",
    "same_dimension",
    "pretty_unit",
]

ureg = pint.UnitRegistry()
# "per atom" / "per cell" / "per formula unit" are counts: dimensionless, but users write them.
ureg.define("atom = 1 = atoms")
ureg.define("cell = 1")
ureg.define("formula_unit = 1 = f_u = fu")

#: SI base dimensions in the order of :func:`dimension_vector` (pint's names).
BASE_DIMENSIONS = (
    "[length]",
    "[mass]",
    "[time]",
    "[current]",
    "[temperature]",
    "[substance]",
    "[luminosity]",
)
_SI_SYMBOL = ("m", "kg", "s", "A", "K", "mol", "cd")


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit string; ``""``, ``"1"`` and ``"dimensionless"`` mean dimensionless.

    Raises :class:`~sagatsr.errors.UnitError` naming the string when pint cannot read it.
    """
    if not isinstance(unit, str):
        raise UnitError(f"unit must be a string, got {unit!r} ({type(unit).__name__})")
    text = unit.strip()
    if text in ("", "1", "dimensionless", "-"):
        return ureg.dimensionless
    try:
        return ureg.Unit(text)
    except Exception as exc:  # pint raises several unrelated types for bad strings
        raise UnitError(f"cannot parse unit {unit!r}: {exc}") from None


def is_dimensionless(unit: str) -> bool:
    """True when ``unit`` has no physical dimension (counts such as ``eV/eV`` or ``1/atom`` too)."""
    return parse_unit(unit).dimensionless


def _format_exponent(exponent: float) -> str:
    frac = Fraction(exponent).limit_denominator(12)
    return str(frac.numerator) if frac.denominator == 1 else f"({frac.numerator}/{frac.denominator})"


@lru_cache(maxsize=4096)
def to_dynamicquantities(unit: str) -> str:
    """The plain SI *dimension* of ``unit`` as DynamicQuantities ``uparse`` reads it (what
    SymbolicRegression.jl's ``X_units``/``y_units`` take): ``m^a*kg^b*s^c*A^d*K^e*mol^f*cd^g``.

    No scale factor: SymbolicRegression.jl checks dimensions by evaluating formulas on quantities,
    and factors such as 1.6e-19 (eV in J) add nothing to that check but overflow in high powers.
    The numbers stay in the user's units; only the dimension crosses to Julia.

    >>> to_dynamicquantities("eV"), to_dynamicquantities("Å"), to_dynamicquantities("GPa")
    ('m^2*kg*s^-2', 'm', 'm^-1*kg*s^-2')
    >>> to_dynamicquantities("dimensionless"), to_dynamicquantities("eV/atom")
    ('1', 'm^2*kg*s^-2')
    """
    factors = []
    for symbol, exponent in zip(_SI_SYMBOL, _dimension_tuple(unit)):
        if abs(exponent) < 1e-9:
            continue
        power = _format_exponent(exponent)
        factors.append(symbol if power == "1" else f"{symbol}^{power}")
    return "*".join(factors) if factors else "1"


@lru_cache(maxsize=4096)
def _dimension_tuple(unit: str) -> tuple[float, ...]:
    dims = parse_unit(unit).dimensionality
    unknown = set(dims) - set(BASE_DIMENSIONS)
    if unknown:
        raise UnitError(f"unit {unit!r} has non-SI dimensions {sorted(unknown)}")
    return tuple(float(dims.get(name, 0)) for name in BASE_DIMENSIONS)


def dimension_vector(unit: str) -> np.ndarray:
    """Exponents of ``unit`` over :data:`BASE_DIMENSIONS` (m, kg, s, A, K, mol, cd).

    ``dimension_vector("eV") == [2, 1, -2, 0, 0, 0, 0]``; a product of units adds vectors, a
    quotient subtracts them and a power scales them (the rules the SISSO engine relies on).
    """
    return np.array(_dimension_tuple(unit), dtype=float)


def vector_to_unit(vector) -> str:
    """A pint-parsable SI string with the dimension ``vector`` (``"dimensionless"`` for zeros)."""
    vec = np.asarray(vector, dtype=float)
    if vec.shape != (len(BASE_DIMENSIONS),):
        raise UnitError(f"dimension vector must have {len(BASE_DIMENSIONS)} entries, got {vec.shape}")
    parts = []
    for symbol, exponent in zip(_SI_SYMBOL, vec):
        if abs(exponent) < 1e-9:
            continue
        parts.append(symbol if abs(exponent - 1) < 1e-9 else f"{symbol}**{_format_exponent(exponent)}")
    return " * ".join(parts) if parts else "dimensionless"


def same_dimension(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` measure the same physical dimension (eV and J do)."""
    return bool(np.allclose(dimension_vector(a), dimension_vector(b)))


def pretty_unit(unit: str) -> str:
    """Short human form for tables and plots (``"Å³"``, ``"g/cm³"``, ``""`` for dimensionless)."""
    parsed = parse_unit(unit)
    if parsed == ureg.dimensionless:
        return ""
    return f"{parsed:~P}"
