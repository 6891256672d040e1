"""Units of the constants inside any formula tree (sagatsr.sr.constant_units): with every constant
carrying its inferred unit, the formula has exactly the target's unit."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import assert_constants_carry_the_units
from sagatsr.sr.constant_units import coefficients_with_units, constant_units
from sagatsr.units import parse_unit

a, b = sympy.symbols("a b", real=True)
UNITS = ["eV", "angstrom", "GPa", "amu", "K", "dimensionless", "g/cm**3"]


def _c(value):
    return sympy.Float(value, 10)


TEMPLATES = [
    lambda c: c[0] * a + c[1] * b,
    lambda c: c[0] * b * sympy.exp(c[1] * a),
    lambda c: c[0] * (a + c[1] * b) ** 2,
    lambda c: c[0] * sympy.sqrt(a * b) + c[1],
    lambda c: c[0] * sympy.log(c[1] * a / b),
    lambda c: a * b / (c[0] + c[1] * b),
    lambda c: c[0] * sympy.Abs(a - c[1] * b),
    lambda c: c[0] * a ** 2 / (b + c[1]) ** sympy.Rational(1, 2),
    # a Julia pipeline formula: the second factor has no constant-free term, so it takes y/[a]
    lambda c: (a + c[0]) * (c[1] * b + 2.7 * c[0] * a + 0.37 * c[1]),
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(range(len(TEMPLATES))), st.sampled_from(UNITS), st.sampled_from(UNITS),
       st.sampled_from(UNITS), st.floats(0.11, 9.7), st.floats(-9.3, -0.13))
def test_every_constant_gets_the_unit_that_makes_the_formula_consistent(template, ua, ub, uy, c0, c1):
    expr = TEMPLATES[template]([_c(c0), _c(c1)])
    units = {"a": ua, "b": ub}
    records = constant_units(expr, units, uy)
    assert_constants_carry_the_units(expr, units, uy, records)


def test_a_julia_style_formula_reads_in_the_inputs_units():
    expr = _c(2.5) * a * sympy.exp(_c(-0.3) * b) + _c(1.25)  # y [eV], a [GPa], b [K]
    records = constant_units(expr, {"a": "GPa", "b": "K"}, "eV")
    units = {round(r["value"], 6): r["user_unit"] for r in records}
    assert parse_unit(units[2.5]) == parse_unit("eV/GPa")
    assert parse_unit(units[-0.3]) == parse_unit("1/K")
    assert parse_unit(units[1.25]) == parse_unit("eV")
    inside = next(r for r in records if round(r["value"], 6) == -0.3)
    assert inside["term_user_unit"] == "dimensionless" and not inside["pure_number"]


def test_without_a_target_unit_leading_constants_are_pure_numbers():
    records = constant_units(_c(3.0) * a / b, {"a": "eV", "b": "angstrom"}, None)
    assert [r["pure_number"] for r in records] == [True]


def test_an_inconsistent_tree_gives_no_units_rather_than_wrong_ones():
    class Eq:  # what a backend returns: a formula with no coefficient list
        coefficients = None
        sympy = _c(2.0) * a ** _c(1.5)  # a fitted power of a quantity with a unit: not consistent

    assert coefficients_with_units(Eq, {"a": "angstrom"}, "eV") is None
    Eq.sympy = _c(2.0) * a + b  # eV + Å inside one sum
    assert coefficients_with_units(Eq, {"a": "eV", "b": "angstrom"}, "eV") is None


def test_sisso_coefficients_keep_their_own_annotation():
    from sagatsr.sr import SymbolicRegressor
    from sagatsr.sr.coefficient_units import annotate_coefficients

    rng = np.random.default_rng(0)
    X = rng.uniform(1, 3, (80, 2))
    y = 2.0 * X[:, 0] / X[:, 1] + 0.01 * rng.standard_normal(80)
    model = SymbolicRegressor(backend="sisso", max_terms=1).fit(X, y, X_units=["eV", "angstrom"], y_units="GPa",
                                                               variable_names=["a", "b"])
    units = {"a": "eV", "b": "angstrom"}
    assert coefficients_with_units(model.best_, units, "GPa") == annotate_coefficients(model.best_, units, "GPa")


@pytest.mark.parametrize("y_unit", ["eV", "dimensionless"])
def test_a_formula_without_constants_has_none(y_unit):
    class Eq:
        coefficients = None
        sympy = a * b

    assert coefficients_with_units(Eq, {"a": "eV", "b": "dimensionless"}, y_unit) is None
