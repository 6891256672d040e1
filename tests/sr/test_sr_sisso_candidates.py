"""The candidate store (sisso/candidates.py) and the batched pair builder (features._apply_pairs):
a matrix of columns judged in one pass gets the verdicts of one-by-one admission, refusals follow
the relative thresholds at any scale, and batching a pool member's pairs adds exactly the
candidates the one-by-one loop adds, in the same order."""

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.sr.operators import OPERATORS
from sagatsr.sr.sisso import features
from sagatsr.sr.sisso.candidates import Candidates, standardised


def _state(cands):
    """What a store holds: complexities, rungs, dims and the column values, in order."""
    return (list(cands.complexity), list(cands.rung), [tuple(d) for d in cands.dims],
            np.array([cands.column(i) for i in range(len(cands))]))


def _assert_same(a, b):
    assert a[:3] == b[:3]
    assert a[3].shape == b[3].shape and np.allclose(a[3], b[3], rtol=1e-12, atol=0)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.integers(-200, 200))
def test_refusals_are_relative_and_duplicates_merge_up_to_sign_and_offset(seed, scale):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 2, 50) * 10.0**scale
    rows = np.array([x, -3.0 * x + 7.0 * 10.0**scale, np.full(50, 10.0**scale),  # x; a copy; constant
                     np.where(np.arange(50) == 0, np.nan, x),  # non-finite
                     np.where(np.arange(50) < 40, 1e-14, 1.0) * 10.0**scale])  # dynamic range 1e14
    judged = standardised(rows)
    assert judged[0] is not None and judged[1] is not None and judged[0][2] == judged[1][2]
    assert judged[2:] == [None, None, None]
    cands = Candidates(50, 10)
    assert cands.try_add(rows[0], sympy.Symbol("x"), 3, np.zeros(7))
    assert not cands.try_add(rows[1], sympy.Symbol("y"), 1, np.zeros(7))  # simpler duplicate replaces
    assert len(cands) == 1 and cands.complexity == [1] and cands.replaced == [0]
    assert np.allclose(cands.column(0), rows[1], rtol=1e-12)


def _store(seed, n=40):
    rng = np.random.default_rng(seed)
    cands = Candidates(n, 400)
    dims = [np.eye(7)[0], np.eye(7)[1], np.zeros(7), np.zeros(7)]
    for j in range(12):  # mixed units, a few exact duplicates up to scale, some zeros and negatives
        col = rng.uniform(-1, 3, n) if j % 3 else rng.uniform(0.5, 2, n)
        if j == 7:
            col = cands.column(2) * 4.0
        cands.try_add(col, sympy.Symbol(f"x{j}"), 1 + j % 3, dims[j % 4], 0)
    # a complex partner that x0·x1 (built early in the loop, simpler) replaces: the pairs built on
    # it afterwards must use the replacement's values, as the one-by-one loop does
    cands.try_add(2.0 * cands.column(0) * cands.column(1), sympy.Symbol("w"), 9, dims[0] + dims[1], 0)
    return cands


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), limit_extra=st.integers(0, 120), batch=st.sampled_from([40, 200, 1 << 19]))
def test_batched_pairs_add_what_the_one_by_one_loop_adds(seed, limit_extra, batch):
    ops = [OPERATORS[name] for name in ("add", "sub", "mul", "div", "absdiff", "harmonic")]
    batched, single = _store(seed), _store(seed)
    start = len(batched)  # the last one is w
    e, partners = 0, list(range(1, start))
    limit = start + limit_extra
    default, features._BATCH_VALUES = features._BATCH_VALUES, batch  # 1 or 5 columns of 40 rows per pass, or all
    try:
        finished = features._apply_pairs(batched, e, partners, ops, 1, None, limit)
    finally:
        features._BATCH_VALUES = default
    for f in partners:  # the reference: the loop _grow ran before the batching
        for op in ops:
            if len(single) >= limit:
                break
            features._apply(single, op, (e, f), 1)
            if op.name in ("sub", "div"):
                features._apply(single, op, (f, e), 1)
    _assert_same(_state(batched), _state(single))
    assert finished or len(batched) >= limit
    assert limit_extra == 0 or start - 1 in batched.replaced
    built = [str(batched.tree(i)) for i in range(start, len(batched))]
    assert built == [str(single.tree(i)) for i in range(start, len(single))]
