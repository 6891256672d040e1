"""The pre-filter before formulas are written (sagatsr.sr.sisso.front.quick_front): skipping the
models larger than an exact fit saves work and does not change the front."""

import numpy as np
import pytest

import sagatsr.sr.sisso.engine as engine
from sagatsr.sr import SymbolicRegressor
from sagatsr.sr.sisso.front import Model, quick_front, with_submodels


class _Columns:
    """Stand-in for the engine's candidate store: fixed columns and complexities, what quick_front reads."""

    def __init__(self, columns, complexity, fitted=()):
        self._columns, self.complexity, self._fitted = np.asarray(columns, float), list(complexity), set(fitted)

    def columns(self, indices):
        return self._columns[:, list(indices)]

    def has_fitted_constant(self, i):
        return i in self._fitted


def test_nothing_larger_than_an_exact_fit_is_kept_but_its_ties_are():
    x = np.random.default_rng(0).uniform(1, 2, (50, 4))
    y = 3 * x[:, 1]
    # 0: unrelated; 1: the exact descriptor; 2: also exact (same column) at the same complexity;
    # 3: exact again, more complex; fitted model with the exact one inside, more complex still
    cands = _Columns(np.column_stack([x[:, 0], x[:, 1], x[:, 1], 2 * x[:, 1], x[:, 2]]), [1, 3, 3, 5, 4], fitted={4})
    models = [Model((0,), True), Model((1,), True), Model((2,), True), Model((3,), True), Model((1, 4), True)]
    kept = quick_front(cands, models, y)
    assert Model((0,), True) in kept  # simpler than the exact fit: may still be on the front
    assert Model((1,), True) in kept and Model((2,), True) in kept  # exact ties: decided later
    assert Model((3,), True) not in kept and Model((1, 4), True) not in kept


@pytest.mark.parametrize("law", ["product", "ratio"])
def test_with_an_exact_law_the_pre_filter_does_not_change_the_front(monkeypatch, law):
    """Noise-free, so the exact law ends the front. (With noise, models holding fitted inner
    constants are kept only within REFINE_MARGIN of the front, a few per complexity: tested below.)"""
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 3, (200, 4))
    y = X[:, 0] * X[:, 1] / X[:, 2] if law == "ratio" else 2 * X[:, 0] * X[:, 3]
    names = ["a", "b", "c", "d"]

    def front():
        model = SymbolicRegressor(backend="sisso", max_terms=2, rung=2).fit(X, y, variable_names=names)
        return [(eq.expression, eq.complexity) for eq in model.pareto_front_], model.best_.expression

    pruned = front()
    # every model written out as a formula, none skipped
    monkeypatch.setattr(engine, "quick_front", lambda cands, models, y: with_submodels(models))
    assert front() == pruned


def test_models_kept_only_for_refinement_are_capped_per_complexity_and_in_all(monkeypatch):
    """With noise every model sits near the noise floor, within REFINE_MARGIN: the fitted ones kept
    only for refinement are the few best of each complexity, simplest first, up to a total."""
    import sagatsr.sr.sisso.front as front

    monkeypatch.setattr(front, "REFINE_PER_COMPLEXITY", 2)
    monkeypatch.setattr(front, "REFINE_TOTAL", 5)
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 2, 300)
    y = 3 * x + rng.normal(scale=0.03, size=300)
    # 0: the law; 1..24: the law plus a little noise each, fitted, four per complexity 3, 5, ..., 13
    columns = [x] + [x + rng.normal(scale=0.005 + 0.0015 * (k % 4), size=300) for k in range(24)]
    complexity = [1] + [3 + 2 * (k // 4) for k in range(24)]
    cands = _Columns(np.column_stack(columns), complexity, fitted=set(range(1, 25)))
    kept = quick_front(cands, [Model((k,), True) for k in range(25)], y)
    assert kept[0] == Model((0,), True)  # the front itself
    refined = [m.combo[0] for m in kept[1:]]
    assert len(refined) == 5  # the total
    for c in {complexity[k] for k in refined}:  # at most 2 of a complexity, the lowest-error ones
        mine = [k for k in range(1, 25) if complexity[k] == c]
        errors = {k: front.quick_nmse(cands, Model((k,), True), y) for k in mine}
        chosen = [k for k in refined if complexity[k] == c]
        assert len(chosen) <= 2 and sorted(chosen) == sorted(sorted(mine, key=errors.get)[:len(chosen)])
    assert sorted({complexity[k] for k in refined}) == [3, 5, 7]  # simplest first


@pytest.mark.parametrize("y_units", ["eV", None])
def test_an_exact_law_through_the_origin_has_no_round_off_intercept(y_units):
    """Pure-number features and y in eV: no descriptor has y's unit, yet the exact law 2·a/b² has no
    intercept; it used to come out as 2·a/b² + 2.5e-16."""
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 3, (40, 2))
    y = 2 * X[:, 0] / X[:, 1] ** 2
    model = SymbolicRegressor(backend="sisso", max_terms=2).fit(
        X, y, X_units=None if y_units is None else ["dimensionless"] * 2, y_units=y_units, variable_names=["a", "b"])
    constant, _ = model.best_.sympy.as_coeff_Add()
    assert constant == 0, model.best_.expression
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-12)
