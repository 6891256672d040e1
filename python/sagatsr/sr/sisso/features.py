"""Candidate descriptors by rungs under HARD unit rules, screened so the cap holds the useful ones.

Rung 0 holds the primary features. Rung r applies every unary operator to rung r-1 and every
binary operator to pairs (rung r-1, rung < r), keeping a candidate only when the operator's unit
rule (:mod:`sagatsr.sr.operators`) allows it: ``+ - |-| harmonic`` between equal dimension vectors,
``exp log logistic`` of dimensionless arguments, powers scale the vector, ``* /`` add/subtract.
Candidates that are non-finite, larger than ``max_abs`` or near-constant are dropped, and
numerically identical ones (same rounded standardised values, up to sign and affine scale) are
merged, keeping the simplest. Each candidate keeps its SymPy tree, complexity (node count) and
dimension vector.

Budget and screening (an SIS step on the lower rung). The ``max_candidates`` cap is shared
between the rungs: rung r may fill at most ``remaining // (rung - r + 1)`` slots, so rung 1 can no
longer use up the slots the next rung needs. Within a rung, when a ``target`` is given, the
lower-rung candidates are first ranked by decreasing |Pearson r| with it (rounded to 12 digits;
ties by index) and visited best first: unary operators on a previous-rung candidate, then binary
ones on its pairs with every better-ranked candidate. So when a rung's share runs out, what has
been built is the complete combination of the best-ranked lower-rung candidates, and many primary
features (e.g. 180) no longer crowd out the combinations of the relevant ones. Rung 1 visits all
primary features; from rung 2 on only the ``pool_size`` best-ranked candidates are visited.
Without a target, index order is used. Deterministic. Values are stored in blocks of
``_BLOCK_BYTES``, so memory is about ``8 · max_candidates · rows`` bytes (plus one block of
scratch for the correlations); nothing is copied into one big matrix.
"""

from __future__ import annotations

import numpy as np
import sympy

from sagatsr.sr.operators import OPERATORS

_BLOCK_BYTES = 1 << 25  # 32 MiB of float64 per storage block


