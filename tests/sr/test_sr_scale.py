"""The sisso engine is scale-free and its search only grows: unit prefixes, extreme magnitudes,
column order and distractor columns do not change what it finds."""

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import (assert_column_permutation_invariant, assert_planted_on_front,
                     assert_unit_scale_invariant)
from sagatsr.sr import SymbolicRegressor

SHORT = bool(os.environ.get("SAGATSR_SHORT"))
OPS = ["add", "sub", "mul", "div", "inv", "square", "sqrt"]
UNITS = ["kg", "m", "s"]
#: (unit, the same quantity in a prefixed or other unit, factor on the numbers)
RESCALES = [("kg", "mg", 1e6), ("kg", "g", 1e3), ("kg", "t", 1e-3), ("m", "nm", 1e9), ("m", "km", 1e-3),
            ("s", "ms", 1e3), ("s", "ns", 1e9), ("m", "angstrom", 1e10)]


def _fit(X, y, names, units, y_unit):
    return SymbolicRegressor(backend="sisso", operators=OPS, rung=2, max_terms=2).fit(
        X, y, X_units=units, y_units=y_unit, variable_names=names)


def _planted(seed, n=200, noise=0.005):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 3, (n, 3))
    truth = 1.3 * X[:, 0] * X[:, 1] ** 2 / X[:, 2]
    return X, truth * (1 + noise * rng.standard_normal(n)), truth


@settings(max_examples=4 if SHORT else 12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), rescale=st.sampled_from(RESCALES))
def test_a_unit_prefix_does_not_change_the_formula(seed, rescale):
    unit, scaled_unit, factor = rescale
    X, y, _ = _planted(seed)
    assert_unit_scale_invariant(_fit, X, y, ["m", "v", "t"], UNITS, "kg*m^2/s", UNITS.index(unit),
                                scaled_unit, factor)


@settings(max_examples=3 if SHORT else 8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), perm=st.permutations([0, 1, 2]))
def test_column_order_does_not_change_the_formula(seed, perm):
    X, y, _ = _planted(seed)
    assert_column_permutation_invariant(_fit, X, y, ["m", "v", "t"], UNITS, "kg*m^2/s", perm)


@settings(max_examples=3 if SHORT else 8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), unit=st.sampled_from(["kg", "m", "s", "K", "dimensionless"]))
def test_a_distractor_never_removes_the_planted_formula_from_the_front(seed, unit):
    X, _, truth = _planted(seed, noise=0.0)
    names = ["m", "v", "t"]
    assert_planted_on_front(_fit(X, truth, names, UNITS, "kg*m^2/s"), X, truth)
    extra = np.column_stack([X, np.random.default_rng(seed + 1).uniform(1, 3, len(X))])
    assert_planted_on_front(_fit(extra, truth, [*names, "d"], [*UNITS, unit], "kg*m^2/s"), extra, truth)


def test_physical_constants_and_extreme_magnitudes_give_the_same_formula_without_warnings():
    # E = ħω with ħ ~ 1e-34 J·s, and the same law with the inputs near 1e100 and y near 1e200
    rng = np.random.default_rng(3)
    hbar, omega = rng.uniform(1, 2, 300) * 1.0546e-34, rng.uniform(1, 3, 300) * 1e15
    other = rng.uniform(1, 2, 300)
    X = np.column_stack([hbar, omega, other])
    names, units = ["hbar", "omega", "z"], ["J*s", "1/s", "m"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small = _fit(X, hbar * omega, names, units, "J")
        huge = _fit(X * np.array([1e134, 1e85, 1.0]), (hbar * 1e134) * (omega * 1e85), names,
                    ["J*s", "1/s", "m"], "J")
    assert set(small.best_.inputs) == {"hbar", "omega"} == set(huge.best_.inputs)
    assert small.best_.complexity == huge.best_.complexity
    assert small.best_.pure_number_coefficients


@pytest.mark.slow
def test_a_larger_operator_set_keeps_the_centre_of_mass_and_the_kinetic_energy():
    rng = np.random.default_rng(1)
    m1, m2, r1, r2, d = rng.uniform(1, 5, (5, 300))
    X = np.column_stack([m1, m2, r1, r2, d])
    truth = (m1 * r1 + m2 * r2) / (m1 + m2)
    names, units = ["m1", "m2", "r1", "r2", "d"], ["kg", "kg", "m", "m", "s"]
    for ops in (None, [*OPS, "exp", "log", "sin", "cos", "cube"]):
        model = SymbolicRegressor(backend="sisso", operators=ops, max_terms=1)
        model.fit(X, truth, X_units=units, y_units="m", variable_names=names)
        assert_planted_on_front(model, X, truth)
    m, v, u, w = rng.uniform(1, 5, (4, 300))
    X = np.column_stack([m, v, u, w, d])
    truth = m * (v**2 + u**2 + w**2) / 2
    model = SymbolicRegressor(backend="sisso").fit(X, truth, X_units=["kg", "m/s", "m/s", "m/s", "K"],
                                                   y_units="J", variable_names=["m", "v", "u", "w", "d"])
    assert_planted_on_front(model, X, truth)
