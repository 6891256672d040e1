"""Do the importance coefficients mean something? Stability across models and agreement with
permutation importance.

* **Stability**: the mean-IC rankings of several models of the same data (the cross-fitting fold
  models of ``sagatsr run``, or seeds) are compared pairwise by the Spearman correlation of the
  full ranking, :math:`\\rho_S`, and the top-10 overlap :math:`|T_a \\cap T_b| / 10`. Reported: the
  mean and the minimum over pairs. Rankings that change from fold to fold cannot be read as physics.
* **Permutation importance** of the same model: feature j's column of the crystal-feature input
  ``u`` is shuffled across materials (one fixed permutation per feature and repeat), and the
  importance is the increase of the MAE (with targets) or, without targets, the mean absolute change
  of the prediction, averaged over ``repeats``. Agreement with the ICs: Spearman correlation of the
  two orderings and top-10 overlap, over the candidate features.

Only the crystal input is permuted: the crystal ICs weigh exactly that input.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

__all__ = ["spearman", "top_overlap", "ranking_stability", "permutation_importance", "ic_agreement"]

TOP = 10


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation of two score vectors (average ranks for ties; NaN if one is constant)."""
    ra = pd.Series(np.asarray(a, float)).rank().to_numpy()
    rb = pd.Series(np.asarray(b, float)).rank().to_numpy()
    if np.ptp(ra) == 0 or np.ptp(rb) == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def top_overlap(a: Sequence[float], b: Sequence[float], names: Sequence[str], top: int = TOP) -> float:
    """``|top-k of a ∩ top-k of b| / k`` (higher score = more important; ties broken by name order)."""
    k = min(top, len(names))
    best = [set(np.asarray(names)[np.argsort(-np.asarray(s, float), kind="stable")[:k]]) for s in (a, b)]
    return len(best[0] & best[1]) / k if k else float("nan")


def ranking_stability(mean_ics: Sequence[Sequence[float]], names: Sequence[str], top: int = TOP) -> dict:
    """Pairwise Spearman and top-``top`` overlap of several models' mean-IC vectors (same feature order)."""
    pairs = list(combinations(range(len(mean_ics)), 2))
    if not pairs:
        return {"models": len(mean_ics), "pairs": 0}
    rho = [spearman(mean_ics[i], mean_ics[j]) for i, j in pairs]
    overlap = [top_overlap(mean_ics[i], mean_ics[j], names, top) for i, j in pairs]
    return {"models": len(mean_ics), "pairs": len(pairs), "features": len(names),
            "spearman_mean": float(np.nanmean(rho)), "spearman_min": float(np.nanmin(rho)),
            f"top{top}_overlap_mean": float(np.mean(overlap)), f"top{top}_overlap_min": float(np.min(overlap))}


def permutation_importance(trained, graphs: Sequence, columns: Sequence[int] | None = None, *, repeats: int = 2,
                           seed: int = 0, batch_size: int = 512) -> np.ndarray:
    """Permutation importance of crystal-feature columns (all by default) of a
    :class:`~sagatsr.training.TrainedModel` on ``graphs`` (see the module docstring); NaN for
    columns not in ``columns``."""
    import torch
    from torch_geometric.loader import DataLoader

    model = trained.model.eval()
    batches = list(DataLoader(list(graphs), batch_size=batch_size, shuffle=False))
    y = np.concatenate([b.y.double().numpy() for b in batches])
    has_target = bool(np.isfinite(y).all())
    n_crystal = model.config["num_crystal_features"]
    columns = list(range(n_crystal)) if columns is None else list(columns)
    rng = np.random.default_rng(seed)
    permutations = [torch.as_tensor(rng.permutation(len(y))) for _ in range(repeats)]
    u_all = torch.cat([b.u.reshape(-1, n_crystal) for b in batches])
    bounds = np.cumsum([0] + [b.num_graphs for b in batches])

    def predict(u: torch.Tensor) -> np.ndarray:
        out = []
        with torch.no_grad():
            for k, batch in enumerate(batches):
                batch.u = u[bounds[k]:bounds[k + 1]]
                out.append(model(batch).double().numpy())
        return np.concatenate(out)

    base = predict(u_all)
    base_error = np.mean(np.abs(base - y)) if has_target else 0.0
    scores = np.full(n_crystal, np.nan)
    for j in columns:
        deltas = []
        for order in permutations:
            shuffled = u_all.clone()
            shuffled[:, j] = u_all[order, j]
            pred = predict(shuffled)
            deltas.append(np.mean(np.abs(pred - y)) - base_error if has_target else np.mean(np.abs(pred - base)))
        scores[j] = float(np.mean(deltas))
    for k, batch in enumerate(batches):
        batch.u = u_all[bounds[k]:bounds[k + 1]]
    return scores


def ic_agreement(mean_ic: Sequence[float], permutation: Sequence[float], names: Sequence[str],
                 top: int = TOP) -> dict:
    """Spearman and top-``top`` overlap between mean ICs and permutation importance (finite entries)."""
    mean_ic, permutation = np.asarray(mean_ic, float), np.asarray(permutation, float)
    keep = np.isfinite(mean_ic) & np.isfinite(permutation)
    kept_names = list(np.asarray(names)[keep])
    return {"features": int(keep.sum()), "spearman": spearman(mean_ic[keep], permutation[keep]),
            f"top{top}_overlap": top_overlap(mean_ic[keep], permutation[keep], kept_names, top)}
