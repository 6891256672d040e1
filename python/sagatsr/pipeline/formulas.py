"""The SR step of a run: formulas on [E_p + top-k features] (the paper's mode) and on the top-k
features alone (formulas that carry the physics themselves), both scored on held-out test rows.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from sagatsr.io import write_text

log = logging.getLogger("sagatsr.pipeline")

__all__ = ["fit_formulas", "E_P_NAME"]

#: variable name of the GNN prediction in formulas
E_P_NAME = "E_p"
#: the two SR modes of a run: the paper's, and features alone
SR_MODES = ("gnn+features", "features")


def _inputs(ctx, mode: str, names: list[str]):
    """(X rows × variables, units, variable names) for the rows of ``sr_inputs.csv`` order."""
    table = pd.read_csv(ctx.out / "sr_inputs.csv")
    feats = ctx.features.sel(material=table["id"].astype(str).to_numpy())
    columns = [feats[name].values.astype(float) for name in names]
    units = [feats[name].attrs.get("units", "dimensionless") for name in names]
    if mode == "gnn+features":
        columns.insert(0, table["e_p_sr"].to_numpy(float))
        units.insert(0, ctx.dataset.target_unit)
        names = [E_P_NAME, *names]
    return np.column_stack(columns), units, list(names), table


def selected_features(ctx, mode: str = "features") -> list[str]:
    """The features offered to SR in ``mode``: the ``top_k`` SR candidates by mean IC united with the
    SIS picks on the fitting rows (:func:`sagatsr.screening.runstep.sr_selection`; why each one is
    there goes to ``sr_selection.json``)."""
    from sagatsr.screening.runstep import sr_selection

    return sr_selection(ctx, mode).features


def _scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    err = pred - y
    return {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err**2)))}


def fit_formulas(ctx) -> None:
    """Fit both SR modes, write ``sr_<mode>.json``, ``formulas.json`` and ``pareto.png``."""
    from sagatsr.sr import SymbolicRegressor
    from sagatsr.sr.constant_units import coefficients_with_units

    cfg = ctx.config
    records, fronts = [], {}
    for mode in SR_MODES:
        X, units, names, table = _inputs(ctx, mode, selected_features(ctx, mode))
        is_test = (table["split"] == "test").to_numpy()
        y = table["target"].to_numpy(float)
        regressor = SymbolicRegressor(
            backend=cfg.sr.backend.value, max_terms=cfg.sr.max_terms, maxsize=cfg.sr.maxsize,
            niterations=cfg.sr.niterations, seed=cfg.seed,
        )
        regressor.fit(X[~is_test], y[~is_test], X_units=units, y_units=ctx.dataset.target_unit,
                      variable_names=names)
        write_text(ctx.out / f"sr_{_slug(mode)}.json", regressor.to_json())
        fronts[mode] = regressor.pareto_front_
        for eq in regressor.pareto_front_:
            record = eq.to_dict() if hasattr(eq, "to_dict") else {}
            record.update(
                coefficients=coefficients_with_units(eq, dict(zip(names, units)), ctx.dataset.target_unit),
                mode=mode, expression=eq.expression, latex=eq.latex(), complexity=int(eq.complexity),
                loss=float(eq.loss), units=eq.units, backend=eq.backend, inputs=list(eq.inputs),
                best=eq is regressor.best_, offered=list(names), n_fit_rows=int((~is_test).sum()), n_test_rows=int(is_test.sum()),
                test=_scores(y[is_test], eq.evaluate(X[is_test], names)) if is_test.any() else None,
                notes=list(regressor.notes_),
            )
            records.append(record)
    from sagatsr.io import write_json

    write_json(ctx.out / "formulas.json", records, default=_jsonable)  # atomic: never half-written
    from sagatsr.screening.runstep import write_yardstick

    write_yardstick(ctx)  # the one-descriptor formula every found formula should beat
    from sagatsr.report.plots import pareto_plot
    from sagatsr.units import pretty_unit

    pareto_plot(records, ctx.out / "pareto.png", unit=pretty_unit(ctx.dataset.target_unit))


def _slug(mode: str) -> str:
    return mode.replace("+", "_plus_")


def _jsonable(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
