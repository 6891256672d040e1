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


def _best_addition(cands, allowed_mask, Q, r):
    """(index, SSE reduction) of the candidate whose addition to span(Q) lowers |r|² most."""
    best_i, best_gain = -1, 0.0
    for lo, rows in cands.scaled_blocks():
        with np.errstate(all="ignore"):
            proj = rows @ Q
            resid_norm = np.einsum("ij,ij->i", rows, rows) - np.einsum("ij,ij->i", proj, proj)
            gain = (rows @ r) ** 2 / resid_norm
        ok = allowed_mask[lo:lo + len(rows)] & (resid_norm > 1e-9 * np.einsum("ij,ij->i", rows, rows))
        gain = np.where(ok & np.isfinite(gain), gain, -1.0)
        k = int(np.argmax(gain))
        if gain[k] > best_gain:
            best_i, best_gain = lo + k, float(gain[k])
    return best_i, best_gain


def _basis(cands, others, n, intercept):
    cols = [np.ones(n)] if intercept else []
    cols += [cands.column(i) / np.max(np.abs(cands.column(i))) for i in others]
    if not cols:
        return np.empty((n, 0))
    return np.linalg.qr(np.column_stack(cols))[0]


def improve(cands, allowed, y, combo, intercept, rounds=3):
    """The model ``combo`` (candidate indices) after best-improvement swaps (module docstring)."""
    mask = np.zeros(len(cands), dtype=bool)
    mask[np.asarray(allowed, dtype=int)] = True
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
            i, gain = _best_addition(cands, mask, Q, r)
            new_sse = float(r @ r) - gain
            if i >= 0 and i not in combo and new_sse < sse * (1 - 1e-9) - 1e-15 * float(y @ y):
                combo[k], sse, changed = i, new_sse, True
        if not changed:
            break
    return tuple(combo)
