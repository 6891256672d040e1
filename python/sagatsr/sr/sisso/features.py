"""Candidate descriptors by rungs under HARD unit rules, within a candidate budget.

Rung 0 holds the primary features (already rescaled, :mod:`.scaling`). Rung r applies every unary
operator to rung r-1 candidates and every binary operator to pairs (rung r-1, rung < r), keeping a
candidate only when the operator's unit rule (:mod:`sagatsr.sr.operators`) allows it: ``+ - |-|
harmonic`` between equal dimension vectors, ``exp log sin cos logistic`` of dimensionless
arguments, powers scale the vector, ``* /`` add/subtract. With parametric operators
(:mod:`.parametric`) a dimensionless candidate ``u`` also yields ``exp(c·u)``, ``1/(u + c)`` and
``u^c`` with ``c`` fitted to the target. Numerically identical candidates (same standardised
values up to sign) are merged, keeping the simplest.

Thresholds are relative only (:mod:`.candidates`): a candidate is dropped when it is non-finite,
when its spread is below ``1e-10`` of its magnitude (constant) or when its dynamic range
``max|d| / median|d|`` exceeds ``1e12`` (numerically useless); nothing depends on the absolute
size of the data. The pairs of one pool member are computed per operator in one array operation
and judged in one pass (:func:`_apply_pairs`), then admitted one by one in the visiting order.

Budget. The ``max_candidates`` cap is shared between the rungs: rung r may fill at most
``remaining // (rung - r + 1)`` slots. At each rung the previous rung's candidates are visited
best first by |Pearson r| with the target (rounded to 12 digits; ties by index), the first
``pool_size`` of them from rung 2 on. Their binary partners are *all* lower-rung candidates,
rung by rung (every primary first, then rung 1, ...; best-ranked first within a rung, at most
``partner_cap``), so a partner that is uncorrelated with the target on its own (the total mass
``m1 + m2`` of a centre of mass) is never screened out. From rung 2 on, each pool member ``e``
also pairs with the :data:`PRODUCT_PARTNERS` lower-rung candidates ``f`` whose ``e·f`` or ``f/e``
correlates best with the target (scored for all of them at once, three matrix-vector products):
a factor that is uncorrelated with a sign-changing target on its own (``n·k·T`` of
``n·k·T·log(V2/V1)``) is found where it matters, beside its partner. When the cap runs out, what has been built
is the complete combination of the best-ranked candidates. Values are stored in row blocks
(:class:`~.candidates.Candidates`): memory ≈ ``8 · max_candidates · rows`` bytes.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import sympy

from sagatsr.sr.operators import OPERATORS
from sagatsr.sr.sisso.candidates import Candidates, peak_scaled, standardised
from sagatsr.sr.sisso.parametric import add_parametric, refit_in_binary, refits_in_binary

__all__ = ["Candidates", "build_candidates"]

#: per pool member from rung 2 on: extra partners chosen by the correlation of the product/quotient
PRODUCT_PARTNERS = 3
#: values computed at once by :func:`_apply_pairs` (4 MiB of float64: larger blocks raised the peak
#: memory of a 10,000-row fit by 0.3 GB and were no faster)
_BATCH_VALUES = 1 << 19


def build_candidates(X, symbols, dims, *, unary, binary, rung=2, max_candidates=20000,
                     pool_size=60, partner_cap=400, target=None, parametric=()) -> Candidates:
    """All descriptors up to ``rung`` within the budget described in the module docstring. The
    primary features are always kept (the caller drops constant ones beforehand)."""
    X = np.asarray(X, float)
    cands = Candidates(X.shape[0], max(max_candidates, X.shape[1]))
    for j, sym in enumerate(symbols):
        cands.try_add(X[:, j], sym, 1, dims[j], 0)
    for level in range(1, rung + 1):
        start = len(cands)
        limit = start + max(0, max_candidates - start) // (rung - level + 1)
        score = _scores(cands, target)
        previous = _ranked([i for i in range(start) if cands.rung[i] == level - 1], score)
        if level > 1:
            previous = previous[:max(pool_size, 2)]
        partners = [i for r in range(level) for i in _ranked(
            [k for k in range(start) if cands.rung[k] == r], score)][:partner_cap]
        products = _ProductScores(cands, start, target) if level > 1 and target is not None else None
        _grow(cands, previous, partners, unary, binary, limit, level, target, parametric, products)
        if len(cands) == start:
            break
    return cands


def _grow(cands, previous, partners, unary, binary, limit, level, target, parametric, products=None):
    """Visit ``previous`` best first: unary (and parametric) operators on it, then binary ones with
    each partner (a pair of two previous-rung candidates once) and its best product partners
    (``products``, a :class:`_ProductScores`); stop at ``limit`` candidates."""

    unary_ops = [OPERATORS[name] for name in unary]
    binary_ops = [OPERATORS[name] for name in binary]
    rank = {e: k for k, e in enumerate(previous)}
    for e in previous:
        for op in unary_ops:
            if len(cands) >= limit:
                return
            _apply(cands, op, (e,), level)
        if parametric and target is not None and len(cands) < limit:
            add_parametric(cands, e, parametric, target, level)
        mine = [f for f in partners if not (f == e or (f in rank and rank[f] > rank[e])
                                            or (f not in rank and cands.rung[f] == level - 1))]
        if not _apply_pairs(cands, e, mine, binary_ops, level, target, limit):
            return
        if products is not None:
            for name, f in products.best(e, skip=set(partners), k=PRODUCT_PARTNERS):
                if name in binary and len(cands) < limit:
                    _apply(cands, OPERATORS[name], (e, f) if name == "mul" else (f, e), level, target)


class _ProductScores:
    """|Pearson r| with the target of ``e·f`` and ``f/e`` for every candidate ``f`` below ``upto``
    (module docstring): ``mean(e·f·y_c)``, ``mean(e·f)`` and ``mean(e²·f²)`` are products of the
    candidate rows (and their squares, computed once) with vectors built from ``e``."""

    def __init__(self, cands, upto, target) -> None:
        self.cands, self.upto = cands, upto
        y = peak_scaled(np.asarray(target, float))[0]
        self.yc = y - y.mean()
        self.blocks = [(lo, rows[:max(0, upto - lo)]) for lo, rows in cands.scaled_blocks() if lo < upto]
        self.squares = [rows**2 for _, rows in self.blocks]

    def best(self, e, skip, k):
        """``(operator name, f)`` of the ``k`` best-scoring pairs (``"mul"``: ``e·f``, ``"div"``: ``f/e``),
        ``f`` not in ``skip`` nor ``e``."""
        b = peak_scaled(self.cands.column(e))[0]
        names, weights = ["mul"], [b]
        if np.all(b != 0):
            names, weights = ["mul", "div"], [b, peak_scaled(1.0 / b)[0]]
        W = np.column_stack(weights)
        first = np.column_stack([W, W * self.yc[:, None]]) / len(b)  # one pass: means and covariances
        second = W**2 / len(b)
        m = len(names)
        keep = k + len(skip) + 1
        scored = []
        for (lo, rows), squares in zip(self.blocks, self.squares):
            with np.errstate(all="ignore"):
                P, mean_sq = rows @ first, squares @ second
                mean, cov = P[:, :m], P[:, m:]
                var = mean_sq - mean**2
                r = np.where(var > 1e-12 * mean_sq, np.abs(cov) / np.sqrt(var), 0.0)
            r = np.where(np.isfinite(r), r, 0.0)
            for j, name in enumerate(names):
                top = np.argpartition(-r[:, j], keep - 1)[:keep] if len(r) > keep else np.arange(len(r))
                scored += [(float(r[i, j]), name, lo + int(i)) for i in top]
        scored.sort(key=lambda t: (-t[0], t[2]))
        out = []
        for _, name, f in scored:
            if len(out) >= k:
                break
            if f != e and f not in skip and (name, f) not in out:
                out.append((name, f))
        return out


def _scores(cands, target):
    if target is None:
        return np.zeros(len(cands))
    return np.round(np.abs(cands.correlation(target)), 12)


def _ranked(indices, score) -> list[int]:
    """``indices`` by decreasing score (ties by index)."""
    indices = np.asarray(indices, dtype=int)
    return [int(i) for i in indices[np.argsort(-score[indices], kind="stable")]] if indices.size else []


def _apply(cands, op, idx, level, target=None):
    dim = op.unit_rule(*(cands.dims[i] for i in idx))
    if dim is None:
        return
    complexity = op.complexity + sum(cands.complexity[i] for i in idx)
    refit = refit_in_binary(cands, op, idx, target) if len(idx) == 2 and target is not None else None
    if refit is not None:
        cands.try_add(refit[0], refit[1], complexity, dim, level, fitted=True)
        return
    column = op.numpy_fn(*(cands.column(i) for i in idx))
    cands.try_add(column, partial(_build, cands, op.sympy_fn, idx), complexity, dim, level,
                  fitted=any(cands.has_fitted_constant(i) for i in idx))


def _apply_pairs(cands, e, partners, binary_ops, level, target, limit) -> bool:
    """``op(e, f)`` (and ``op(f, e)`` for − and ÷) for every partner ``f`` and binary operator, in
    that order, as :func:`_apply` would add them one by one; the columns of each operator and order
    are computed and judged in one array operation. False once ``limit`` is reached."""
    jobs = []  # (operator, operands, dimension vector, limit checked before it)
    for f in partners:
        for op in binary_ops:
            for idx in ((e, f), (f, e)) if op.name in ("sub", "div") else ((e, f),):
                jobs.append((op, idx, op.unit_rule(*(cands.dims[i] for i in idx)), idx[0] == e))
    prepared, step = {}, max(1, _BATCH_VALUES // max(1, cands.n_rows))
    batched = [k for k, (op, idx, dim, _) in enumerate(jobs)
               if dim is not None and (target is None or not refits_in_binary(cands, op, idx))]
    for op in binary_ops:
        for first in (True, False):
            group = [k for k in batched if jobs[k][0] is op and (jobs[k][1][0] == e) == first]
            own = cands.column(e)[None, :]
            for lo in range(0, len(group), step):  # bounded memory with many rows
                chunk = group[lo:lo + step]
                mine = np.array([cands.column(jobs[k][1][1 if first else 0]) for k in chunk])
                values = op.numpy_fn(own, mine) if first else op.numpy_fn(mine, own)
                prepared.update(zip(chunk, standardised(values)))
    involved, seen = {e, *partners}, len(cands.replaced)
    for k, (op, idx, dim, check) in enumerate(jobs):
        if check and len(cands) >= limit:
            return False
        if dim is None:
            continue
        if prepared and involved.intersection(cands.replaced[seen:]):
            prepared = {}  # an operand was replaced by a simpler duplicate: the rest one by one
        if k not in prepared:  # or a parametric operand: its constant is refitted for the pair
            _apply(cands, op, idx, level, target)
            continue
        complexity = op.complexity + sum(cands.complexity[i] for i in idx)
        cands.admit(prepared[k], partial(_build, cands, op.sympy_fn, idx), complexity, dim, level,
                    fitted=any(cands.has_fitted_constant(i) for i in idx))
    return True


def _build(cands, sympy_fn, idx):
    return sympy_fn(*(cands.tree(i) for i in idx))
