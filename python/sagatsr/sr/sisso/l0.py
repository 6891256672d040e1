"""Exhaustive ℓ0 search: the best least-squares model ``y = c0 + sum_k c_k d_k`` with exactly
``dim`` descriptors from a subspace, over all combinations.

With centred, unit-norm columns ``Z`` and centred ``y`` the intercept drops out and, for a
combination ``S``, the residual sum of squares is ``y·y - b_S^T G_SS⁻¹ b_S`` with ``G = Z^T Z`` and
``b = Z^T y``; the cost does not depend on the number of rows. A combination is solved only when
``det G_SS > 1e-8`` (nearly collinear descriptors are skipped). Up to three terms the sums of
squares come in closed form, a whole block of combinations per array operation:

* one term: ``SSE = y·y − b_i² / G_ii``;
* two terms: ``SSE = y·y − (G_jj b_i² − 2 G_ij b_i b_j + G_ii b_j²) / det``, ``det = G_ii G_jj − G_ij²``;
* three terms ``(i, j, k)``: the pair's model plus one column. With ``H = G_SS⁻¹`` of the pair ``S``,
  ``u = G_Sk``, the Schur complement ``v = G_kk − u^T H u`` and ``w = b_k − u^T H b_S``:
  ``SSE = SSE_S − w² / v`` and ``det G = det G_SS · v``.

Four terms and more are solved as batched ``dim×dim`` systems, in chunks so memory is bounded.
With ``complexity`` (one value per column) the best combination of every total complexity is kept
as well: the few lowest-SSE combinations are often near-copies of one formula with a tiny extra
factor (``x·exp(0.003·z)`` beside ``x``), and the simpler one must still reach the Pareto front.
Without an intercept (``intercept=False``: the strict units mode with a dimensional y, where a
constant term would carry y's unit) the columns and y are used uncentred. Ties are broken by the
combination (lexicographic), whichever way the sums of squares were computed.
"""

from __future__ import annotations

from itertools import combinations, islice

import numpy as np

#: combinations with a smaller ``det G_SS`` (unit-norm columns) are skipped as collinear
MIN_DET = 1e-8


def best_combinations(M: np.ndarray, y: np.ndarray, dim: int, keep: int = 5, chunk: int = 200_000,
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
    blocks = _closed_form(G, b, yy, dim, chunk) if dim <= 3 else _solved(G, b, yy, dim, chunk)
    best: list[tuple[float, tuple]] = []
    for block, sse in blocks:
        sse = np.where(np.isfinite(sse), sse, np.inf)
        best = sorted(best + [(max(float(sse[i]), 0.0), tuple(int(v) for v in block[i]))
                              for i in _lowest(sse, keep)], key=lambda t: (t[0], t[1]))[:keep]
        if complexity is not None:
            _keep_best_per_complexity(by_complexity, block, sse, complexity[block].sum(axis=1))
    chosen = {combo: sse for sse, combo in best}
    chosen.update({combo: sse for sse, combo in by_complexity.values()})
    return sorted(((sse, combo) for combo, sse in chosen.items()), key=lambda t: (t[0], t[1]))


def _lowest(sse, keep) -> np.ndarray:
    """Positions of the ``keep`` smallest finite values, by value then position."""
    finite = np.flatnonzero(np.isfinite(sse))
    if finite.size > keep:
        cut = np.partition(sse[finite], keep - 1)[keep - 1]
        finite = finite[sse[finite] <= cut]
    return finite[np.argsort(sse[finite], kind="stable")][:keep]


def _closed_form(G, b, yy, dim, chunk):
    """``(combinations, SSE)`` blocks in lexicographic order for ``dim`` ≤ 3 (module docstring);
    SSE is inf where the combination is collinear."""
    p = len(b)
    d = np.diag(G)
    if dim == 1:
        ok = d > MIN_DET
        yield np.arange(p)[:, None], np.where(ok, yy - b**2 / np.where(ok, d, 1.0), np.inf)
        return
    i, j = np.triu_indices(p, 1)
    step = max(1, chunk // p if dim == 3 else chunk)  # a three-term block holds pairs × p values
    for lo in range(0, len(i), step):
        bi, bj = i[lo:lo + step], j[lo:lo + step]
        gij, gii, gjj = G[bi, bj], d[bi], d[bj]
        det = gii * gjj - gij**2
        ok = det > MIN_DET
        inv = 1.0 / np.where(ok, det, 1.0)
        hb_i = (gjj * b[bi] - gij * b[bj]) * inv  # H b_S
        hb_j = (gii * b[bj] - gij * b[bi]) * inv
        sse_pair = np.where(ok, yy - (b[bi] * hb_i + b[bj] * hb_j), np.inf)
        if dim == 2:
            yield np.column_stack([bi, bj]), sse_pair
            continue
        ui, uj = G[bi], G[bj]  # [pairs, k]: G_ik, G_jk
        hu_i = (gjj[:, None] * ui - gij[:, None] * uj) * inv[:, None]
        hu_j = (gii[:, None] * uj - gij[:, None] * ui) * inv[:, None]
        v = d[None, :] - (ui * hu_i + uj * hu_j)
        w = b[None, :] - (ui * hb_i[:, None] + uj * hb_j[:, None])
        valid = (np.arange(p)[None, :] > bj[:, None]) & ok[:, None]
        good = valid & (det[:, None] * v > MIN_DET)
        with np.errstate(all="ignore"):
            sse = np.where(good, sse_pair[:, None] - w**2 / np.where(good, v, 1.0), np.inf)
        rows, ks = np.nonzero(valid)  # row-major: lexicographic (i, j, k)
        yield np.column_stack([bi[rows], bj[rows], ks]), sse[rows, ks]


def _solved(G, b, yy, dim, chunk):
    """``(combinations, SSE)`` blocks from batched linear solves (any ``dim``)."""
    combos = combinations(range(len(b)), dim)
    while True:
        block = np.array(list(islice(combos, chunk)), dtype=int)
        if block.size == 0:
            return
        Gs = G[block[:, :, None], block[:, None, :]]
        bs = b[block]
        ok = np.linalg.det(Gs) > MIN_DET
        sse = np.full(len(block), np.inf)
        if ok.any():
            coef = np.linalg.solve(Gs[ok], bs[ok][..., None])[..., 0]
            sse[ok] = yy - np.einsum("kd,kd->k", coef, bs[ok])
        yield block, sse


def _keep_best_per_complexity(by_complexity, block, sse, totals) -> None:
    """Update ``{total complexity: (sse, combination)}`` with this chunk's best of each total."""
    finite = np.isfinite(sse)
    for total in np.unique(totals[finite]):
        rows = np.flatnonzero(finite & (totals == total))
        i = rows[np.argmin(sse[rows])]
        entry = (max(float(sse[i]), 0.0), tuple(int(v) for v in block[i]))
        if int(total) not in by_complexity or entry < by_complexity[int(total)]:
            by_complexity[int(total)] = entry
