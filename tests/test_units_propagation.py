"""Units travel from the target to every formula: coefficient units in the inputs' own units.

Property (for random unit strings): the unit of every formula equals the target's, and each
coefficient's unit times its descriptor's unit equals it (checked by ``helpers.assert_units_propagate``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import assert_units_propagate
from sagatsr.errors import UnitError
from sagatsr.sr.coefficient_units import coefficient_unit, expression_unit
from sagatsr.sr.parse import parse_expression
from sagatsr.units import parse_unit

#: building blocks users write: energies, pressures, lengths, volumes, molar and per-atom units
BASE_UNITS = ["GPa", "eV", "eV/atom", "kJ/mol", "Å", "Å**3", "g/cm**3", "K", "meV", "MPa", "nm", "amu",
              "dimensionless"]


@st.composite
def unit_strings(draw):
    """A product of one to three base units with small integer powers, as a pint string."""
    parts = draw(st.lists(st.tuples(st.sampled_from(BASE_UNITS), st.integers(-2, 2).filter(bool)),
                          min_size=1, max_size=3))
    return " * ".join(f"({unit})**{power}" for unit, power in parts)


def test_coefficient_unit_in_user_units_example():
    # the demo's formula: c * fusion_heat * (...) / cell_volume, target in GPa
    descriptor = expression_unit(parse_expression("h*q/V", ["h", "q", "V"]),
                                 {"h": "kJ/mol", "q": "dimensionless", "V": "Å**3"})
    unit, pure, scale = coefficient_unit("GPa", descriptor)
    assert parse_unit(unit) == parse_unit("GPa*Å**3*mol/kJ") and not pure and scale == 1.0


def test_units_of_one_dimension_are_kept_not_merged():
    unit, pure, scale = coefficient_unit("eV", parse_unit("J"))
    assert parse_unit(unit) == parse_unit("eV/J") and not pure and np.isclose(scale, 1.602176634e-19)
    unit, pure, _ = coefficient_unit("GPa", parse_unit("g**2/cm**6/Å"))
    assert parse_unit(unit) == parse_unit("GPa*cm**6*Å/g**2") and not pure
    assert coefficient_unit("GPa", parse_unit("GPa"))[1:] == (True, 1.0)


def test_expression_unit_refuses_exp_of_a_quantity_and_mixed_sums():
    names = ["a", "b"]
    with pytest.raises(UnitError, match="exp"):
        expression_unit(parse_expression("exp(a)", names), {"a": "eV", "b": "Å"})
    with pytest.raises(UnitError, match="sum"):
        expression_unit(parse_expression("a + b", names), {"a": "eV", "b": "Å"})
    assert expression_unit(parse_expression("sqrt(a*b)", names), {"a": "Å", "b": "Å"}) == parse_unit("Å")


@settings(max_examples=15, deadline=None)
@given(target=unit_strings(), inputs=st.lists(unit_strings(), min_size=2, max_size=3), seed=st.integers(0, 10))
# y = 2·x0·x1 + ... in GPa² from GPa² inputs: the best formulas include y = √(c·x0·x1 + ...), a model of y²
@example(target="(GPa)**1 * (GPa)**1", inputs=["(GPa)**1 * (GPa)**1", "(GPa)**1 * (GPa)**1"], seed=0)
def test_formula_and_coefficient_units_follow_the_target(target, inputs, seed):
    from sagatsr.sr import SymbolicRegressor

    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 3.0, size=(40, len(inputs)))
    y = 2.0 * X[:, 0] * X[:, 1] + 0.5 * X[:, -1] + 0.01 * rng.normal(size=40)
    names = [f"x{i}" for i in range(len(inputs))]
    model = SymbolicRegressor(backend="sisso", max_terms=2, rung=1).fit(X, y, X_units=inputs, y_units=target,
                                                                         variable_names=names)
    assert all(eq.coefficients for eq in model.pareto_front_)  # sisso lists them: the check below bites
    assert_units_propagate(model.pareto_front_, target, dict(zip(names, inputs)))
