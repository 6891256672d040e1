"""Candidate descriptors by rungs under HARD unit rules.

Rung 0 holds the primary features. Rung r applies every unary operator to rung r-1 and every
binary operator to pairs (rung r-1, rung < r), keeping a candidate only when the operator's unit
rule (:mod:`sagatsr.sr.operators`) allows it: ``+ - |-| harmonic`` between equal dimension vectors,
``exp log logistic`` of dimensionless arguments, powers scale the vector, ``* /`` add/subtract.
Candidates that are non-finite, larger than ``max_abs`` or near-constant are dropped, and
numerically identical ones (same rounded standardised values, up to sign) are merged, keeping the
simplest. Each candidate keeps its SymPy tree, complexity (node count) and dimension vector.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy

from sagatsr.sr.operators import OPERATORS


@dataclass
class Candidates:
    """Columns of ``values`` (n, m) with their trees, complexities and SI dimension vectors."""

    values: list = field(default_factory=list)
    exprs: list = field(default_factory=list)
    complexity: list = field(default_factory=list)
    dims: list = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def __len__(self):
        return len(self.exprs)

    def try_add(self, column, expr, complexity, dim, max_abs) -> bool:
        if not np.all(np.isfinite(column)) or np.max(np.abs(column)) > max_abs:
            return False
        std = column.std()
        if std <= 1e-10 * max(1.0, np.abs(column).mean()):
            return False
        z = (column - column.mean()) / std
        if z[np.argmax(np.abs(z) > 1e-6)] < 0:  # identical up to sign: the fit absorbs the sign
            z = -z
        key = hash(np.round(z, 6).tobytes())
        if key in self._seen:
            return False
        self._seen.add(key)
        self.values.append(column)
        self.exprs.append(expr)
        self.complexity.append(int(complexity))
        self.dims.append(np.asarray(dim, float))
        return True

    def matrix(self) -> np.ndarray:
        return np.column_stack(self.values) if self.values else np.empty((0, 0))


def build_candidates(X, symbols, dims, *, unary, binary, rung=2, max_candidates=20000,
                     max_abs=1e8, pool_size=60, target=None) -> Candidates:
    """All descriptors up to ``rung`` (see module docstring), at most ``max_candidates``.

    For rung >= 2 the binary operators combine only the ``pool_size`` lower-rung candidates most
    correlated with ``target`` (all of them when ``target`` is None) so memory stays bounded.
    """
    cands = Candidates()
    for j, sym in enumerate(symbols):
        cands.try_add(X[:, j].astype(float), sym, 1, dims[j], np.inf)
    previous = list(range(len(cands)))
    for level in range(1, rung + 1):
        start = len(cands)
        lower = list(range(start))
        if level >= 2 and target is not None:
            # visit by decreasing |r| with the target so that hitting max_candidates drops the
            # same candidates whatever the column order (permutation invariance)
            lower = _most_correlated(cands, lower, target, pool_size)
            previous = [i for i in lower if i in set(previous)] or previous[:pool_size]
        for i in previous:
            for name in unary:
                if len(cands) >= max_candidates:
                    return cands
                _apply(cands, OPERATORS[name], (i,), max_abs)
        prev_rank = {idx: r for r, idx in enumerate(previous)}
        for i in previous:
            for j in lower:
                if j == i or (j in prev_rank and prev_rank[j] < prev_rank[i]):
                    continue
                for name in binary:
                    if len(cands) >= max_candidates:
                        return cands
                    op = OPERATORS[name]
                    _apply(cands, op, (i, j), max_abs)
                    if name in ("sub", "div"):
                        _apply(cands, op, (j, i), max_abs)
        previous = list(range(start, len(cands)))
    return cands


def _apply(cands, op, idx, max_abs):
    dim = op.unit_rule(*(cands.dims[i] for i in idx))
    if dim is None:
        return
    column = op.numpy_fn(*(cands.values[i] for i in idx))
    expr = op.sympy_fn(*(cands.exprs[i] for i in idx))
    complexity = op.complexity + sum(cands.complexity[i] for i in idx)
    cands.try_add(column, expr, complexity, dim, max_abs)


def _most_correlated(cands, indices, target, k):
    M = np.column_stack([cands.values[i] for i in indices])
    score = np.round(np.abs(correlation(M, target)), 12)
    return [indices[i] for i in np.argsort(-score, kind="stable")[:k]]


def correlation(M, v) -> np.ndarray:
    """Pearson correlation of each column of ``M`` with ``v`` (0 for constant columns)."""
    Mc = M - M.mean(axis=0)
    vc = v - v.mean()
    denom = np.sqrt((Mc**2).sum(axis=0) * (vc**2).sum())
    with np.errstate(all="ignore"):
        out = Mc.T @ vc / denom
    return np.nan_to_num(out)
