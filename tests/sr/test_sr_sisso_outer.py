"""Outer functions of the sisso engine (y = T⁻¹(linear model)): transforms, unit verdicts, recovery."""

import os

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import (assert_loader_round_trip, assert_planted_on_front, assert_sr_units_consistent,
                     assert_structure_on_front)
from sagatsr.sr import SymbolicRegressor
from sagatsr.sr.coefficient_units import annotate_coefficients
from sagatsr.sr.sisso.front import Model, with_submodels
from sagatsr.sr.sisso.outer import IDENTITY, OUTERS, applicable, outers_from
from sagatsr.sr.unitcheck import verdicts

SHORT = bool(os.environ.get("SAGATSR_SHORT"))
BY_NAME = {o.name: o for o in OUTERS}


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(BY_NAME)), sign=st.sampled_from([1.0, -1.0]),
       log_scale=st.floats(-30, 30), seed=st.integers(0, 1000))
def test_transform_round_trip_and_user_scale(name, sign, log_scale, seed):
    outer = BY_NAME[name]
    y = sign * np.random.default_rng(seed).uniform(0.1, 10.0, 50)
    t = outer.forward(y, sign)
    np.testing.assert_allclose(outer.inverse(t, sign), y, rtol=1e-12)
    # T(s·y) = factor·T(y) + offset: how the engine writes its coefficients in the user's unit
    s = 10.0**log_scale
    factor, offset = outer.t_scale(s)
    np.testing.assert_allclose(outer.forward(s * y, sign), factor * t + offset, rtol=1e-9, atol=1e-9)


def test_which_transforms_apply():
    metres, none = np.array([0, 1, 0, 0, 0, 0, 0.0]), np.zeros(7)
    everything = tuple(BY_NAME)
    positive = np.linspace(1, 2, 10)
    assert [o.name for o, _ in applicable(positive, metres, everything, strict=False)] == ["identity", *everything]
    assert [s for _, s in applicable(-positive, metres, everything, strict=False)] == [1.0] + [-1.0] * 4
    # a sign change or a value at zero: T would not be smooth on the data
    assert applicable(positive - 1.5, metres, everything, strict=False) == [(IDENTITY, 1.0)]
    assert applicable(np.append(positive, 0.0), metres, everything, strict=False) == [(IDENTITY, 1.0)]
    # strict units: exp(c0) would carry the unit of a dimensional y
    assert "log" not in [o.name for o, _ in applicable(positive, metres, everything, strict=True)]
    assert "log" in [o.name for o, _ in applicable(positive, none, everything, strict=True)]
    # y near 1e200 in its unit: y² and 1/y² would overflow, 1/y ~ 1e-200 is fine
    assert [o.name for o, _ in applicable(positive, metres, everything, False, y_scale=1e200)] == ["identity", "inverse", "log"]


def test_outer_functions_follow_the_operator_set():
    assert outers_from(["add", "mul", "sqrt", "inv", "exp"]) == ("square", "inverse", "inverse_square", "log")
    assert outers_from(["add", "mul", "sqrt"]) == ("square",)
    assert outers_from(["add", "mul"]) == ()


def test_unit_verdicts_of_outer_formulas():
    a, b, x = sympy.symbols("a b x", real=True)
    names, units = ["a", "b", "x"], ["m", "m", "dimensionless"]
    assert verdicts(sympy.sqrt(2.0 * a**2 + 0.5 * b**2), names, units, "m") == (True, True)
    # coefficients may carry units (units="fit"): 0.5 carries m; pure numbers they are not
    assert verdicts(sympy.sqrt(2.0 * a**2 + 0.5 * b), names, units, "m") == (True, False)
    assert verdicts(sympy.sqrt(2.0 * a**2 + 0.5 * sympy.exp(b)), names, units, "m") == (False, False)
    assert verdicts(1 / sympy.sqrt(1.5 / a**2 - 0.3 / b**2), names, units, "m") == (True, True)
    # a constant term beside m² terms carries a unit: consistent, not pure numbers
    assert verdicts(-sympy.sqrt(1.0 + 2.0 * a**2), names, units, "m") == (True, False)
    # exp(c0 + c1·x): exp(c0) carries y's unit unless y is dimensionless
    assert verdicts(sympy.exp(1.0 - 0.5 * x**2), names, units, "m") == (True, False)
    assert verdicts(sympy.exp(1.0 - 0.5 * x**2), names, units, "dimensionless") == (True, True)
    assert verdicts(sympy.exp(1.0 - 0.5 * a), names, units, "dimensionless") == (False, False)


def test_submodels_are_offered():
    m = Model((3, 7, 9), True, BY_NAME["square"], 1.0)
    subs = with_submodels([m])
    assert Model((7, 9), True, BY_NAME["square"], 1.0) in subs and len(subs) == 4
    assert with_submodels([Model((2,), False)]) == [Model((2,), False)]


def _planted(law, seed, n=300, noise=0.0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 3.0, (n, 4))  # a, b, two distractors
    a, b = X[:, 0], X[:, 1]
    truth = {"hypot": np.sqrt(a**2 + b**2), "inverse_sum": 1.0 / (1.0 / a + 2.0 * b),
             "gaussian": np.exp(-0.5 * (a / b) ** 2) / b}[law]
    y = truth * (1 + noise * rng.standard_normal(n))
    return X, y, truth


