"""Local improvement of ℓ0 models by single swaps over *all* candidates (not only the screened).

SIS keeps a few hundred candidates for the exhaustive ℓ0 step; the terms of a sum such as
½m(v² + u² + w²) each correlate weakly with y and can be screened out. Starting from each of the
best models, every term in turn is replaced by the candidate that lowers the sum of squares most
given the other terms; this repeats until no swap helps (at most ``rounds`` passes). A model is
only ever replaced by a better one, so this never loses what the ℓ0 step found.

The best replacement of term k is exact and cheap: with ``Q`` an orthonormal basis of the other
columns (and the intercept), ``r = y - QQᵀy`` and a candidate ``c``, adding ``c`` lowers the sum of
squares by ``(c·r)² / (|c|² - |Qᵀc|²)``; this is computed for all candidates block by block.
"""

from __future__ import annotations

import numpy as np


class SwapSpace:
    """The allowed candidates' scaled rows and squared norms, prepared once per search: every
    swap of every model reads them. A search allowed only part of the candidates (an outer
    function's: t's unit only) gets a compact copy of its rows, so it pays for those alone."""

    def __init__(self, cands, allowed) -> None:
        allowed = np.unique(np.asarray(allowed, dtype=int))
        compact = allowed.size <= len(cands) // 2
        self.parts = []  # (candidate indices, rows, squared norms) per storage block
        for lo, rows in cands.scaled_blocks():
            idx = allowed[(allowed >= lo) & (allowed < lo + len(rows))]
            if idx.size == 0:
                continue
            if compact or idx.size < len(rows):
                rows = rows[idx - lo] if compact else rows
                idx = idx if compact else np.arange(lo, lo + len(rows))
            norms = np.einsum("ij,ij->i", rows, rows)
            if not compact:  # the whole block is read; the candidates not allowed never win
                norms = np.where(np.isin(idx, allowed), norms, np.nan)
            self.parts.append((idx, rows, norms))

    def best_addition(self, Q, r):
        """(index, SSE reduction) of the candidate whose addition to span(Q) lowers |r|² most."""
        best_i, best_gain = -1, 0.0
        for idx, rows, norms in self.parts:
            with np.errstate(all="ignore"):
                products = rows @ np.column_stack([Q, r])  # one pass over the rows for Qᵀc and c·r
                proj = products[:, :-1]
                resid_norm = norms - np.einsum("ij,ij->i", proj, proj)
                gain = products[:, -1] ** 2 / resid_norm
                ok = (resid_norm > 1e-9 * norms) & np.isfinite(gain)
            gain = np.where(ok, gain, -1.0)
            k = int(np.argmax(gain))
            if gain[k] > best_gain:
                best_i, best_gain = int(idx[k]), float(gain[k])
        return best_i, best_gain


def _basis(cands, others, n, intercept):
    cols = [np.ones(n)] if intercept else []
    cols += [cands.column(i) / np.max(np.abs(cands.column(i))) for i in others]
    if not cols:
        return np.empty((n, 0))
    return np.linalg.qr(np.column_stack(cols))[0]


def improve(cands, allowed, y, combo, intercept, rounds=3, space=None):
    """The model ``combo`` (candidate indices) after best-improvement swaps (module docstring);
    ``space``: the :class:`SwapSpace` of ``allowed`` when several models share it."""
    space = space if space is not None else SwapSpace(cands, allowed)
    combo = list(combo)
    n = len(y)
    Q = _basis(cands, combo, n, intercept)
    sse = float(np.sum((y - Q @ (Q.T @ y)) ** 2))
    for _ in range(rounds):
        changed = False
        for k in range(len(combo)):
            others = combo[:k] + combo[k + 1:]
            Q = _basis(cands, others, n, intercept)
            r = y - Q @ (Q.T @ y)
            i, gain = space.best_addition(Q, r)
            new_sse = float(r @ r) - gain
            if i >= 0 and i not in combo and new_sse < sse * (1 - 1e-9) - 1e-15 * float(y @ y):
                combo[k], sse, changed = i, new_sse, True
        if not changed:
            break
    return tuple(combo)


def simple_pairs(cands, allowed, y, intercept, space, max_complexity=2, starts=24):
    """Two-term models ``(s, best partner of s over all allowed candidates)`` for the simplest
    candidates ``s`` (complexity ≤ ``max_complexity``: an input or one function of it; the
    ``starts`` most correlated with y). A law such as ``log y = c0 − log σ − θ²/2σ²`` pairs a simple
    term that correlates weakly with y on its own with one that screening ranks among hundreds of
    its kind: neither may reach the ℓ0 subspace, but the partner of the simple term is found exactly
    (one pass over the candidates per start, :meth:`SwapSpace.best_addition`)."""
    allowed = np.asarray(allowed, dtype=int)
    simple = allowed[np.asarray(cands.complexity)[allowed] <= max_complexity]
    if simple.size == 0:
        return []
    score = np.abs(cands.correlation(y - y.mean() if intercept else y, simple))
    pairs = []
    for s in simple[np.argsort(-score, kind="stable")[:starts]]:
        Q = _basis(cands, [int(s)], len(y), intercept)
        partner, _ = space.best_addition(Q, y - Q @ (Q.T @ y))
        if partner >= 0 and partner != s:
            pairs.append((int(s), partner))
    return pairs

