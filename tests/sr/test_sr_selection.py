"""The ``best_`` rule's row-by-row comparison (sagatsr.sr.selection): a formula a little worse
everywhere is told from noise; a tie or a better formula is not penalised."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.sr import SymbolicRegressor
from sagatsr.sr.equation import Equation
from sagatsr.sr.selection import (NEAR_Z, PAIRED_TOLERANCE, PYSR_TOLERANCE, choose_best, default_tolerance,
                                  mark_excess, paired_excess_z)


def _noise(n=500, seed=0):
    return np.random.default_rng(seed).standard_normal(n)


def _bias(n=500, seed=1, share=0.1):
    """A smooth systematic error with mean square ``share`` (of a unit noise variance)."""
    x = np.random.default_rng(seed).uniform(-1, 1, n)
    b = np.sin(3 * x)
    return b * np.sqrt(share / np.mean(b**2))


def test_a_small_systematic_excess_is_significant_row_by_row():
    noise, bias = _noise(), _bias()
    approx = noise + bias
    # 10 % worse: well inside a 1.5x tolerance, and within what two independent noisy MSEs resolve
    assert np.mean(approx**2) < 1.2 * np.mean(noise**2)
    assert paired_excess_z(approx, noise) > NEAR_Z
    assert paired_excess_z(noise, approx) == 0.0  # the better formula has no excess


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(1e-3, 1e3))
def test_the_comparison_is_one_sided_and_scale_free(seed, scale):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(400), rng.standard_normal(400) * rng.uniform(0.8, 1.2)
    assert paired_excess_z(a, a) == 0.0
    z_ab, z_ba = paired_excess_z(a, b), paired_excess_z(b, a)
    assert min(z_ab, z_ba) == 0.0  # only the worse of two formulas has an excess
    # residuals are in units of std(y): the same data in other units gives the same verdict
    assert paired_excess_z(scale * a, scale * b) == pytest.approx(z_ab, rel=1e-9)


def test_exact_fits_tie_whatever_their_round_off():
    tiny = np.random.default_rng(3).standard_normal(100) * 1e-9
    assert paired_excess_z(2 * tiny, tiny) == 0.0


def _equation(complexity, residuals, pure=True):
    return Equation(expression=f"x{complexity}", sympy=sympy.Symbol(f"x{complexity}"), complexity=complexity,
                    loss=float(np.mean(residuals**2)), cv_loss=float(np.mean(residuals**2)),
                    nmse=float(np.mean(residuals**2)), cv_nmse=float(np.mean(residuals**2)),
                    cv_residuals=residuals, pure_number_coefficients=pure)


def test_best_skips_a_simpler_formula_that_is_worse_row_by_row():
    noise = 0.03 * _noise()
    exact, approx = _equation(9, noise), _equation(5, noise + 0.03 * _bias())
    crude = _equation(1, noise + 1.0)
    front = [crude, approx, exact]
    # without the row-by-row comparison the cheaper approximation wins on gain per complexity
    assert choose_best(front, 1.5, 1.0) is approx
    mark_excess(front)
    assert exact.cv_excess_z == 0.0 and approx.cv_excess_z > NEAR_Z
    assert choose_best(front, 1.5, 1.0) is exact


def test_an_insignificant_excess_keeps_the_simpler_formula():
    noise = 0.03 * _noise()
    overfit = _equation(15, noise * 0.999 + 0.0005 * _noise(seed=9))
    simple = _equation(5, noise)
    front = [_equation(1, noise + 1.0), simple, overfit]
    mark_excess(front)
    assert simple.cv_excess_z <= NEAR_Z and choose_best(front, 1.5, 1.0) is simple


def test_with_row_by_row_errors_the_simplest_formula_not_significantly_worse_is_chosen():
    """Small data: a bigger formula has the lowest held-out loss, with the largest gain per
    complexity, but the paired test cannot tell the simple one from it; the simple one is chosen.
    Without the row-by-row errors (the Julia front) PySR's gain rule still picks the bigger one."""
    noise = _noise(n=40, seed=4)
    shrunk = noise.copy()
    shrunk[np.argsort(-np.abs(noise))[:3]] *= 0.1  # 29 % lower loss, all of it on 3 of 40 rows
    simple, bigger = _equation(5, noise), _equation(9, shrunk)
    front = [_equation(1, noise + 0.6), simple, bigger]
    assert choose_best(front, None, 1.0) is bigger  # no paired errors yet: PySR's rule
    mark_excess(front)
    assert default_tolerance(front) == PAIRED_TOLERANCE
    assert simple.cv_nmse <= PAIRED_TOLERANCE * bigger.cv_nmse and simple.cv_excess_z <= NEAR_Z
    assert choose_best(front, None, 1.0) is simple
    # a tolerance the simple formula's loss exceeds keeps it out, whatever the paired test says
    assert choose_best(front, 1.01, 1.0) is bigger


def test_the_default_tolerance_is_pysr_s_without_row_by_row_errors():
    front = [_equation(3, _noise(n=50)), _equation(5, 0.5 * _noise(n=50))]
    assert all(eq.cv_excess_z is None for eq in front) and default_tolerance(front) == PYSR_TOLERANCE


def test_a_fitted_regressor_marks_its_front_and_best_is_not_significantly_worse():
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 3, (300, 3))
    y = X[:, 0] / (1.2 - 0.3 * X[:, 1]) + 0.01 * rng.standard_normal(300)
    model = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, variable_names=["a", "b", "c"])
    zs = [e.cv_excess_z for e in model.pareto_front_]
    assert all(z is not None and z >= 0 for z in zs) and min(zs) == 0.0
    assert model.best_.cv_excess_z <= NEAR_Z


def test_inner_constants_are_refitted_without_the_held_out_rows():
    """A pole fitted just beyond the largest x explains that row only; held-out rows see it only
    when each fold fits the constant without them."""
    from sagatsr.sr.sisso.parametric import InnerConstants
    from sagatsr.sr.sisso.select import cv_errors

    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 1, 60))
    y = 0.1 * rng.standard_normal(60)
    y[-1] = 5.0  # one extreme row
    X, sym = x[:, None], sympy.Symbol("x", real=True)
    constants = InnerConstants([1 / (sym - sympy.Float(1.2))], [sym], intercept=True)
    p = constants.fit(X, y)
    assert 0 < -p[0] - x[-1] < 0.01  # the pole (x = -p) moved next to the largest x
    D = constants.columns(X, p)

    def refit(train):
        return constants.columns(X, constants.fit(X[train], y[train]))

    seen = np.mean(cv_errors(D, y) ** 2)
    honest = np.mean(cv_errors(D, y, refit=refit) ** 2)
    assert honest > 10 * seen  # the extreme row is no longer predicted by a pole fitted on it
