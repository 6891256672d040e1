"""sagatsr.units: parsing, DynamicQuantities strings, SI exponent vectors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import assert_unit_algebra
from sagatsr.errors import UnitError
from sagatsr.units import (
    dimension_vector,
    is_dimensionless,
    pretty_unit,
    same_dimension,
    to_dynamicquantities,
    vector_to_unit,
)

PROJECT_UNITS = ["eV", "Å", "GPa", "dimensionless", "K", "amu", "g/cm^3", "Å^3", "J/mol",
                 "W/(m K)", "kJ/mol", "eV/atom", "Å^3/atom", "1/Å", "e", "debye", "bohr^3"]


@pytest.mark.parametrize(
    ("unit", "expected"),
    # plain SI dimensions, no scale factors (issue 11): eV -> J's dimension, Å -> m, candela -> cd
    [("eV", "m^2*kg*s^-2"), ("Å", "m"), ("angstrom", "m"), ("GPa", "m^-1*kg*s^-2"),
     ("dimensionless", "1"), ("", "1"), ("K", "K"), ("amu", "kg"),
     ("eV/atom", "m^2*kg*s^-2"), ("Å^3", "m^3"), ("1/Å", "m^-1"), ("candela", "cd"),
     ("Å^0.5", "m^(1/2)"), ("mol/K", "K^-1*mol")],
)
def test_dynamicquantities_strings(unit, expected):
    assert to_dynamicquantities(unit) == expected


def test_dimension_vectors_of_known_units():
    np.testing.assert_allclose(dimension_vector("eV"), [2, 1, -2, 0, 0, 0, 0])
    np.testing.assert_allclose(dimension_vector("GPa"), [-1, 1, -2, 0, 0, 0, 0])
    np.testing.assert_allclose(dimension_vector("g/cm^3"), [-3, 1, 0, 0, 0, 0, 0])
    assert same_dimension("eV", "J") and not same_dimension("eV", "GPa")
    assert is_dimensionless("eV/eV") and is_dimensionless("1/atom") and not is_dimensionless("Å")


def test_fallback_units_are_dimension_exact():
    # units without a table entry go through SI base units; only the dimension must be right
    assert "kg" in to_dynamicquantities("lb") and "m" in to_dynamicquantities("inch")


@pytest.mark.parametrize("unit", PROJECT_UNITS)
def test_every_project_unit_round_trips_through_si_vector(unit):
    vec = dimension_vector(unit)
    assert same_dimension(vector_to_unit(vec), unit)
    assert isinstance(pretty_unit(unit), str)


@given(st.sampled_from(PROJECT_UNITS), st.sampled_from(PROJECT_UNITS), st.integers(-3, 3).filter(bool))
def test_unit_algebra_property(unit_a, unit_b, power):
    assert_unit_algebra(unit_a, unit_b, power)


@pytest.mark.parametrize("bad", ["furlongs per fortnight^", "eV**", "not_a_unit"])
def test_bad_unit_is_a_clear_error(bad):
    with pytest.raises(UnitError, match="cannot parse unit"):
        dimension_vector(bad)
