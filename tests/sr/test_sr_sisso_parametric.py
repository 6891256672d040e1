"""Constants inside functions (sisso/parametric.py): refinement, a fitted power near zero read as
the logarithm it stands for, and a fitted exponent rounded to the simple rational the data allow."""

import numpy as np
import pytest
import sympy

from helpers import assert_structure_on_front
from sagatsr.sr import SymbolicRegressor
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.sr.sisso.parametric import (POWER_DENOMINATORS, nearest_simple_exponent, prefer_log,
                                         prefer_rational_powers, refine)

S = sympy.Symbol("sigma", real=True)


def _rows(seed, n=400):
    rng = np.random.default_rng(seed)
    return rng.uniform(1, 3, n), rng


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_power_near_zero_becomes_the_log_it_stands_for(seed):
    sigma, rng = _rows(seed)
    y = 1.5 - 2.0 * np.log(sigma) + 0.01 * rng.standard_normal(sigma.size)
    # least squares on u^c drifts towards c → 0 with a huge coefficient: the log, never reached
    (tree,) = refine([S ** sympy.Float(-0.5)], [S], sigma[:, None], y, intercept=True)
    assert isinstance(tree.exp, sympy.Float) and abs(float(tree.exp)) < 0.2
    trees, complexity = prefer_log([tree], [3], [S], sigma[:, None], y, intercept=True)
    assert trees == [sympy.log(S)] and complexity == [2]


@pytest.mark.parametrize("power", [-1.5, -0.3, 0.5, 2.0])
def test_a_real_power_is_kept(power):
    sigma, rng = _rows(3)
    y = 1.5 + 2.0 * sigma**power + 0.001 * rng.standard_normal(sigma.size)
    (tree,) = refine([S ** sympy.Float(power + 0.1)], [S], sigma[:, None], y, intercept=True)
    trees, complexity = prefer_log([tree], [3], [S], sigma[:, None], y, intercept=True)
    assert trees == [tree] and complexity == [3]
    assert float(trees[0].exp) == pytest.approx(power, abs=0.02)


def test_without_an_intercept_the_log_cannot_stand_in():
    # y = 2·σ^0.05 through the origin: 2 + 0.1·log σ would need the constant the model does not have
    sigma, _ = _rows(4)
    y = 2.0 * sigma**0.05
    tree = S ** sympy.Float(0.05)
    assert prefer_log([tree], [3], [S], sigma[:, None], y, intercept=False) == ([tree], [3])


def test_a_noisy_gaussian_keeps_its_log_width_term():
    # log y = −log σ − θ²/2σ² (I.6.2 of AI Feynman): with 1 % noise the search found σ^c with a tiny c
    # in place of log σ, a formula no choice of constants makes exact
    rng = np.random.default_rng(5)
    X = rng.uniform(1.0, 3.0, (400, 3))
    sigma, theta = X[:, 0], X[:, 1]
    truth = np.exp(-0.5 * (theta / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)
    y = truth * (1 + 0.01 * rng.standard_normal(len(truth)))
    names = ["sigma", "theta", "d"]
    model = SymbolicRegressor(backend="sisso", rung=2, max_terms=2)
    model.fit(X, y, X_units=["dimensionless"] * 2 + ["K"], y_units="dimensionless", variable_names=names)
    assert_structure_on_front(model, X, truth, names)


@pytest.mark.parametrize("power", [-2.0, -1.5, 0.5, 1.0 / 3.0, 2.0, 3.0])
@pytest.mark.parametrize("noise", [0.003, 0.03])
def test_a_noisy_fitted_exponent_is_rounded_to_the_law_s_rational(power, noise):
    sigma, rng = _rows(5, n=200)
    clean = 1.5 + 2.0 * sigma**power
    y = clean + noise * np.std(clean) * rng.standard_normal(sigma.size)
    (tree,) = refine([S ** sympy.Float(power + 0.1)], [S], sigma[:, None], y, intercept=True)
    assert isinstance(tree.exp, sympy.Float) and float(tree.exp) != power  # noise moved it off the law
    trees, complexity = prefer_rational_powers([tree], [3], [S], sigma[:, None], y, intercept=True)
    assert trees == [S ** sympy.nsimplify(power)] and complexity == [3]


@pytest.mark.parametrize("power", [-1.37, 0.62, 1.8])
def test_an_exponent_the_data_pin_away_from_any_simple_rational_is_kept(power):
    sigma, rng = _rows(6)
    y = 1.5 + 2.0 * sigma**power + 0.001 * rng.standard_normal(sigma.size)
    (tree,) = refine([S ** sympy.Float(power + 0.1)], [S], sigma[:, None], y, intercept=True)
    assert prefer_rational_powers([tree], [3], [S], sigma[:, None], y, intercept=True) == ([tree], [3])


@settings(max_examples=200, deadline=None)
@given(st.floats(-6, 6, allow_nan=False))
def test_the_nearest_simple_exponent_is_nearest_among_its_rationals(c):
    r = nearest_simple_exponent(c)
    if r is None:  # only when every rational that close is 0: the log's business (prefer_log)
        assert abs(c) < 1 / (2 * max(POWER_DENOMINATORS))
        return
    assert r != 0 and r.q in POWER_DENOMINATORS
    others = [sympy.Rational(k, q) for q in POWER_DENOMINATORS for k in range(-30, 31) if k]
    assert abs(float(r) - c) <= min(abs(float(o) - c) for o in others) + 1e-12


def test_rounding_never_turns_a_term_into_a_copy_of_another():
    sigma, rng = _rows(7)
    y = 1.0 + 2.0 * sigma + 0.5 * sigma**1.02 + 0.01 * rng.standard_normal(sigma.size)
    (fitted,) = refine([S ** sympy.Float(1.1)], [S], sigma[:, None], y - 2.0 * sigma, intercept=True)
    trees, _ = prefer_rational_powers([S, fitted], [1, 3], [S], sigma[:, None], y, intercept=True)
    assert trees[0] == S and trees[1] != S  # x**1.0x next to x stays a fitted power
