"""Site (per-atom) features: every elemental property of :mod:`sagatsr.features.elements`.

Site feature j of atom i is ``table[Z_i, j]`` of the imputed table (see
:mod:`sagatsr.features.missing`), so the site matrix has no NaN.
"""

from __future__ import annotations

import numpy as np

from sagatsr.features.elements import PROPERTIES
from sagatsr.features.feature import Feature
from sagatsr.features.missing import element_table

SITE_FEATURES: tuple[Feature, ...] = tuple(
    Feature(p.name, p.symbol, p.unit, p.description, "site", True) for p in PROPERTIES
)


def site_values(atomic_numbers: np.ndarray) -> np.ndarray:
    """(n_sites, n_site_features) float64 values for the given atomic numbers (already validated)."""
    return np.array(element_table()[np.asarray(atomic_numbers, dtype=np.int64)], dtype=np.float64)
