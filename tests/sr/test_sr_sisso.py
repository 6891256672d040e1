"""The embedded sisso engine: planted recovery, column-permutation invariance, unit guarantees."""

import os

import numpy as np
import sympy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpers import assert_sr_units_consistent
from sagatsr.sr import SymbolicRegressor
from sagatsr.units import dimension_vector

SHORT = bool(os.environ.get("SAGATSR_SHORT"))
UNITS = ["eV", "angstrom", "GPa", "amu", "K", "dimensionless", "g/cm^3"]


def _features(seed, n_rows=120, n_features=5, units=None):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.5, 3.0, (n_rows, n_features))
    if units is None:
        units = [UNITS[i] for i in rng.choice(len(UNITS), n_features)]
    names = [f"f{i}" for i in range(n_features)]
    return rng, X, names, list(units)


def _planted(kind, X, names):
    """(descriptor sympy expressions, y without intercept/noise, required same units?)."""
    s = [sympy.Symbol(n, real=True) for n in names]
    if kind == "product":
        return [s[0] * s[1]], X[:, 0] * X[:, 1]
    if kind == "quotient":
        return [s[0] / s[1]], X[:, 0] / X[:, 1]
    if kind == "sqrt":
        return [sympy.sqrt(s[0]) * s[2]], np.sqrt(X[:, 0]) * X[:, 2]
    return [s[0], s[3]], X[:, 0] - 0.7 * X[:, 3] / 1.3  # two same-unit terms


def _same_descriptors(found, planted):
    found = [sympy.sympify(d) if isinstance(d, str) else d for d in found]
    if len(found) != len(planted):
        return False
    return all(any(sympy.simplify(p / f.subs({sym: sympy.Symbol(sym.name, real=True)
                                               for sym in f.free_symbols})).is_number
                   for f in found) for p in planted)


def _descriptors(equation):
    """The terms of the expanded formula without their coefficients: c*(a + b) + d*b counts as a, b."""
    return [sympy.Mul(*[f for f in term.as_ordered_factors() if not f.is_Number])
            for term in sympy.Add.make_args(sympy.expand(equation.sympy)) if not term.is_Number]


# no shrinking: each example is a full fit (the failing example is still printed and replayed)
@settings(max_examples=6 if SHORT else 20, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(kind=st.sampled_from(["product", "quotient", "sqrt", "sum"]), seed=st.integers(0, 10_000),
       scale=st.floats(0.2, 5.0), noise=st.floats(0.0, 0.01))
def test_planted_formulas_are_recovered(kind, seed, scale, noise):
    # 400 rows: with fewer, chance correlations among ~10^3 candidates let a spurious 2nd term cut
    # the MSE by more than the 1.1x tolerance of the best_ rule at 1% noise
    rng, X, names, units = _features(seed, n_rows=400)
    if kind == "sum":
        units[3] = units[0]
    planted, signal = _planted(kind, X, names)
    y = scale * signal + 0.4
    y = y + noise * np.std(y) * rng.standard_normal(len(y))
    model = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, X_units=units, variable_names=names)
    assert _same_descriptors(_descriptors(model.best_), planted), (model.best_.expression, planted)


@settings(max_examples=3 if SHORT else 8, deadline=None)
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_permuting_columns_keeps_the_chosen_formula(seed, perm_seed):
    rng, X, names, units = _features(seed, n_features=4)
    y = 2.0 * X[:, 1] / X[:, 2] + 0.05 * rng.standard_normal(len(X))
    base = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, X_units=units, variable_names=names)
    perm = np.random.default_rng(perm_seed).permutation(4)
    other = SymbolicRegressor(backend="sisso", max_terms=2).fit(
        X[:, perm], y, X_units=[units[i] for i in perm], variable_names=[names[i] for i in perm])
    assert sympy.simplify(base.best_.sympy - other.best_.sympy) == 0 or np.allclose(
        base.predict(X), other.predict(X[:, perm]), rtol=1e-9)
    assert base.best_.complexity == other.best_.complexity
    assert set(base.best_.inputs) == set(other.best_.inputs)


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), unit_idx=st.lists(st.integers(0, len(UNITS) - 1), min_size=4,
                                                       max_size=4),
       y_unit=st.sampled_from(UNITS))