LAWS = {"hypot": (["m", "m", "K", "s"], "m"), "inverse_sum": (["m", "1/m", "K", "s"], "m"),
        "gaussian": (["dimensionless"] * 2 + ["K", "s"], "dimensionless")}


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no numpy warning escapes the search
@pytest.mark.parametrize("law", sorted(LAWS))
def test_laws_linear_only_after_a_transform_are_recovered_with_units(law):
    X, y, truth = _planted(law, seed=4)
    X_units, y_unit = LAWS[law]
    names = ["a", "b", "d1", "d2"]
    model = SymbolicRegressor(backend="sisso", rung=2, max_terms=2)
    model.fit(X, y, X_units=X_units, y_units=y_unit, variable_names=names)
    assert_planted_on_front(model, X, truth, rtol=1e-8)
    best = model.best_
    np.testing.assert_allclose(best.evaluate(X, names), truth, rtol=1e-8)
    assert set(best.inputs) == {"a", "b"}
    assert best.dimensionally_consistent and best.pure_number_coefficients, best.expression
    for eq in model.pareto_front_:
        assert_sr_units_consistent(eq, dict(zip(names, X_units)), y_unit)
        assert eq.dimensionally_consistent
    loaded = assert_loader_round_trip(model, X)
    assert loaded.best_.expression == best.expression
    annotated = annotate_coefficients(best, dict(zip(names, X_units)), y_unit)
    assert all(entry["pure_number"] for entry in annotated), annotated


def test_a_transform_never_costs_the_plain_formula():
    # y = a·b is linear as it stands: the plain product must stay best with transforms switched on
    rng = np.random.default_rng(1)
    X = rng.uniform(1, 3, (200, 3))
    y = 1.7 * X[:, 0] * X[:, 1]
    model = SymbolicRegressor(backend="sisso", rung=2, max_terms=2)
    model.fit(X, y, X_units=["m", "N", "K"], y_units="J", variable_names=["a", "b", "c"])
    assert model.best_.coefficients[0].get("outer") is None
    np.testing.assert_allclose(model.best_.evaluate(X, ["a", "b", "c"]), y, rtol=1e-10)


def test_an_even_root_takes_the_magnitude():
    square, inverse_square = BY_NAME["square"], BY_NAME["inverse_square"]
    t = np.concatenate([-np.linspace(0.5, 5, 7), np.linspace(0.5, 5, 7)])
    np.testing.assert_allclose(square.inverse(t), np.sqrt(np.abs(t)))
    np.testing.assert_allclose(inverse_square.inverse(t, -1.0), -1 / np.sqrt(np.abs(t)))
    h = 1e-6  # the Gauss-Newton slope is the derivative of that inverse on both sides of zero
    for outer in (square, inverse_square):
        numeric = (outer.inverse(t + h) - outer.inverse(t - h)) / (2 * h)
        np.testing.assert_allclose(outer.slope(t), numeric, rtol=1e-6)
    a, b = sympy.symbols("a b", real=True)
    assert square.wrap(2.0 * a**2 + 0.5 * b**2, absolute=True) == sympy.sqrt(2.0 * a**2 + 0.5 * b**2)
    assert isinstance(square.wrap(2.0 * a**2 - 0.5 * b**2, absolute=True).base, sympy.Abs)
    assert not square.wrap(2.0 * a**2 - 0.5 * b**2).has(sympy.Abs)
    assert verdicts(sympy.sqrt(sympy.Abs(2.0 * a**2 - 0.5 * b**2)), ["a", "b"], ["m", "m"], "m") == (True, True)
    assert verdicts(sympy.sqrt(sympy.Abs(2.0 * a**2 - 0.5 * b)), ["a", "b"], ["m", "m"], "m") == (True, False)


def test_a_noisy_law_whose_fit_dips_below_zero_under_the_root_stays_on_the_front():
    # the law of cosines c = √(a² + b² − 2ab·cos θ) with c near zero on a few rows (a ≈ b, θ ≈ 0):
    # with 1 % noise the fitted c² of the exact law is negative on one of them, and √ of it made
    # the law NaN there and dropped it from the front
    rng = np.random.default_rng(0)
    n = 300
    a, d1 = rng.uniform(1, 3, n), rng.uniform(1, 3, n)
    b = np.where(np.arange(n) < 10, a * (1 + rng.uniform(1e-4, 1e-3, n)), rng.uniform(1, 3, n))
    theta = np.where(np.arange(n) < 10, rng.uniform(0, 1e-3, n), rng.uniform(0, 2, n))
    X = np.column_stack([a, b, theta, d1])
    truth = np.sqrt(a**2 + b**2 - 2 * a * b * np.cos(theta))
    y = truth * (1 + 0.01 * rng.standard_normal(n))
    names, units = ["a", "b", "theta", "d1"], ["m", "m", "dimensionless", "s"]
    model = SymbolicRegressor(backend="sisso", rung=2, max_terms=2)
    model.fit(X, y, X_units=units, y_units="m", variable_names=names)
    assert_structure_on_front(model, X, truth, names)
    assert any(eq.sympy.has(sympy.Abs) for eq in model.pareto_front_)  # written as it was scored
    for eq in model.pareto_front_:
        assert_sr_units_consistent(eq, dict(zip(names, units)), "m")
    assert_loader_round_trip(model, X)
