"""Which crystal features may go to symbolic regression, and which of them are offered.

Two steps, both recorded so a report can say why each feature is in or out.

1. **Candidates** (:func:`sr_candidates`): a feature is a candidate unless

   * it is a missing-data flag (``frac_imputed_*``): it says how much of a composition's data was
     imputed, not anything about the material, so a formula must not use it;
   * the target is intensive (the same for a supercell: eV/atom, GPa, band gaps, dielectric
     constants) and the feature is extensive (``intensive = False``: ``cell_volume``, ``n_sites``,
     lattice lengths and angles of the chosen cell). These are **left out**, not normalised: the
     per-atom form of the only size-carrying one, ``cell_volume / n_sites``, is already the
     candidate ``volume_per_atom``, and the others depend on the choice of cell, not only its size;
   * it does not vary on the fitting rows (a constant column carries no information).

   A target is taken as extensive when its unit is per cell (``eV/cell``); pass
   ``intensive_target`` to override.

2. **Offered features** (:func:`select_sr_features`): the union of

   * the ``k_ic`` best candidates by mean importance coefficient (the network's screening), and
   * the ``k_sis`` best candidates by sure-independence screening on the fitting rows: largest
     :math:`|\\mathrm{corr}(x_j, r)|` with :math:`r = y` (features-only mode) or
     :math:`r = y - \\hat y(E_p)`, the residual of the least-squares line on E_p (E_p mode), so
     SIS looks for what the network's prediction misses.

   * (``k_pairs`` > 0) the features of the ``k_pairs`` best one-descriptor formulas
     :math:`d \in \{x_i, x_i/x_j, x_i x_j\}` by :math:`|\mathrm{corr}(d, r)|`
     (:mod:`~sagatsr.screening.descriptors`): a law such as a cohesive-energy density
     :math:`\Delta H/V` is found even when neither factor correlates with y on its own.

   Features nearly identical to one already chosen (:math:`|\\mathrm{corr}| > 0.999` on the fitting
   rows) are skipped in favour of the next one, so no slot is spent on a duplicate. The order is
   IC picks first, then SIS picks.

The ICs steer the search; SIS checks it against the data the formula is fitted on, so a feature the
ICs rank low but that carries the physics (e.g. a cohesive-energy density for bulk moduli) is not
lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["MISSING_FLAG_PREFIX", "Selection", "is_missing_flag", "target_is_intensive", "sr_candidates",
           "sis_order", "select_sr_features"]

#: prefix of the missing-data mask features (see :mod:`sagatsr.features.missing`)
MISSING_FLAG_PREFIX = "frac_imputed_"
#: two features closer than this |correlation| on the fitting rows count as duplicates
DUPLICATE_CORRELATION = 0.999


def is_missing_flag(name: str) -> bool:
    """True for a missing-data flag feature (never an SR candidate)."""
    return str(name).startswith(MISSING_FLAG_PREFIX)


def target_is_intensive(unit: str | None) -> bool:
    """Whether a target in ``unit`` is intensive: everything except per-cell quantities."""
    text = str(unit or "").replace(" ", "").lower()
    return not ("/cell" in text or "percell" in text or "/unitcell" in text)


def sr_candidates(names: Sequence[str], intensive: Mapping[str, bool], values: np.ndarray | None = None,
                  *, intensive_target: bool = True) -> tuple[list[str], dict[str, str]]:
    """``(candidates in input order, {excluded feature: reason})`` (rules in the module docstring).

    Args:
        names: feature names.
        intensive: feature -> whether it is intensive (features missing here count as intensive).
        values: optional (rows × features) matrix of the fitting rows; constant columns are excluded.
        intensive_target: whether the target is intensive (see :func:`target_is_intensive`).
    """
    excluded: dict[str, str] = {}
    for j, name in enumerate(names):
        if is_missing_flag(name):
            excluded[name] = "missing-data flag"
        elif intensive_target and not bool(intensive.get(name, True)):
            excluded[name] = "extensive feature, intensive target (left out; per atom: volume_per_atom)"
        elif values is not None and np.ptp(np.asarray(values[:, j], float)) == 0:
            excluded[name] = "constant on the fitting rows"
    return [n for n in names if n not in excluded], excluded


def _standardised(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, float)
    centred = values - values.mean(axis=0)
    scale = np.sqrt((centred**2).mean(axis=0))
    return centred / np.where(scale > 0, scale, 1.0)


def sis_order(values: np.ndarray, response: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(column order by decreasing |corr(x_j, response)|, the |corr| values)``; constant columns
    score 0, ties keep column order."""
    z = _standardised(values)
    r = _standardised(np.asarray(response, float).reshape(-1, 1))[:, 0]
    score = np.abs(z.T @ r) / max(len(r), 1)
    return np.argsort(-np.round(score, 12), kind="stable"), score


