"""The candidate store: descriptor columns in row blocks, with their trees, complexities, dimension
vectors and rungs, deduplicated on admission.

Admission (:meth:`Candidates.try_add`, or :meth:`Candidates.admit` for a matrix of columns judged in
one pass) uses relative thresholds only: a column is refused when it is non-finite, when its spread
is below :data:`CONSTANT_SPREAD` of its magnitude (constant) or when its dynamic range
``max|d| / median|d|`` exceeds :data:`MAX_DYNAMIC_RANGE` (numerically useless). Columns that are
identical after standardisation (up to sign, to 6 decimals) are one candidate: the simplest is
kept. Each column is stored divided by its largest |value| beside that peak, so screening and swaps
read scale-free rows without a pass of divisions.
"""

from __future__ import annotations

import numpy as np
import sympy

_BLOCK_BYTES = 1 << 25  # 32 MiB of float64 per storage block
MAX_DYNAMIC_RANGE = 1e12
CONSTANT_SPREAD = 1e-10


def peak_scaled(column):
    """``column / max|column|`` (so squares cannot overflow) and that max."""
    peak = float(np.max(np.abs(column))) if column.size else 0.0
    return (column / peak if peak > 0 else column), peak


def standardised(values):
    """For each row of ``values``: ``(unit row, peak, duplicate key)``, or None when the row is
    refused (module docstring). All rows are judged in one pass of array operations."""
    V = np.atleast_2d(np.asarray(values, float))
    out = [None] * len(V)
    with np.errstate(all="ignore"):
        peak = np.max(np.abs(V), axis=1) if V.shape[1] else np.zeros(len(V))
        ok = np.isfinite(V).all(axis=1) & np.isfinite(peak) & (peak > 0)
        rows = np.flatnonzero(ok)
        if rows.size == 0:
            return out
        U = V[rows] / peak[rows, None]
        mean, std = U.mean(axis=1), U.std(axis=1)
        magnitude = np.abs(U)
        good = std > CONSTANT_SPREAD * magnitude.mean(axis=1)
        # max|d| is 1 here: the median is only needed when some value is that small
        tiny = np.flatnonzero(good & (magnitude.min(axis=1) * MAX_DYNAMIC_RANGE < 1.0))
        if tiny.size:
            good[tiny] = np.median(magnitude[tiny], axis=1) * MAX_DYNAMIC_RANGE >= 1.0
        Z = (U - mean[:, None]) / np.where(good, std, 1.0)[:, None]
    first = np.argmax(np.abs(Z) > 1e-6, axis=1)
    flip = Z[np.arange(len(Z)), first] < 0  # identical up to sign: the fit absorbs the sign
    Z[flip] *= -1.0
    Z = np.round(Z, 6)
    for k in np.flatnonzero(good):
        out[rows[k]] = (U[k], float(peak[rows[k]]), hash(Z[k].tobytes()))
    return out


class Candidates:
    """Candidate columns (stored in row blocks), their trees, complexities, dimension vectors and
    rungs."""

    def __init__(self, n_rows: int, capacity: int):
        self.n_rows, self.capacity = int(n_rows), int(capacity)
        self.block = max(1, min(self.capacity, _BLOCK_BYTES // (8 * max(1, self.n_rows))))
        self._blocks: list[np.ndarray] = []
        self._peaks: list[np.ndarray] = []
        self._recipes: list = []  # SymPy tree, or a callable building it (run on first access)
        self.complexity: list[int] = []
        self.dims: list[np.ndarray] = []
        self.rung: list[int] = []
        self.param: dict[int, tuple] = {}  # parametric candidates: index -> (operator, argument, c)
        self._fitted: set[int] = set()  # candidates holding a fitted inner constant
        self._seen: dict[int, int] = {}
        #: indices whose column and tree were replaced by a simpler duplicate, in order (a column
        #: computed from the old values is stale: the duplicate is equal only up to an affine map)
        self.replaced: list[int] = []

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
        v, _ = peak_scaled(np.asarray(v, float))
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
        """Add a candidate unless refused or a duplicate; a simpler duplicate replaces the old one.
        ``expr`` may be a callable returning the SymPy tree (built only when first asked for);
        ``fitted``: its tree holds a constant fitted to the target."""
        return self.admit(standardised(column)[0], expr, complexity, dim, rung, fitted)

    def admit(self, prepared, expr, complexity, dim, rung=0, fitted=False) -> bool:
        """:meth:`try_add` for a column already judged by :func:`standardised` (None: refused)."""
        if prepared is None:
            return False
        unit, peak, key = prepared
        old = self._seen.get(key)
        if old is not None:
            if int(complexity) < self.complexity[old]:
                self._store(old, unit, peak)
                self._recipes[old], self.complexity[old] = expr, int(complexity)
                self.dims[old], self.rung[old] = np.asarray(dim, float), int(rung)
                (self._fitted.add if fitted else self._fitted.discard)(old)
                self.replaced.append(old)
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
