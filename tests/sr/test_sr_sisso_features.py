"""Candidate construction (sisso/features.py): product partners scored against brute force, and a
factor uncorrelated with a sign-changing target still paired with its partner."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.sr.sisso import features
from sagatsr.sr.sisso.features import Candidates, _ProductScores


def _pearson(a, b):
    return abs(float(np.corrcoef(a, b)[0, 1]))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 4))
def test_product_partners_are_the_brute_force_best(seed, k):
    rng = np.random.default_rng(seed)
    n, count = 60, 25
    cands = Candidates(n, count)
    cands.block = 8  # several storage blocks
    for j in range(count):
        cands.try_add(rng.uniform(0.5, 2.0, n) * 10.0 ** rng.integers(-3, 4), sympy.Symbol(f"c{j}"), 1, np.zeros(7))
    y = cands.column(2) * cands.column(7) + rng.normal(scale=0.3, size=n) * np.std(cands.column(2) * cands.column(7))
    e = 2
    got = _ProductScores(cands, len(cands), y).best(e, skip=set(), k=k)
    brute = sorted(((_pearson(cands.column(e) * cands.column(f), y), "mul", f) for f in range(count) if f != e),
                   reverse=True)
    brute += [(_pearson(cands.column(f) / cands.column(e), y), "div", f) for f in range(count) if f != e]
    brute.sort(key=lambda t: -t[0])
    assert len(got) == k
    kth = brute[k - 1][0]
    scores = {(name, f): s for s, name, f in brute}
    assert all(scores[g] >= kth - 1e-9 for g in got)  # k pairs none worse than the brute-force k-th
    assert ("mul", 7) in got  # the planted product first


@pytest.mark.parametrize("partners", [0, 3])
def test_an_uncorrelated_factor_of_a_sign_changing_target_is_paired(monkeypatch, partners):
    # y = n·k·T·log(V2/V1) changes sign with log(V2/V1); n·k·T on its own correlates with nothing,
    # so it is neither in the rung-2 pool nor among the best-ranked partners: only its product
    # with log(V2/V1), scored directly, brings the pair together at rung 3
    monkeypatch.setattr(features, "PRODUCT_PARTNERS", partners)
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 5, (300, 5))
    n, k, T, V1, V2 = symbols = sympy.symbols("n k T V1 V2", real=True)
    y = X[:, 0] * X[:, 1] * X[:, 2] * np.log(X[:, 4] / X[:, 3])
    cands = Candidates(len(y), 200)
    for j, sym in enumerate(symbols):
        cands.try_add(X[:, j], sym, 1, np.zeros(7), 0)
    cands.try_add(X[:, 0] * X[:, 1] * X[:, 2], n * k * T, 5, np.zeros(7), 2)
    log_ratio = len(cands)
    cands.try_add(np.log(X[:, 4] / X[:, 3]), sympy.log(V2 / V1), 4, np.zeros(7), 2)
    for j in range(40):  # rung-2 distractors
        cands.try_add(rng.uniform(1, 2, len(y)), sympy.Symbol(f"z{j}"), 3, np.zeros(7), 2)
    start = len(cands)
    features._grow(cands, [log_ratio], list(range(5)), [], ["mul"], 200, 3, y, (),
                   _ProductScores(cands, start, y))
    product = [i for i in range(start, len(cands)) if _pearson(cands.column(i), y) > 1 - 1e-9]
    assert bool(product) == (partners > 0)
    if product:
        assert sympy.simplify(cands.tree(product[0]) - n * k * T * sympy.log(V2 / V1)) == 0
