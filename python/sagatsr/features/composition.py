"""Composition statistics of elemental properties, vectorised over materials.

For material k with distinct elements e (atomic fractions f_e, Σ f_e = 1) and property p:

* mean  = Σ_e f_e p_e
* std   = sqrt(Σ_e f_e (p_e − mean)²)  (fraction-weighted population std)
* min / max over the elements present, range = max − min
* ``frac_imputed_<p>`` = Σ_e f_e [p_e was imputed]  (dimensionless mask feature)

Each statistic keeps the property's unit (``frac_imputed`` is dimensionless). All are intensive:
a supercell has the same fractions. Inputs are padded arrays (n_materials × max_elements) with
fraction 0 in the padding.
"""

from __future__ import annotations

import numpy as np

from sagatsr.features.elements import PROPERTIES
from sagatsr.features.feature import Feature
from sagatsr.features.missing import element_table, imputed_mask

STATISTICS = ("mean", "std", "min", "max", "range")


def _features() -> tuple[Feature, ...]:
    out = []
    for p in PROPERTIES:
        for stat in STATISTICS:
            out.append(Feature(f"{p.name}_{stat}", f"{p.symbol}_{stat}", p.unit,
                               f"fraction-weighted {stat} of {p.description}", "crystal", True))
    for p in PROPERTIES:
        out.append(Feature(f"frac_imputed_{p.name}", f"f_imp({p.symbol})", "dimensionless",
                           f"atomic fraction whose {p.description} was imputed (missing-data policy)",
                           "crystal", True))
    return tuple(out)


COMPOSITION_FEATURES: tuple[Feature, ...] = _features()


def composition_stats(z: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """(n, len(COMPOSITION_FEATURES)) statistics from padded atomic numbers ``z`` and fractions ``frac``.

    ``z`` is int (n, m) with 0 in padding, ``frac`` float (n, m) with 0 in padding.
    """
    table = np.nan_to_num(element_table())  # row 0 (padding) -> 0, masked out below
    values = table[z]  # (n, m, P)
    present = (frac > 0)[..., None]
    w = frac[..., None]
    mean = (w * values).sum(axis=1)
    std = np.sqrt(np.maximum((w * (values - mean[:, None, :]) ** 2).sum(axis=1), 0.0))
    vmin = np.where(present, values, np.inf).min(axis=1)
    vmax = np.where(present, values, -np.inf).max(axis=1)
    stats = np.stack([mean, std, vmin, vmax, vmax - vmin], axis=2)  # (n, P, 5)
    imputed = (w * imputed_mask()[z]).sum(axis=1)
    return np.concatenate([stats.reshape(len(z), -1), imputed], axis=1)
