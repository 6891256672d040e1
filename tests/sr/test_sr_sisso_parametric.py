"""Constants inside functions (sisso/parametric.py): refinement, and a fitted power near zero read as
the logarithm it stands for."""

import numpy as np
import pytest
import sympy

from helpers import assert_structure_on_front
from sagatsr.sr import SymbolicRegressor
from sagatsr.sr.sisso.parametric import prefer_log, refine

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
