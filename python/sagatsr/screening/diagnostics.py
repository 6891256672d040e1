"""IC diagnostics written beside a ranking (``sagatsr screen`` and the screen step of ``sagatsr run``).

Files written into the output directory:

* ``importance.csv`` gains three columns (the first five are unchanged): ``sr_candidate`` (may the
  feature go to symbolic regression, :func:`~sagatsr.screening.selection.sr_candidates`),
  ``candidate_rank`` (rank among the candidates by mean IC; empty otherwise) and ``excluded`` (why not);
* ``permutation_importance.csv``: ``feature, permutation_importance, mean_ic`` of the first model;
* ``importance_stability.json``: the candidate rule, the stability of the ranking across models
  (when there are several) and its agreement with permutation importance
  (:mod:`~sagatsr.screening.stability`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.screening.selection import sr_candidates, target_is_intensive
from sagatsr.screening.stability import ic_agreement, permutation_importance, ranking_stability

__all__ = ["mark_candidates", "write_ic_diagnostics", "stability_lines"]


def mark_candidates(ranking: pd.DataFrame, intensive: dict[str, bool], intensive_target: bool,
                    values: np.ndarray | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Add ``sr_candidate``, ``candidate_rank`` and ``excluded`` columns to a ranking table.

    ``values``: optional (rows × features in ``ranking`` order) matrix; constant columns are excluded.
    """
    names = ranking["feature"].tolist()
    kept, excluded = sr_candidates(names, intensive, values, intensive_target=intensive_target)
    table = ranking.copy()
    table["sr_candidate"] = table["feature"].isin(kept)
    ranks = table.loc[table["sr_candidate"], "mean_ic"].rank(ascending=False, method="min").astype(int)
    table["candidate_rank"] = pd.Series(ranks, dtype="Int64")
    table["excluded"] = [excluded.get(name, "") for name in names]
    return table, excluded


