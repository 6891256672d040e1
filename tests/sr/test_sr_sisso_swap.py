"""Swaps over all candidates (sisso/swap.py): the closed-form best addition against brute force."""

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.sr.sisso.features import Candidates
from sagatsr.sr.sisso.swap import SwapSpace, improve, simple_pairs


def _candidates(seed, n_rows=40, count=30, block_rows=None):
    rng = np.random.default_rng(seed)
    cands = Candidates(n_rows, count)
    if block_rows:
        cands.block = block_rows  # several storage blocks even for a small test
    for k in range(count):
        cands.try_add(rng.normal(size=n_rows) * 10.0 ** rng.integers(-3, 4), sympy.Symbol(f"c{k}"), 1, np.zeros(7))
    return cands, rng


def _sse(A, y):
    return float(np.sum((y - A @ np.linalg.lstsq(A, y, rcond=None)[0]) ** 2))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), fraction=st.sampled_from([0.2, 0.5, 0.8, 1.0]),
       block_rows=st.sampled_from([None, 7]))
def test_best_addition_is_the_brute_force_best(seed, fraction, block_rows):
    cands, rng = _candidates(seed, block_rows=block_rows)
    allowed = np.sort(rng.choice(len(cands), max(1, int(fraction * len(cands))), replace=False))
    y = rng.normal(size=cands.n_rows)
    base = [np.ones(cands.n_rows), cands.column(int(allowed[0]))]
    Q = np.linalg.qr(np.column_stack(base))[0]
    r = y - Q @ (Q.T @ y)
    index, gain = SwapSpace(cands, allowed).best_addition(Q, r)
    before = _sse(np.column_stack(base), y)
    gains = {int(i): before - _sse(np.column_stack([*base, cands.column(int(i))]), y) for i in allowed[1:]}
    best = max(gains, key=gains.get)
    assert index in set(allowed.tolist())  # never a candidate the search was not allowed
    assert gains[index] >= gains[best] * (1 - 1e-6) - 1e-9 * before
    assert gain == np.float64(gain) and abs(gain - gains[index]) <= 1e-6 * max(before, 1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_swaps_only_ever_lower_the_error(seed):
    cands, rng = _candidates(seed)
    allowed = np.arange(len(cands))
    unit = lambda i: cands.column(i) / np.std(cands.column(i))  # noqa: E731
    y = 2.0 * unit(3) - unit(11) + 0.1 * rng.normal(size=cands.n_rows)
    start = (0, 1)
    found = improve(cands, allowed, y, start, intercept=True)
    design = lambda combo: np.column_stack([np.ones(cands.n_rows), cands.columns(combo)])  # noqa: E731
    assert _sse(design(found), y) <= _sse(design(start), y)
    assert set(found) == {3, 11}  # the planted pair, from a start that shares none of it


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_each_simple_term_gets_its_best_partner_over_all_candidates(seed):
    # y = u + 0.5·c17 with u simple (complexity 1) and c17 one of many complex candidates (5)
    rng = np.random.default_rng(seed)
    n = 60
    cands = Candidates(n, 40)
    cands.try_add(rng.uniform(1, 2, n), sympy.Symbol("u"), 1, np.zeros(7))
    for k in range(1, 40):
        cands.try_add(rng.normal(size=n), sympy.Symbol(f"c{k}"), 5, np.zeros(7))
    y = cands.column(0) + 0.5 * cands.column(17) / np.std(cands.column(17))
    allowed = np.arange(len(cands))
    pairs = simple_pairs(cands, allowed, y, intercept=True, space=SwapSpace(cands, allowed))
    assert pairs == [(0, 17)]  # the only simple start, with the exact partner
    assert simple_pairs(cands, allowed[1:], y, intercept=True, space=SwapSpace(cands, allowed[1:])) == []