class Candidates:
    """Candidate columns (stored in row blocks), their trees, complexities and dimension vectors."""

    def __init__(self, n_rows: int, capacity: int):
        self.n_rows, self.capacity = int(n_rows), int(capacity)
        self.block = max(1, min(self.capacity, _BLOCK_BYTES // (8 * max(1, self.n_rows))))
        self._blocks: list[np.ndarray] = []
        self.exprs: list = []
        self.complexity: list[int] = []
        self.dims: list[np.ndarray] = []
        self._seen: dict[int, int] = {}

    def __len__(self):
        return len(self.exprs)

    def column(self, i: int) -> np.ndarray:
        return self._blocks[i // self.block][i % self.block]

    def columns(self, indices) -> np.ndarray:
        """Float64 matrix (rows, len(indices)) of the chosen candidates."""
        indices = list(indices)
        if not indices:
            return np.empty((self.n_rows, 0))
        return np.stack([self.column(int(i)) for i in indices], axis=1)

    def matrix(self) -> np.ndarray:
        """All candidates as one (rows, m) matrix (a copy: prefer :meth:`correlation`)."""
        return self.columns(range(len(self)))

    def correlation(self, v, indices=None) -> np.ndarray:
        """Pearson r of each candidate (or of ``indices``) with ``v``, block by block."""
        vc = np.asarray(v, float) - np.mean(v)
        vn = np.sqrt(vc @ vc)
        out = np.zeros(len(self))
        for b, block in enumerate(self._blocks):
            lo = b * self.block
            rows = block[: max(0, min(self.block, len(self) - lo))]
            if len(rows) == 0:
                break
            centred = rows - rows.mean(axis=1, keepdims=True)
            with np.errstate(all="ignore"):
                out[lo:lo + len(rows)] = centred @ vc / (np.sqrt(np.einsum("ij,ij->i", centred, centred)) * vn)
        out = np.nan_to_num(out)
        return out if indices is None else out[np.asarray(indices, dtype=int)]

    def try_add(self, column, expr, complexity, dim, max_abs) -> bool:
        """Add a candidate unless invalid or a duplicate; a simpler duplicate replaces the old one.
        ``expr`` may be a callable returning the SymPy tree (built only when kept)."""
        if not np.all(np.isfinite(column)) or np.max(np.abs(column)) > max_abs:
            return False
        std = column.std()
        if std <= 1e-10 * max(1.0, np.abs(column).mean()):
            return False
        z = (column - column.mean()) / std
        if z[np.argmax(np.abs(z) > 1e-6)] < 0:  # identical up to sign: the fit absorbs the sign
            z = -z
        key = hash(np.round(z, 6).tobytes())
        old = self._seen.get(key)
        if old is not None:
            if int(complexity) < self.complexity[old]:
                self._store(old, column)
                self.exprs[old], self.complexity[old] = _tree(expr), int(complexity)
                self.dims[old] = np.asarray(dim, float)
            return False
        if len(self) >= self.capacity:
            return False
        i = len(self)
        if i // self.block >= len(self._blocks):
            self._blocks.append(np.empty((self.block, self.n_rows)))
        self._store(i, column)
        self._seen[key] = i
        self.exprs.append(_tree(expr))
        self.complexity.append(int(complexity))
        self.dims.append(np.asarray(dim, float))
        return True

    def _store(self, i, column):
        self._blocks[i // self.block][i % self.block] = column


def _tree(expr):
    return expr if isinstance(expr, sympy.Basic) else expr()


def build_candidates(X, symbols, dims, *, unary, binary, rung=2, max_candidates=20000,
                     max_abs=1e8, pool_size=60, target=None) -> Candidates:
    """All descriptors up to ``rung`` within the budget described in the module docstring."""
    X = np.asarray(X, float)
    cands = Candidates(X.shape[0], max(max_candidates, X.shape[1]))
    for j, sym in enumerate(symbols):
        cands.try_add(X[:, j], sym, 1, dims[j], np.inf)
    n_primary = len(cands)
    previous = list(range(n_primary))
    for level in range(1, rung + 1):
        start = len(cands)
        limit = start + max(0, max_candidates - start) // (rung - level + 1)
        order = _ranked(cands, target)
        width = len(order) if level == 1 else max(pool_size, 2)
        _grow(cands, order, set(previous), unary, binary, width, limit, max_abs)
        previous = list(range(start, len(cands)))
        if not previous:
            break
    return cands


def _grow(cands, order, prev_set, unary, binary, width, limit, max_abs):
    """Visit the first ``width`` of ``order``, best first: unary operators on each previous-rung
    candidate, then binary ones on its pairs with the better-ranked ones (at least one of the two
    from the previous rung); stop at ``limit`` candidates."""
    unary_ops = [OPERATORS[name] for name in unary]
    binary_ops = [OPERATORS[name] for name in binary]
    for k, e in enumerate(order[:width]):
        if e in prev_set:
            for op in unary_ops:
                if len(cands) >= limit:
                    return
                _apply(cands, op, (e,), max_abs)
        for f in order[:k]:
            if e not in prev_set and f not in prev_set:
                continue
            i, j = (e, f) if e in prev_set else (f, e)
            for op in binary_ops:
                if len(cands) >= limit:
                    return
                _apply(cands, op, (i, j), max_abs)
                if op.name in ("sub", "div"):
                    _apply(cands, op, (j, i), max_abs)


def _ranked(cands, target) -> list[int]:
    """Candidate indices by decreasing |r| with ``target`` (rounded so that round-off cannot
    reorder them; ties by index); index order when there is no target."""
    if target is None:
        return list(range(len(cands)))
    score = np.round(np.abs(cands.correlation(target)), 12)
    return [int(i) for i in np.argsort(-score, kind="stable")]


def _apply(cands, op, idx, max_abs):
    dim = op.unit_rule(*(cands.dims[i] for i in idx))
    if dim is None:
        return
    column = op.numpy_fn(*(cands.column(i) for i in idx))
    complexity = op.complexity + sum(cands.complexity[i] for i in idx)
    cands.try_add(column, lambda: op.sympy_fn(*(cands.exprs[i] for i in idx)), complexity, dim,
                  max_abs)


def correlation(M, v) -> np.ndarray:
    """Pearson correlation of each column of ``M`` with ``v`` (0 for constant columns)."""
    Mc = M - M.mean(axis=0)
    vc = v - v.mean()
    denom = np.sqrt((Mc**2).sum(axis=0) * (vc**2).sum())
    with np.errstate(all="ignore"):
        out = Mc.T @ vc / denom
    return np.nan_to_num(out)