def write_ic_diagnostics(models: Sequence, graphs: Sequence, out_dir: str | Path, *, ranking: pd.DataFrame,
                         intensive: dict[str, bool], target_unit: str | None, permutation_rows=None,
                         values: np.ndarray | None = None, seed: int = 0, stability_source: str = "",
                         max_permutation_rows: int = 300, permutation_sets=None) -> dict:
    """Write the files listed in the module docstring; return the JSON summary.

    Args:
        models: trained models of the same data; the first one is the model the ranking came from.
        graphs: the graphs the ranking's ICs were computed on (same order as ``values`` rows).
        ranking: output of :func:`~sagatsr.screening.rank_features` for ``models[0]``.
        intensive: feature -> intensive flag; ``target_unit`` decides if the target is intensive.
        permutation_rows: rows of ``graphs`` for permutation importance (held-out rows; default all;
            at most ``max_permutation_rows`` of them, a seeded random subset).
        values: raw crystal features of ``graphs`` in ranking-feature order (constants are excluded).
        stability_source: what the several models are (e.g. "5 cross-fitting fold models").
        permutation_sets: ``[(model, rows)]``, each model with the rows it did not train on (e.g. the
            cross-fitting models with their held-out folds); the importance is the row-weighted mean
            over the sets (``max_permutation_rows`` shared among them). Default:
            ``[(models[0], permutation_rows)]``.
    """
    out_dir = Path(out_dir)
    intensive_target = target_is_intensive(target_unit)
    marked, excluded = mark_candidates(ranking, intensive, intensive_target, values)
    names = models[0].crystal_names
    candidates = marked.loc[marked["sr_candidate"], "feature"].tolist()
    index = {n: j for j, n in enumerate(names)}
    mean_ic = marked.set_index("feature").loc[names, "mean_ic"].to_numpy(float)
    if permutation_sets is None:
        permutation_sets = [(models[0], range(len(graphs)) if permutation_rows is None else permutation_rows)]
    per_set = max(1, max_permutation_rows // len(permutation_sets))
    perm, rows = np.zeros(len(names)), []
    for k, (model, set_rows) in enumerate(permutation_sets):
        set_rows = [int(r) for r in set_rows]
        if len(set_rows) > per_set:  # a seeded subset keeps the cost bounded on big data
            set_rows = sorted(np.random.default_rng(seed + k).choice(set_rows, per_set, replace=False).tolist())
        scores = permutation_importance(model, [graphs[r] for r in set_rows], [index[n] for n in candidates],
                                        seed=seed + k)
        perm, rows = perm + len(set_rows) * scores, rows + set_rows
    perm = perm / max(len(rows), 1)
    pd.DataFrame({"feature": names, "permutation_importance": perm, "mean_ic": mean_ic}).to_csv(
        out_dir / "permutation_importance.csv", index=False)
    cand_cols = [index[n] for n in candidates]
    summary = {
        "target_intensive": intensive_target,
        "candidate_rule": "missing-data flags are never candidates; for an intensive target extensive "
                          "features are left out (volume_per_atom is the per-atom cell volume); "
                          "features constant on the rows are left out",
        "n_features": len(names), "n_candidates": len(candidates), "excluded": excluded,
        "permutation": {"rows": len(rows), "models": len(permutation_sets),
                        "measure": "increase of MAE when the column is shuffled"
                        if _have_targets(graphs, rows) else "mean |change of prediction| when shuffled",
                        **ic_agreement(mean_ic[cand_cols], perm[cand_cols], candidates)},
        "candidates_by_ic": candidates,
        "top10_by_ic": candidates[:10],
        "top10_by_permutation": [candidates[k] for k in np.argsort(-perm[cand_cols], kind="stable")[:10]],
    }
    if len(models) > 1:
        per_model = [mean_ic[cand_cols]]
        for model in models[1:]:
            ics = model.crystal_importance(graphs).transpose("material", "feature").values.mean(axis=0)
            per_model.append(np.asarray(ics)[cand_cols])
        summary["stability"] = {"source": stability_source or f"{len(models)} models",
                                **ranking_stability(per_model, candidates)}
    marked.to_csv(out_dir / "importance.csv", index=False)
    (out_dir / "importance_stability.json").write_text(json.dumps(summary, indent=2, default=_plain))
    return summary


def _have_targets(graphs, rows) -> bool:
    return all(np.isfinite(float(graphs[r].y)) for r in rows) if rows else False


def _plain(value):
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    return str(value)


def stability_lines(out_dir: str | Path) -> list[str]:
    """Markdown for a run report from ``importance_stability.json`` (empty when absent)."""
    path = Path(out_dir) / "importance_stability.json"
    if not path.is_file():
        return []
    summary = json.loads(path.read_text())
    perm = summary["permutation"]
    lines = ["### Are the ICs meaningful?", "",
             f"Ranked among {summary['n_candidates']} SR candidates of {summary['n_features']} features "
             f"({'intensive' if summary['target_intensive'] else 'extensive'} target; {summary['candidate_rule']}).", "",
             f"- Agreement with permutation importance ({perm['rows']} rows, each scored by a model that did not "
             f"train on it, {perm.get('models', 1)} model(s); {perm['measure']}): Spearman {perm['spearman']:.2f}, "
             f"top-10 overlap {perm['top10_overlap']:.0%}."]
    stability = summary.get("stability")
    if stability and stability.get("pairs"):
        lines.append(f"- Stability across {stability['source']}: Spearman of the full ranking "
                     f"{stability['spearman_mean']:.2f} (min {stability['spearman_min']:.2f}), top-10 overlap "
                     f"{stability['top10_overlap_mean']:.0%} (min {stability['top10_overlap_min']:.0%}).")
    else:
        lines.append("- Stability across models: not measured (one model; run with cross-fitting folds).")
    lines += ["", "Top 10 by IC: " + ", ".join(f"`{n}`" for n in summary["top10_by_ic"]) + ".",
              "Top 10 by permutation importance: " + ", ".join(f"`{n}`" for n in summary["top10_by_permutation"]) + ".",
              ""]
    return lines
