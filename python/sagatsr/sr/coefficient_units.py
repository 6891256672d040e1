"""Units of a formula's coefficients in the user's own units (GPa·Å³·mol/kJ, not m³/kg).

For a linear model :math:`y = c_0 + \\sum_k c_k d_k`, the coefficient :math:`c_k` carries
:math:`[y]/[d_k]`, where :math:`[d_k]` is the unit of descriptor :math:`d_k` computed from the units
the features were *given in* (:func:`expression_unit`), not from SI base dimensions; :math:`c_0`
carries :math:`[y]`. pint simplifies the quotient by cancelling equal units; units that differ are
kept (so the coefficient's value is in exactly the stated unit). A coefficient is a *pure number*
when its unit reduces to 1 exactly (eV/eV is, eV/J is not).

Unit rules of the expression walk: a sum takes the unit of its first term (the others are converted,
so they must share its dimension); products multiply; a rational power scales; ``Abs``, ``sign``
and ``Max``/``Min`` keep their argument's unit; ``exp``, ``log`` and other functions need (and give)
a pure number.
"""

from __future__ import annotations

import sympy

from sagatsr.errors import UnitError
from sagatsr.units import parse_unit, ureg

__all__ = ["expression_unit", "coefficient_unit", "describe_unit", "annotate_coefficients", "unit_text"]

_KEEP_UNIT = (sympy.Abs, sympy.sign)


def expression_unit(expr: sympy.Expr, units: dict[str, str]):
    """The pint unit of ``expr`` when each symbol ``s`` carries ``units[s.name]``; raises
    :class:`~sagatsr.errors.UnitError` for a sum of different dimensions or exp/log of a unit."""
    if isinstance(expr, sympy.Symbol):
        if expr.name not in units:
            raise UnitError(f"no unit for variable {expr.name!r}")
        return parse_unit(units[expr.name])
    if expr.is_number:
        return ureg.dimensionless
    if isinstance(expr, sympy.Add):
        terms = [expression_unit(arg, units) for arg in expr.args]
        first = terms[0]
        for term in terms[1:]:
            if term.dimensionality != first.dimensionality:
                raise UnitError(f"sum of {first:~P} and {term:~P} in {expr}")
        return first
    if isinstance(expr, sympy.Mul):
        unit = ureg.dimensionless
        for arg in expr.args:
            unit = unit * expression_unit(arg, units)
        return unit
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.args
        if not exponent.is_number:
            if not expression_unit(exponent, units).dimensionless or not expression_unit(base, units).dimensionless:
                raise UnitError(f"variable power of a quantity with a unit in {expr}")
            return ureg.dimensionless
        return expression_unit(base, units) ** float(exponent)
    if isinstance(expr, _KEEP_UNIT) or isinstance(expr, (sympy.Max, sympy.Min)):
        return expression_unit(expr.args[0], units)
    for arg in expr.args:  # exp, log, sin, ...: a pure number in, a pure number out
        if not expression_unit(arg, units).dimensionless:
            raise UnitError(f"{type(expr).__name__} of a quantity with a unit in {expr}")
    return ureg.dimensionless


def coefficient_unit(y_unit: str, descriptor_unit) -> tuple[str, bool, float]:
    """(unit of ``c`` in ``y = c·d``, pure-number flag, scale): [y]/[d] in the units the user gave.

    pint cancels a unit that appears above and below the line (GPa/GPa), but units of one dimension
    that differ stay as they are (GPa·Å/cm³ is not turned into a bare number times cm⁻²), so the
    coefficient's value needs no conversion. ``scale`` is the number that unit is worth once reduced
    (1 for GPa·Å³·mol/kJ; 1.6e-19 for eV/J); ``pure_number`` is true only for a unit worth exactly 1.
    """
    return describe_unit(parse_unit(y_unit) / descriptor_unit)


def describe_unit(unit) -> tuple[str, bool, float]:
    """(readable text, pure-number flag, scale) of a coefficient's pint unit (:func:`coefficient_unit`)."""
    reduced = (1.0 * unit).to_reduced_units()
    scale = float(reduced.magnitude) if reduced.dimensionless else 1.0
    pure = bool(unit.dimensionless and abs(float(reduced.to("dimensionless").magnitude) - 1.0) < 1e-12)
    return unit_text(unit), pure, scale


def unit_text(unit) -> str:
    """A pint-parsable, readable unit string (``"dimensionless"`` for a pure number)."""
    if isinstance(unit, str):
        unit = parse_unit(unit)
    text = f"{unit:~}".strip()
    return text or "dimensionless"


def annotate_coefficients(equation, units: dict[str, str], y_unit: str) -> list[dict] | None:
    """``equation.coefficients`` with each coefficient's unit in the inputs' and target's own units
    (``user_unit``, ``pure_number``, ``user_unit_scale``, ``descriptor_user_unit``) beside the SI
    dimensions the engine recorded (``units``, ``descriptor_units``); None when
    the backend lists no coefficients (a Julia formula with constants inside the tree)."""
    from sagatsr.sr.parse import parse_expression

    if not getattr(equation, "coefficients", None):
        return None
    annotated = []
    for entry in equation.coefficients:
        record = dict(entry)
        if entry.get("descriptor", "1") == "1":
            descriptor_unit = ureg.dimensionless
        else:
            descriptor_unit = expression_unit(parse_expression(entry["descriptor"], list(units)), units)
        record["descriptor_user_unit"] = unit_text(descriptor_unit)
        t_unit = _transformed_unit(y_unit, entry.get("outer"), entry.get("descriptor", "1") == "1")
        if t_unit is None:  # c0 inside exp: exp(c0) carries y's unit, c0 is its logarithm
            record["user_unit"], record["pure_number"], record["user_unit_scale"] = f"log({y_unit})", False, 1.0
        else:
            record["user_unit"], record["pure_number"], record["user_unit_scale"] = coefficient_unit(
                t_unit, descriptor_unit)
        annotated.append(record)
    return annotated


#: the power of y that a model with an outer function fits (sagatsr.sr.sisso.outer)
_OUTER_POWER = {None: 1, "square": 2, "inverse": -1, "inverse_square": -2}


def _transformed_unit(y_unit: str, outer: str | None, constant_term: bool):
    """The unit of ``t = T(y)`` for an outer function (y's own for none, dimensionless for
    ``log``); None for the constant term under a ``log`` of a y with a unit."""
    if outer == "log":
        return None if constant_term and not parse_unit(y_unit).dimensionless else "dimensionless"
    return unit_text(parse_unit(y_unit) ** _OUTER_POWER[outer])
