"""The "right law up to fitted constants" check (sr/structure.py) used by tests and benchmarks."""

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.sr.structure import matches_up_to_constants

A, B = SYMBOLS = sympy.symbols("a b", real=True)


def _points(seed=0, n=300):
    return np.random.default_rng(seed).uniform(1, 3, (n, 2))


@settings(max_examples=20, deadline=None)
@given(wrong=st.lists(st.floats(0.5, 2.0), min_size=3, max_size=3, unique=True), seed=st.integers(0, 1000))
def test_the_law_with_any_constants_matches(wrong, seed):
    X = _points(seed)
    truth = 2.0 * X[:, 0] * np.exp(-0.5 * X[:, 1] ** 2) + 1.0
    k1, k2, k3 = (sympy.Float(w) for w in wrong)
    assert matches_up_to_constants(k1 * A * sympy.exp(-k2 * B**2) + k3, SYMBOLS, X, truth)


def test_another_form_or_a_missing_term_does_not():
    X = _points()
    truth = 2.0 * X[:, 0] * np.exp(-0.5 * X[:, 1] ** 2) + 1.0
    assert not matches_up_to_constants(sympy.Float(2.0) * A * sympy.exp(-sympy.Float(0.5) * B**2), SYMBOLS, X, truth)
    assert not matches_up_to_constants(sympy.Float(2.0) * A / (1 + sympy.Float(0.5) * B**2) + sympy.Float(1.0),
                                       SYMBOLS, X, truth)
    # no constant to fit: exactly right or not at all
    assert matches_up_to_constants(A + B, SYMBOLS, X, X[:, 0] + X[:, 1])
    assert not matches_up_to_constants(A + B, SYMBOLS, X, X[:, 0] + 1.001 * X[:, 1])


def test_nan_on_some_points_is_a_miss():
    X = _points()
    truth = np.sqrt(np.abs(X[:, 0] - 2.0))
    assert matches_up_to_constants(sympy.sqrt(sympy.Abs(A - 2)), SYMBOLS, X, truth)
    assert not matches_up_to_constants(sympy.sqrt(A - 2), SYMBOLS, X, truth)  # NaN where a < 2
