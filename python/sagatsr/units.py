"""Physical units for features and targets.

Every unit in sagatsr is a pint-parsable string (``"eV"``, ``"Å"``, ``"g/cm^3"``,
``"dimensionless"``). This module is the one place that turns such a string into

* a :class:`pint.Unit` (:func:`parse_unit`),
* the string DynamicQuantities.jl's ``uparse`` reads, which SymbolicRegression.jl uses for its
  dimensional constraints (:func:`to_dynamicquantities`), and
* an exponent vector over the seven SI base dimensions, which the embedded SISSO engine uses for
  its hard unit rules (:func:`dimension_vector`, :func:`vector_to_unit`).

Only the *dimension* of a unit matters to the symbolic-regression checks; scale factors (Å vs m)
are kept in the DynamicQuantities string for honesty but never change a dimensional verdict.
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

#: pint unit name -> DynamicQuantities expression. eV, u and e are constants in DynamicQuantities,
#: not units, and it has neither Å nor GPa, hence the explicit scale factors.
_DQ_NAMES = {
    "electron_volt": "Constants.eV",
    "millielectron_volt": "(1e-3*Constants.eV)",
    "angstrom": "(1e-10*m)",
    "bohr": "Constants.a_0",
    "gigapascal": "(1e9*Pa)",
    "megapascal": "(1e6*Pa)",
    "kilopascal": "kPa",
    "pascal": "Pa",
    "unified_atomic_mass_unit": "Constants.u",
    "dalton": "Constants.u",
    "elementary_charge": "Constants.e",
    "kelvin": "K",
    "meter": "m",
    "centimeter": "cm",
    "nanometer": "nm",
    "gram": "g",
    "kilogram": "kg",
    "second": "s",
    "joule": "J",
    "kilojoule": "kJ",
    "mole": "mol",
    "watt": "W",
    "volt": "V",
    "ampere": "A",
    "coulomb": "C",
    "debye": "(3.33564e-30*C*m)",
}


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


def _dq_token(name: str) -> str:
    if name in _DQ_NAMES:
        return _DQ_NAMES[name]
    # Anything else: express it in SI base units with its numeric factor; exact in dimension.
    base = ureg.Quantity(1.0, name).to_base_units()
    parts = [f"{base.magnitude:.9g}"]
    for base_name, exponent in base.units._units.items():
        parts.append(f"{_DQ_NAMES.get(base_name, base_name)}^{_format_exponent(exponent)}")
    return "(" + "*".join(parts) + ")"


@lru_cache(maxsize=4096)
def to_dynamicquantities(unit: str) -> str:
    """The DynamicQuantities ``uparse`` string of ``unit`` (what SymbolicRegression.jl's
    ``X_units``/``y_units`` take).

    >>> to_dynamicquantities("eV"), to_dynamicquantities("Å"), to_dynamicquantities("GPa")
    ('Constants.eV', '(1e-10*m)', '(1e9*Pa)')
    >>> to_dynamicquantities("dimensionless")
    '1'
    """
    parsed = parse_unit(unit)
    factors = []
    for name, exponent in sorted(parsed._units.items()):
        if ureg.Quantity(1.0, name).dimensionless:
            continue  # atom, cell, ...: counts carry no dimension
        token = _dq_token(name)
        factors.append(token if exponent == 1 else f"{token}^{_format_exponent(exponent)}")
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
