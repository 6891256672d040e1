"""The method's parts of a ``sagatsr run``, called from small hooks in :mod:`sagatsr.pipeline`.

* :func:`screen_diagnostics` (screen step): SR candidates marked in ``importance.csv``, IC
  stability across the main model and the cross-fitting fold models, agreement with permutation
  importance, each row scored by a model that did not train on it (the main model on the
  validation + test rows, each fold model on its held-out fold; :mod:`~sagatsr.screening.diagnostics`).
* :func:`sr_selection` (SR step): the features offered to one SR mode — IC top-k ∪ SIS top-k on
  the fitting rows (:func:`~sagatsr.screening.selection.select_sr_features`); written to
  ``sr_selection.json``.
* :func:`write_yardstick` (SR step): the best one-descriptor formula fitted on the same rows as the
  formulas and scored on the same test rows (:mod:`sagatsr.report.yardstick`); ``yardstick.json``.

Run-directory contract used here: ``sr_inputs.csv`` (``id, split, target, e_p_sr``; fitting rows
= split ≠ test), ``importance.csv`` and the features Dataset of the run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.screening.selection import Selection, select_sr_features, sr_candidates, target_is_intensive

__all__ = ["screen_diagnostics", "sr_selection", "write_yardstick", "sis_count"]


#: how many best one-descriptor formulas (x, x/x', x·x') add their features to the SR inputs
SIS_PAIRS = 2


def sis_count(top_k: int) -> int:
    """How many SIS picks join the ``top_k`` IC picks: half as many, at least 2."""
    return max(2, top_k // 2)


def _intensive_flags(features) -> dict[str, bool]:
    return {name: bool(int(features[name].attrs.get("intensive", 1))) for name in features.data_vars}


def _matrix(features, names, ids) -> np.ndarray:
    """(materials ``ids`` × features ``names``) values of the run's features Dataset."""
    return np.column_stack([features[n].sel(material=list(ids)).values.astype(float) for n in names])


def _fold_models(out: Path) -> list[tuple[int, object]]:
    """``[(k, cross-fitting model k)]`` found under ``cross_fit/fold<k>/``."""
    from sagatsr.training import TrainedModel

    found = (out / "cross_fit").glob("fold*/model_config.json") if (out / "cross_fit").is_dir() else []
    folds = sorted((int(path.parent.name[4:]), path.parent) for path in found if path.parent.name[4:].isdigit())
    return [(k, TrainedModel.load(directory)) for k, directory in folds]


def screen_diagnostics(ctx, ranking: pd.DataFrame) -> dict:
    """Mark candidates, measure IC stability and permutation agreement; files in ``ctx.out``."""
    from sagatsr.screening.diagnostics import write_ic_diagnostics

    features = ctx.features
    names = ranking["feature"].tolist()
    fit_rows = np.sort(np.concatenate([ctx.split["train"], ctx.split["val"]]))
    values = _matrix(features, names, [ctx.ids[i] for i in fit_rows])
    folds = _fold_models(ctx.out)
    held_out = np.sort(np.concatenate([ctx.split["val"], ctx.split["test"]]))
    sets = [(ctx.model, held_out)] + [(model, _held_rows(ctx.out, k)) for k, model in folds]
    return write_ic_diagnostics(
        [ctx.model, *(model for _, model in folds)], ctx.graphs, ctx.out, ranking=ranking, intensive=_intensive_flags(features),
        target_unit=ctx.dataset.target_unit, values=values, seed=ctx.config.seed,
        permutation_sets=[(model, rows) for model, rows in sets if len(rows)],
        stability_source=f"the main model and {len(folds)} cross-fitting fold models, ICs on all materials")


def _held_rows(out: Path, k: int) -> np.ndarray:
    """Rows cross-fitting model ``k`` did not train on (``cross_fit/fold<k>.csv``; empty if absent)."""
    path = out / "cross_fit" / f"fold{k}.csv"
    return pd.read_csv(path)["row"].to_numpy(int) if path.is_file() else np.array([], dtype=int)


def _fit_table(ctx):
    table = pd.read_csv(ctx.out / "sr_inputs.csv")
    fit = (table["split"] != "test").to_numpy()
    return table, fit


def sr_selection(ctx, mode: str) -> Selection:
    """Features offered to SR in ``mode`` (``"gnn+features"`` screens the residual of y on E_p)."""
    table, fit = _fit_table(ctx)
    ranking = pd.read_csv(ctx.out / "importance.csv").sort_values("rank", kind="stable")
    features = ctx.features
    fit_ids = table.loc[fit, "id"].astype(str).to_numpy()
    names = ranking["feature"].tolist()
    values = _matrix(features, names, fit_ids)
    candidates, excluded = sr_candidates(names, _intensive_flags(features), values,
                                         intensive_target=target_is_intensive(ctx.dataset.target_unit))
    columns = [names.index(n) for n in candidates]
    e_p = table.loc[fit, "e_p_sr"].to_numpy(float) if mode == "gnn+features" else None
    k = ctx.config.top_k
    selection = select_sr_features(values[:, columns], table.loc[fit, "target"].to_numpy(float), candidates,
                                   candidates, k_ic=k, k_sis=sis_count(k), k_pairs=SIS_PAIRS, e_p=e_p,
                                   excluded=excluded)
    path = ctx.out / "sr_selection.json"
    saved = json.loads(path.read_text()) if path.is_file() else {}
    saved[mode] = selection.as_dict()
    path.write_text(json.dumps(saved, indent=2))
    return selection


def write_yardstick(ctx) -> dict:
    """Fit the one-descriptor yardstick on the SR fitting rows, score it on the test rows."""
    from sagatsr.report.yardstick import best_one_descriptor

    table, fit = _fit_table(ctx)
    ranking = pd.read_csv(ctx.out / "importance.csv")
    features = ctx.features
    names = ranking["feature"].tolist()
    fit_ids = table.loc[fit, "id"].astype(str).to_numpy()
    values = _matrix(features, names, fit_ids)
    candidates, _ = sr_candidates(names, _intensive_flags(features), values,
                                  intensive_target=target_is_intensive(ctx.dataset.target_unit))
    test_ids = table.loc[~fit, "id"].astype(str).to_numpy()
    matrix = {part: _matrix(features, candidates, ids) for part, ids in (("fit", fit_ids), ("test", test_ids))}
    y = table["target"].to_numpy(float)
    units = [features[n].attrs.get("units", "dimensionless") for n in candidates]
    found = best_one_descriptor(matrix["fit"], y[fit], candidates, units,
                                matrix["test"] if len(test_ids) else None, y[~fit] if len(test_ids) else None,
                                y_unit=ctx.dataset.target_unit)
    result = {**found.as_dict(), "formula": found.formula,
              "rule": "best |corr| on the fitting rows among the candidate features, their ratios and "
                      "products (y = a + b·d); scored on the test rows of the formulas"}
    (ctx.out / "yardstick.json").write_text(json.dumps(result, indent=2))
    return result
