"""One-descriptor candidates d built from features: singles x_i, ratios x_i/x_j, products x_i·x_j.

Shared by the physics yardstick (:mod:`sagatsr.report.yardstick`) and the SIS check of the SR inputs
(:mod:`sagatsr.screening.selection`). A ratio is formed only when the denominator keeps one sign
on the fitting rows and stays at least 1e-9 of its largest magnitude away from zero. Descriptors
are scored by :math:`|\\rho(d, y)|`, the absolute Pearson correlation with the response on the fitting
rows: for y = a + b·d fitted by least squares, the training MSE is :math:`\\mathrm{var}(y)(1 - \\rho^2)`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["rank_descriptors", "evaluate", "describe", "unit_of"]

_ZERO_GUARD = 1e-9


def unit_of(expression: str) -> str:
    """The pint unit of ``expression`` (feature units combined), as a plain string."""
    from sagatsr.units import parse_unit

    try:
        return str(parse_unit(expression))
    except Exception:  # noqa: BLE001 - a unit we cannot combine is reported, not fatal
        return f"({expression})"


def _correlations(block: np.ndarray, y_std: np.ndarray) -> np.ndarray:
    """|Pearson r| of every column of ``block`` with the standardised target (0 for constants)."""
    centred = block - block.mean(axis=0)
    scale = np.sqrt((centred**2).mean(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.abs(centred.T @ y_std) / (len(y_std) * scale)
    r[~np.isfinite(r) | (scale <= 0)] = -1.0
    return r


def rank_descriptors(X_fit: np.ndarray, y_fit: np.ndarray, top: int = 1) -> tuple[list[tuple[float, str, int, int]], int]:
    """``([(|r|, kind, i, j)] of the ``top`` best descriptors, number searched)``; kind is
    ``"single"`` (j = i), ``"ratio"`` (x_i/x_j) or ``"product"`` (x_i·x_j)."""
    X_fit, y_fit = np.asarray(X_fit, float), np.asarray(y_fit, float)
    n_features = X_fit.shape[1]
    y_std = (y_fit - y_fit.mean()) / (y_fit.std() or 1.0)
    found: list[tuple[float, str, int, int]] = []

    def consider(scores: np.ndarray, kind: str, i: int, partners: np.ndarray) -> None:
        best = np.argsort(-scores, kind="stable")[:top]
        found.extend((float(scores[k]), kind, i, int(partners[k])) for k in best if scores[k] >= 0)

    consider(_correlations(X_fit, y_std), "single", 0, np.arange(n_features))
    found[:] = [(r, kind, j, j) for r, kind, _, j in found]
    searched = n_features
    magnitude = np.abs(X_fit).max(axis=0)
    safe_denominator = (np.all(X_fit > _ZERO_GUARD * magnitude, axis=0)
                        | np.all(X_fit < -_ZERO_GUARD * magnitude, axis=0))
    for i in range(n_features):
        partners = np.array([j for j in range(n_features) if j != i and safe_denominator[j]], dtype=int)
        if partners.size:
            consider(_correlations(X_fit[:, [i]] / X_fit[:, partners], y_std), "ratio", i, partners)
            searched += partners.size
        later = np.arange(i + 1, n_features)
        if later.size:
            consider(_correlations(X_fit[:, [i]] * X_fit[:, later], y_std), "product", i, later)
            searched += later.size
    order = sorted(range(len(found)), key=lambda k: (-round(found[k][0], 12), k))  # stable: singles first
    return [found[k] for k in order[:top]], searched


def evaluate(kind: str, X: np.ndarray, i: int, j: int) -> np.ndarray:
    if kind == "single":
        return X[:, i]
    return X[:, i] / X[:, j] if kind == "ratio" else X[:, i] * X[:, j]


def describe(kind: str, names, units, i: int, j: int) -> tuple[str, str]:
    if kind == "single":
        return names[i], unit_of(units[i])
    op = "/" if kind == "ratio" else "*"
    return f"{names[i]}{op}{names[j]}", unit_of(f"({units[i]}){op}({units[j]})")