def _residual_on(response: np.ndarray, e_p: np.ndarray) -> np.ndarray:
    """``y - (a + b E_p)`` with a, b by least squares."""
    design = np.column_stack([np.ones_like(e_p), e_p])
    coef, *_ = np.linalg.lstsq(design, response, rcond=None)
    return response - design @ coef


@dataclass
class Selection:
    """The features offered to SR and why: ``reasons[name]`` lists ``"IC rank r"`` / ``"SIS |r|=…"``."""

    features: list[str]
    reasons: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    rule: str = ""

    def as_dict(self) -> dict:
        return {"features": list(self.features), "reasons": {k: list(v) for k, v in self.reasons.items()},
                "excluded": dict(self.excluded), "rule": self.rule}


def select_sr_features(values: np.ndarray, y: np.ndarray, names: Sequence[str], ic_order: Sequence[str],
                       *, k_ic: int, k_sis: int, k_pairs: int = 0, e_p: np.ndarray | None = None,
                       excluded: Mapping[str, str] | None = None) -> Selection:
    """Union of the IC top-``k_ic`` and the SIS top-``k_sis`` candidates (module docstring).

    Args:
        values: (fitting rows × candidates) matrix, columns in the order of ``names``.
        y: target on the fitting rows.
        names: the candidate features (see :func:`sr_candidates`).
        ic_order: feature names by IC rank (best first); names that are not candidates are skipped.
        k_ic, k_sis: how many to take from each list.
        k_pairs: how many best one-descriptor formulas (singles, ratios, products) add their features.
        e_p: the network's prediction on the fitting rows (E_p mode): SIS then screens the residual.
        excluded: the non-candidates and why (recorded in the result).
    """
    names = list(names)
    values = np.asarray(values, float)
    position = {n: j for j, n in enumerate(names)}
    z = _standardised(values)
    response = np.asarray(y, float) if e_p is None else _residual_on(np.asarray(y, float), np.asarray(e_p, float))
    order, score = sis_order(values, response)
    chosen: list[int] = []
    reasons: dict[str, list[str]] = {}

    def duplicate(j) -> bool:
        return bool(chosen) and np.max(np.abs(z[:, chosen].T @ z[:, j]) / len(z)) > DUPLICATE_CORRELATION

    def take(candidates, k, reason) -> None:
        taken = 0
        for j in candidates:
            if taken >= k:
                return
            if j in chosen:
                reasons[names[j]].append(reason(j))
                taken += 1
                continue
            if duplicate(j):
                continue
            chosen.append(j)
            reasons[names[j]] = [reason(j)]
            taken += 1

    ic_positions = [position[n] for n in ic_order if n in position]
    ic_rank = {j: r + 1 for r, j in enumerate(ic_positions)}
    take(ic_positions, k_ic, lambda j: f"IC rank {ic_rank[j]}")
    target = "residual of y on E_p" if e_p is not None else "y"
    take([int(j) for j in order], k_sis, lambda j: f"SIS |corr with {target}| = {score[j]:.3f}")
    if k_pairs > 0:
        from sagatsr.screening.descriptors import describe, rank_descriptors

        for corr, kind, i, j in rank_descriptors(values, response, top=k_pairs)[0]:
            text = describe(kind, names, ["dimensionless"] * len(names), i, j)[0]
            for col in dict.fromkeys((i, j)):
                label = f"SIS descriptor {text}, |corr with {target}| = {corr:.3f}"
                if col in chosen:
                    reasons[names[col]].append(label)
                elif not duplicate(col):
                    chosen.append(col)
                    reasons[names[col]] = [label]
    rule = (f"union of the top {k_ic} candidates by mean IC, the top {k_sis} by |correlation| with "
            f"{target} on the {len(values)} fitting rows (near-duplicates, |corr| > {DUPLICATE_CORRELATION}, "
            f"skipped)" + (f" and the features of the {k_pairs} best one-descriptor formulas (x, x/x', x·x')"
                           if k_pairs > 0 else ""))
    return Selection([names[j] for j in chosen], reasons, dict(excluded or {}), rule)
