"""Candidate descriptors by rungs under HARD unit rules, within a candidate budget.

Rung 0 holds the primary features (already rescaled, :mod:`.scaling`). Rung r applies every unary
operator to rung r-1 candidates and every binary operator to pairs (rung r-1, rung < r), keeping a
candidate only when the operator's unit rule (:mod:`sagatsr.sr.operators`) allows it: ``+ - |-|
harmonic`` between equal dimension vectors, ``exp log sin cos logistic`` of dimensionless
arguments, powers scale the vector, ``* /`` add/subtract. With parametric operators
(:mod:`.parametric`) a dimensionless candidate ``u`` also yields ``exp(c·u)``, ``1/(u + c)`` and
``u^c`` with ``c`` fitted to the target. Numerically identical candidates (same standardised
values up to sign) are merged, keeping the simplest.

Thresholds are relative only: a candidate is dropped when it is non-finite, when its spread is
below ``1e-10`` of its magnitude (constant) or when its dynamic range ``max|d| / median|d|``
exceeds ``1e12`` (numerically useless); nothing depends on the absolute size of the data.

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
is the complete combination of the best-ranked candidates. Values are stored in row blocks of
``_BLOCK_BYTES``: memory ≈ ``8 · max_candidates · rows`` bytes.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import sympy

from sagatsr.sr.operators import OPERATORS
from sagatsr.sr.sisso.parametric import add_parametric, refit_in_binary

_BLOCK_BYTES = 1 << 25  # 32 MiB of float64 per storage block
MAX_DYNAMIC_RANGE = 1e12
CONSTANT_SPREAD = 1e-10
#: per pool member from rung 2 on: extra partners chosen by the correlation of the product/quotient
PRODUCT_PARTNERS = 3


def _safe_unit(column):
    """``column / max|column|`` (so squares cannot overflow) and that max."""
    peak = float(np.max(np.abs(column))) if column.size else 0.0
    return (column / peak if peak > 0 else column), peak


class Candidates:
    """Candidate columns (stored in row blocks), their trees, complexities, dimension vectors and
    rungs."""

    def __init__(self, n_rows: int, capacity: int):
        self.n_rows, self.capacity = int(n_rows), int(capacity)
        self.block = max(1, min(self.capacity, _BLOCK_BYTES // (8 * max(1, self.n_rows))))
        # each candidate is stored divided by its largest |value| (so screening and swaps read
        # scale-free rows without a pass of divisions), beside that peak
        self._blocks: list[np.ndarray] = []
        self._peaks: list[np.ndarray] = []
        self._recipes: list = []  # SymPy tree, or a callable building it (run on first access)
        self.complexity: list[int] = []
        self.dims: list[np.ndarray] = []
        self.rung: list[int] = []
        self.param: dict[int, tuple] = {}  # parametric candidates: index -> (operator, argument, c)
        self._fitted: set[int] = set()  # candidates holding a fitted inner constant
        self._seen: dict[int, int] = {}

    def __len__(self):
        return len(self._recipes)

    def tree(self, i: int):
        """The SymPy tree of candidate ``i`` (built on first use: most candidates never need one)."""
        recipe = self._recipes[i]
        if not isinstance(recipe, sympy.Basic):
            recipe = self._recipes[i] = recipe()
        return recipe

    def with_dim(self, dim) -> np.ndarray:
        """Indices of the candidates whose dimension vector equals ``dim`` (to 1e-9)."""
        if not self.dims:
            return np.empty(0, dtype=int)
        D = np.array(self.dims, float).reshape(len(self.dims), -1)
        return np.flatnonzero(np.all(np.abs(D - np.asarray(dim, float)) <= 1e-9, axis=1))

    def has_fitted_constant(self, i: int) -> bool:
        return i in self._fitted

    def is_primary(self, i: int) -> bool:
        return self.rung[i] == 0

    def column(self, i: int) -> np.ndarray:
        b, k = divmod(i, self.block)
        return self._blocks[b][k] * self._peaks[b][k]

    def columns(self, indices) -> np.ndarray:
        """Float64 matrix (rows, len(indices)) of the chosen candidates."""
        indices = list(indices)
        if not indices:
            return np.empty((self.n_rows, 0))
        return np.stack([self.column(int(i)) for i in indices], axis=1)

    def correlation(self, v, indices=None) -> np.ndarray:
        """Pearson r of each candidate (or of ``indices``) with ``v``, block by block."""
        v, _ = _safe_unit(np.asarray(v, float))
        vc = v - np.mean(v)
        vn = np.sqrt(vc @ vc)
        out = np.zeros(len(self))
        for lo, rows in self.scaled_blocks():
            with np.errstate(all="ignore"):
                centred = rows - rows.mean(axis=1, keepdims=True)
                out[lo:lo + len(rows)] = centred @ vc / (np.sqrt(np.einsum("ij,ij->i", centred, centred)) * vn)
        out = np.nan_to_num(out)
        return out if indices is None else out[np.asarray(indices, dtype=int)]

    def scaled_blocks(self):
        """``(first index, rows)`` per storage block; each candidate's row divided by its largest
        |value| (scale-free, and no overflow in the dot products that follow)."""
        for b, block in enumerate(self._blocks):
            lo = b * self.block
            rows = block[: max(0, min(self.block, len(self) - lo))]
            if len(rows) == 0:
                return
            yield lo, rows

    def try_add(self, column, expr, complexity, dim, rung=0, fitted=False) -> bool:
        """Add a candidate unless invalid or a duplicate; a simpler duplicate replaces the old one.
        ``expr`` may be a callable returning the SymPy tree (built only when first asked for);
        ``fitted``: its tree holds a constant fitted to the target."""
        if not np.all(np.isfinite(column)):
            return False
        unit, peak = _safe_unit(column)
        if peak == 0 or not np.isfinite(peak):
            return False
        std = unit.std()
        if std <= CONSTANT_SPREAD * np.abs(unit).mean():
            return False
        magnitude = np.abs(unit)
        # max|d| is 1 here: the median is only needed when some value is that small
        if float(magnitude.min()) * MAX_DYNAMIC_RANGE < 1.0 and float(np.median(magnitude)) * MAX_DYNAMIC_RANGE < 1.0:
            return False
        z = (unit - unit.mean()) / std
        if z[np.argmax(np.abs(z) > 1e-6)] < 0:  # identical up to sign: the fit absorbs the sign
            z = -z
        key = hash(np.round(z, 6).tobytes())
        old = self._seen.get(key)
        if old is not None:
            if int(complexity) < self.complexity[old]:
                self._store(old, unit, peak)
                self._recipes[old], self.complexity[old] = expr, int(complexity)
                self.dims[old], self.rung[old] = np.asarray(dim, float), int(rung)
                (self._fitted.add if fitted else self._fitted.discard)(old)
            return False
        if len(self) >= self.capacity:
            return False
        i = len(self)
        if i // self.block >= len(self._blocks):
            self._blocks.append(np.empty((self.block, self.n_rows)))
            self._peaks.append(np.ones(self.block))
        self._store(i, unit, peak)
        self._seen[key] = i
        self._recipes.append(expr)
        self.complexity.append(int(complexity))
        self.dims.append(np.asarray(dim, float))
        self.rung.append(int(rung))
        if fitted:
            self._fitted.add(i)
        return True

    def _store(self, i, unit, peak):
        b, k = divmod(i, self.block)
        self._blocks[b][k], self._peaks[b][k] = unit, peak


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
        for f in partners:
            if f == e or (f in rank and rank[f] > rank[e]) or (f not in rank and cands.rung[f] == level - 1):
                continue
            for op in binary_ops:
                if len(cands) >= limit:
                    return
                _apply(cands, op, (e, f), level, target)
                if op.name in ("sub", "div"):
                    _apply(cands, op, (f, e), level, target)
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
        y = _safe_unit(np.asarray(target, float))[0]
        self.yc = y - y.mean()
        self.blocks = [(lo, rows[:max(0, upto - lo)]) for lo, rows in cands.scaled_blocks() if lo < upto]
        self.squares = [rows**2 for _, rows in self.blocks]

    def best(self, e, skip, k):
        """``(operator name, f)`` of the ``k`` best-scoring pairs (``"mul"``: ``e·f``, ``"div"``: ``f/e``),
        ``f`` not in ``skip`` nor ``e``."""
        b = _safe_unit(self.cands.column(e))[0]
        names, weights = ["mul"], [b]
        if np.all(b != 0):
            names, weights = ["mul", "div"], [b, _safe_unit(1.0 / b)[0]]
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


def _build(cands, sympy_fn, idx):
    return sympy_fn(*(cands.tree(i) for i in idx))
