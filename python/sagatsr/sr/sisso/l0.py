"""Exhaustive ℓ0 search: the best least-squares model ``y = c0 + sum_k c_k d_k`` with exactly
``dim`` descriptors from a subspace, over all combinations.

With centred columns ``Z`` and centred ``y`` the intercept drops out and, for a combination ``S``,
the residual sum of squares is ``y·y - b_S^T G_SS b_S`` with ``G = Z^T Z``, ``b = Z^T y`` and
``G_SS b_S = Z_S^T y``. All combinations are solved as batched ``dim×dim`` systems, in chunks so
memory is bounded; the cost does not depend on the number of rows. With ``complexity`` (one value
per column) the best combination of every total complexity is kept as well: the few lowest-SSE
combinations are often near-copies of one formula with a tiny extra factor (``x·exp(0.003·z)``
beside ``x``), and the simpler one must still reach the Pareto front. Without an intercept
(``intercept=False``: the strict units mode with a dimensional y, where a constant term would carry
y's unit) the columns and y are used uncentred.
"""

from __future__ import annotations

from itertools import combinations, islice

import numpy as np


def best_combinations(M: np.ndarray, y: np.ndarray, dim: int, keep: int = 5, chunk: int = 20000,
                      intercept: bool = True, complexity=None):
    """The ``keep`` lowest-SSE combinations of ``dim`` columns of ``M``, plus the lowest-SSE one of
    each total ``complexity`` when given: list of (sse, tuple), lowest SSE first."""
    complexity = None if complexity is None else np.asarray(complexity, dtype=int)
    by_complexity: dict[int, tuple[float, tuple]] = {}
    Z = M - M.mean(axis=0) if intercept else np.array(M, float)
    scale = np.sqrt((Z**2).sum(axis=0))
    Z = Z / np.where(scale > 0, scale, 1.0)
    yc = y - y.mean() if intercept else np.asarray(y, float)
    G = Z.T @ Z
    b = Z.T @ yc
    yy = float(yc @ yc)
    best: list[tuple[float, tuple]] = []
    combos = combinations(range(M.shape[1]), dim)
    while True:
        block = np.array(list(islice(combos, chunk)), dtype=int)
        if block.size == 0:
            break
        Gs = G[block[:, :, None], block[:, None, :]]
        bs = b[block]
        det = np.linalg.det(Gs) if dim > 1 else Gs[:, 0, 0]
        ok = det > 1e-8
        sse = np.full(len(block), np.inf)
        if ok.any():
            coef = np.linalg.solve(Gs[ok], bs[ok][..., None])[..., 0]
            sse[ok] = yy - np.einsum("kd,kd->k", coef, bs[ok])
        order = np.argsort(sse, kind="stable")[:keep]
        best.extend((max(float(sse[i]), 0.0), tuple(int(v) for v in block[i])) for i in order
                    if np.isfinite(sse[i]))
        best = sorted(best, key=lambda t: (t[0], t[1]))[:keep]
        if complexity is not None:
            _keep_best_per_complexity(by_complexity, block, sse, complexity[block].sum(axis=1))
    chosen = {combo: sse for sse, combo in best}
    chosen.update({combo: sse for sse, combo in by_complexity.values()})
    return sorted(((sse, combo) for combo, sse in chosen.items()), key=lambda t: (t[0], t[1]))


def _keep_best_per_complexity(by_complexity, block, sse, totals) -> None:
    """Update ``{total complexity: (sse, combination)}`` with this chunk's best of each total."""
    finite = np.isfinite(sse)
    for total in np.unique(totals[finite]):
        rows = np.flatnonzero(finite & (totals == total))
        i = rows[np.argmin(sse[rows])]
        entry = (max(float(sse[i]), 0.0), tuple(int(v) for v in block[i]))
        if int(total) not in by_complexity or entry < by_complexity[int(total)]:
            by_complexity[int(total)] = entry