def test_no_emitted_formula_is_dimensionally_inconsistent(seed, unit_idx, y_unit):
    units = [UNITS[i] for i in unit_idx]
    rng, X, names, units = _features(seed, n_rows=50, n_features=4, units=units)
    y = rng.standard_normal(50)
    ops = ["add", "sub", "mul", "div", "absdiff", "harmonic", "inv", "sqrt", "square", "exp", "log",
           "logistic", "cbrt"]
    model = SymbolicRegressor(backend="sisso", operators=ops, max_terms=2, max_candidates=3000)
    model.fit(X, y, X_units=units, y_units=y_unit, variable_names=names)
    for eq in model.pareto_front_:
        assert eq.dimensionally_consistent and eq.units == y_unit
        assert_sr_units_consistent(eq, dict(zip(names, units)), y_unit)


def test_strict_mode_only_uses_descriptors_with_the_unit_of_y():
    rng, X, names, _ = _features(3, n_features=4)
    units = ["eV", "angstrom", "angstrom", "dimensionless"]
    y = 1.5 * X[:, 0] / X[:, 1] + X[:, 3]  # dimensionless y: x0/x1 is eV/Å, not allowed
    free = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, X_units=units, variable_names=names)
    assert "f0" in free.best_.inputs
    strict = SymbolicRegressor(backend="sisso", max_terms=2, require_dimensionless_coefficients=True)
    strict.fit(X, y, X_units=units, variable_names=names)
    for eq in strict.pareto_front_:
        for entry in eq.coefficients:
            assert np.allclose(dimension_vector(entry["units"]), 0), entry
    assert strict.best_.loss > free.best_.loss


def test_planted_formula_is_found_among_many_distractor_features():
    # 140 primaries: the full rung-2 space is far beyond max_candidates, so rung 1 must not fill
    # the cap; the lower rungs are screened by |r| with y and only the best-ranked are combined
    rng, X, names, units = _features(11, n_rows=300, n_features=140)
    a, b, c = 37, 81, 119  # not the first columns, so column order gives no head start
    s = [sympy.Symbol(names[i], real=True) for i in (a, b, c)]
    y = 2.5 * X[:, a] * X[:, b] / X[:, c] + 0.3
    y = y + 0.005 * np.std(y) * rng.standard_normal(len(y))
    model = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, X_units=units, variable_names=names)
    assert _same_descriptors(_descriptors(model.best_), [s[0] * s[1] / s[2]]), model.best_.expression
    assert set(model.best_.inputs) == {names[a], names[b], names[c]}


def test_the_front_starts_with_the_best_single_input():
    # y is driven by a*b, so screening ranks combinations first; a alone must still be on the front
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 3, (200, 3))
    y = 3 * X[:, 0] * X[:, 1] + X[:, 0] + 0.5 * rng.standard_normal(200)
    model = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, variable_names=["a", "b", "c"])
    simplest = model.pareto_front_[0]
    assert simplest.inputs == ["a"] and len(_descriptors(simplest)) == 1
    errors = {name: np.var(y - np.polyval(np.polyfit(X[:, k], y, 1), X[:, k])) for k, name in enumerate("abc")}
    assert min(errors, key=errors.get) == "a"
    np.testing.assert_allclose(simplest.loss, errors["a"], rtol=1e-6)


def test_a_plain_formula_beats_its_near_copies_with_a_tiny_extra_factor():
    # parametric candidates such as f1*exp(0.003*f0)/f2 fit noise slightly better than f1/f2; the
    # front must still hold the plain quotient and best_ must choose it
    rng, X, names, units = _features(0, n_features=4)
    y = 2.0 * X[:, 1] / X[:, 2] + 0.05 * rng.standard_normal(len(X))
    model = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, X_units=units, variable_names=names)
    quotient = sympy.Symbol("f1", real=True) / sympy.Symbol("f2", real=True)
    assert any(_same_descriptors(_descriptors(eq), [quotient]) for eq in model.pareto_front_)
    assert _same_descriptors(_descriptors(model.best_), [quotient]), model.best_.expression
