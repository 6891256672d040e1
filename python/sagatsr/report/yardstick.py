"""The physics yardstick: the best one-descriptor formula :math:`y = a + b\\,d`.

Descriptors :math:`d` are built from the candidate features :math:`x_1, \\dots, x_p` (those that may go
to symbolic regression, :func:`sagatsr.screening.selection.sr_candidates`):

* every single feature :math:`x_i`;
* every ratio :math:`x_i / x_j` (i ≠ j) whose denominator keeps one sign on the fitting rows and is
  never within 1e-9 of its largest magnitude of zero (no division blow-ups);
* every product :math:`x_i x_j` (i < j).

Units are checked, not assumed: a descriptor's unit is the product or quotient of its features'
units (pint), and :math:`b` carries :math:`[y]/[d]`, so :math:`a + b d` always has the target's unit;
both units are reported. With one descriptor the least-squares fit is closed-form,
:math:`b = \\mathrm{cov}(d, y)/\\mathrm{var}(d)`, :math:`a = \\bar y - b \\bar d`, and its training
MSE is :math:`\\mathrm{var}(y)(1 - \\rho^2)`: the best descriptor is the one with the largest
:math:`|\\rho(d, y)|` **on the fitting rows**. The chosen line is then scored on the test rows, the
same rows every formula of the run is scored on.

A cohesive-energy density :math:`K \\approx a + b\\,\\Delta H_{\\text{vap}}/V_{\\text{atom}}` for bulk
moduli is such a descriptor; a formula found by SR should do better than the best of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from sagatsr.screening.descriptors import describe, evaluate, rank_descriptors, unit_of

__all__ = ["Yardstick", "best_one_descriptor", "yardstick_lines"]

@dataclass
class Yardstick:
    """The chosen line ``y = intercept + slope * descriptor`` and its scores (target units)."""

    descriptor: str
    descriptor_unit: str
    slope_unit: str
    intercept: float
    slope: float
    fit_mae: float
    test_mae: float | None
    test_rmse: float | None
    n_fit: int
    n_test: int
    n_descriptors: int

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def formula(self) -> str:
        return f"{self.intercept:.4g} + {self.slope:.4g}*{self.descriptor}"


def best_one_descriptor(X_fit: np.ndarray, y_fit: np.ndarray, names: Sequence[str], units: Sequence[str],
                        X_test: np.ndarray | None = None, y_test: np.ndarray | None = None,
                        y_unit: str = "dimensionless") -> Yardstick:
    """Search singles, ratios and products of the columns of ``X_fit`` (see the module docstring).

    Args:
        X_fit, y_fit: fitting rows (rows × features) and target.
        names, units: feature names and pint units, in column order.
        X_test, y_test: test rows, scored with the chosen line (optional).
        y_unit: the target's unit (for the slope's unit).
    """
    X_fit, y_fit = np.asarray(X_fit, float), np.asarray(y_fit, float)
    names, units = list(names), list(units)
    if X_fit.ndim != 2 or X_fit.shape[1] != len(names) or len(units) != len(names):
        raise ValueError("X_fit must be rows × features with one name and unit per column")
    ranked, n_descriptors = rank_descriptors(X_fit, y_fit, top=1)
    if not ranked:
        raise ValueError("no descriptor varies on the fitting rows")
    _, kind, i, j = ranked[0]
    text, unit = describe(kind, names, units, i, j)
    d_fit = evaluate(kind, X_fit, i, j)
    slope = float(np.cov(d_fit, y_fit, bias=True)[0, 1] / d_fit.var())
    intercept = float(y_fit.mean() - slope * d_fit.mean())
    fit_mae = float(np.mean(np.abs(intercept + slope * d_fit - y_fit)))
    test_mae = test_rmse = None
    n_test = 0
    if X_test is not None and y_test is not None and len(y_test):
        error = intercept + slope * evaluate(kind, np.asarray(X_test, float), i, j) - np.asarray(y_test, float)
        test_mae, test_rmse, n_test = float(np.mean(np.abs(error))), float(np.sqrt(np.mean(error**2))), len(error)
    return Yardstick(text, unit, unit_of(f"({y_unit})/({unit})") if unit else y_unit, intercept, slope, fit_mae,
                     test_mae, test_rmse, len(y_fit), n_test, n_descriptors)


def yardstick_lines(out, formulas: list[dict]) -> list[str]:
    """Markdown for a run report: the yardstick beside each mode's selected formula, whether each
    selected formula uses E_p, and why each feature was offered to SR (``sr_selection.json``)."""
    import json
    from pathlib import Path

    out = Path(out)
    path = out / "yardstick.json"
    if not path.is_file():
        return []
    stick = json.loads(path.read_text())
    shown = f"{stick['intercept']:.4g} + {stick['slope']:.4g}·{stick['descriptor']}"
    lines = ["### Physics yardstick", "",
             f"The best one-descriptor formula y = a + b·d ({stick['n_descriptors']} descriptors: the candidate "
             "features, their ratios and products), fitted on the same rows as the formulas and scored on the same "
             f"test rows: `{shown}` (d in {stick['descriptor_unit']}, b in {stick['slope_unit']}), "
             f"test MAE {_number(stick['test_mae'])}.", ""]
    rows = []
    for mode in ("gnn+features", "features"):
        best = next((f for f in formulas if f.get("mode") == mode and f.get("best")), None)
        if best is None or not best.get("test"):
            continue
        uses_e_p = "E_p" in (best.get("inputs") or [])
        verdict = "–" if stick["test_mae"] is None else ("yes" if best["test"]["mae"] < stick["test_mae"] else "**no**")
        from sagatsr.report.formula_render import short_formula  # 4 significant digits, as in the tables above

        rows.append([mode, f"`{short_formula(best['expression'], best.get('offered') or best.get('inputs') or [])}`",
                     _number(best["test"]["mae"]), verdict,
                     "–" if mode == "features" else ("yes" if uses_e_p else "**no**")])
    if rows:
        lines += ["| mode | selected formula | test MAE | beats the yardstick | uses E_p |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows] + [""]
    for mode, _, _, _, uses in rows:
        if uses == "**no**":
            lines += [f"> The selected {mode} formula does not use E_p: on these rows the features explain the "
                      "target at least as well as the network's prediction.", ""]
    selection_path = out / "sr_selection.json"
    if selection_path.is_file():
        selection = json.loads(selection_path.read_text())
        lines += ["### Features offered to symbolic regression", ""]
        for mode, chosen in selection.items():
            reasons = "; ".join(f"`{name}` ({', '.join(chosen['reasons'][name])})" for name in chosen["features"])
            lines += [f"- **{mode}**: {reasons}. Rule: {chosen['rule']}."]
        lines += ["", "Never offered: missing-data flags; for an intensive target, extensive features (cell volume, "
                  "site count, lattice lengths and angles of the chosen cell).", ""]
    return lines


def _number(value) -> str:
    return "–" if value is None else f"{value:.4g}"
