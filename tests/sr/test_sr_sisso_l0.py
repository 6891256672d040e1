"""The exhaustive ℓ0 search (sisso/l0.py) against brute-force least squares: the closed forms for
one to three terms and the batched solves for four agree with ``numpy.linalg.lstsq`` on every
combination, collinear combinations are skipped, and the best of every total complexity is kept."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.sr.sisso import l0
from sagatsr.sr.sisso.l0 import best_combinations


def _brute(M, y, dim, intercept):
    """``{combination: SSE}`` by lstsq, leaving out the combinations whose unit-norm (centred, with
    an intercept) columns have a Gram determinant ≤ 1e-8: the engine's collinearity rule."""
    Z = M - M.mean(axis=0) if intercept else M
    Z = Z / np.linalg.norm(Z, axis=0)
    out = {}
    for combo in combinations(range(M.shape[1]), dim):
        if np.linalg.det(Z[:, combo].T @ Z[:, combo]) <= 1e-8:
            continue
        A = np.column_stack([np.ones(len(y)), M[:, combo]]) if intercept else M[:, combo]
        r = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
        out[combo] = float(r @ r)
    return out


def _data(seed, p):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(40, p)) * 10.0 ** rng.integers(-3, 4, p)  # any scales
    M[:, 1] = 3.0 * M[:, 0] - 2.0  # collinear with column 0 (with an intercept)
    y = 2.0 * M[:, 2] / np.std(M[:, 2]) - M[:, 3] / np.std(M[:, 3]) + 0.2 * rng.normal(size=40) + 5.0
    return M, y, rng.integers(1, 5, p)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(4, 9), dim=st.integers(1, 4),
       intercept=st.booleans(), keep=st.integers(1, 6))
def test_the_kept_combinations_are_the_brute_force_best(seed, p, dim, intercept, keep):
    M, y, complexity = _data(seed, p)
    got = best_combinations(M, y, dim, keep=keep, intercept=intercept, complexity=complexity)
    brute = _brute(M, y, dim, intercept)
    scale = max(brute.values(), default=1.0)
    for sse, combo in got:  # every reported SSE is the true one
        assert combo in brute, combo  # and never a collinear combination (0 and 1 together)
        assert sse == pytest.approx(brute[combo], rel=1e-6, abs=1e-9 * scale)
    ranked = sorted(brute.values())
    top = [sse for sse, _ in got[:keep]]
    assert top == pytest.approx(ranked[:keep], rel=1e-6, abs=1e-9 * scale)
    for total in {sum(complexity[list(c)]) for c in brute}:  # the best of each total complexity
        best = min(s for c, s in brute.items() if sum(complexity[list(c)]) == total)
        mine = [s for s, c in got if sum(complexity[list(c)]) == total]
        assert min(mine) == pytest.approx(best, rel=1e-6, abs=1e-9 * scale)


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_closed_forms_match_the_batched_solves(dim):
    M, y, complexity = _data(7, 12)
    Z = M - M.mean(axis=0)
    Z /= np.linalg.norm(Z, axis=0)
    G, b, yc = Z.T @ Z, Z.T @ (y - y.mean()), y - y.mean()
    closed = {tuple(c): s for block, sse in l0._closed_form(G, b, float(yc @ yc), dim, chunk=50)
              for c, s in zip(block, sse)}
    solved = {tuple(c): s for block, sse in l0._solved(G, b, float(yc @ yc), dim, chunk=50)
              for c, s in zip(block, sse)}
    assert list(closed) == sorted(closed)  # lexicographic order: ties are broken the same way
    finite = [c for c in solved if np.isfinite(solved[c])]
    assert [c for c in closed if np.isfinite(closed[c])] == finite  # the same ones skipped as collinear
    assert np.allclose([closed[c] for c in finite], [solved[c] for c in finite], rtol=1e-8, atol=1e-10)


def test_an_exact_three_term_law_is_found_among_many_columns():
    rng = np.random.default_rng(3)
    M = rng.uniform(1, 5, (200, 60))
    y = 0.5 * M[:, 4] * 1e-3 + 7.0 * M[:, 17] - 2.0 * M[:, 41]
    (sse, combo), *_ = best_combinations(M, y, 3, keep=3, chunk=1000)
    assert combo == (4, 17, 41) and sse < 1e-16 * float(np.sum((y - y.mean()) ** 2))
