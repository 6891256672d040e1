"""Missing-data policy for elemental properties (no silent NaN ever reaches a model).

Rule, applied once to the raw table of :mod:`sagatsr.features.elements` for Z = 1..103:

1. ``group`` of an f-block element (La–Lu, Ac–Lr: no group in mendeleev) is set to 3.
2. Any other missing value of property p for element Z is imputed with the **median of p over the
   elements of the same period (row) that have data**; if the whole row lacks p, with the median of
   p over all elements that have it.
3. Every imputed entry is recorded in the boolean table :func:`imputed_mask` (Z × property);
   :func:`imputation_records` lists them as ``(symbol, property, value)``. Crystal features expose
   this as ``frac_imputed_<property>`` = atomic fraction of the composition whose value was imputed.
4. Only if a property has no data for any element (cannot happen with the shipped databases) or
   an atomic number is outside 1..103 is a :class:`~sagatsr.errors.FeatureError` raised, naming
   the element and property.
"""

from __future__ import annotations

import functools

import numpy as np

from sagatsr.errors import FeatureError
from sagatsr.features.elements import MAX_Z, PROPERTY_NAMES, raw_element_table

_F_BLOCK = set(range(57, 72)) | set(range(89, 104))
_F_BLOCK_GROUP = 3.0


def _period_of(z: int) -> int:
    bounds = (2, 10, 18, 36, 54, 86, 118)
    return next(i + 1 for i, b in enumerate(bounds) if z <= b)


def impute(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply the policy to ``raw`` (MAX_Z+1 × n_properties); return ``(filled, imputed_mask)``."""
    filled = raw.copy()
    mask = np.zeros(raw.shape, dtype=bool)
    periods = np.array([0] + [_period_of(z) for z in range(1, MAX_Z + 1)])
    group_col = PROPERTY_NAMES.index("group")
    for z in _F_BLOCK:
        if np.isnan(filled[z, group_col]):
            filled[z, group_col] = _F_BLOCK_GROUP
            mask[z, group_col] = True
    for col, name in enumerate(PROPERTY_NAMES):
        values = filled[1:, col]
        if np.all(np.isnan(values)):
            raise FeatureError(f"elemental property {name!r} has no data for any element")
        global_median = np.nanmedian(values)
        for z in np.flatnonzero(np.isnan(filled[:, col])):
            if z == 0:
                continue
            same_row = filled[1:, col][(periods[1:] == periods[z]) & ~np.isnan(filled[1:, col])]
            filled[z, col] = np.median(same_row) if same_row.size else global_median
            mask[z, col] = True
    filled[0] = np.nan  # Z = 0 (dummy species) is never valid
    return filled, mask


@functools.lru_cache(maxsize=1)
def _filled() -> tuple[np.ndarray, np.ndarray]:
    filled, mask = impute(raw_element_table())
    filled.setflags(write=False)
    mask.setflags(write=False)
    return filled, mask


def element_table() -> np.ndarray:
    """Filled (MAX_Z+1, n_properties) table indexed by Z (row 0 is NaN and never used)."""
    return _filled()[0]


@functools.lru_cache(maxsize=1)
def element_table_digest() -> str:
    """A short SHA-256 of the filled element table: graph caches and saved models built from other
    element data can be told apart."""
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(element_table()).tobytes()).hexdigest()[:16]


def imputed_mask() -> np.ndarray:
    """Boolean (MAX_Z+1, n_properties): True where the value was imputed by the policy."""
    return _filled()[1]


def imputation_records() -> list[tuple[str, str, float]]:
    """Every imputed entry as ``(element symbol, property name, imputed value)``."""
    from pymatgen.core.periodic_table import Element

    table, mask = _filled()
    return [(Element.from_Z(int(z)).symbol, PROPERTY_NAMES[c], float(table[z, c]))
            for z, c in zip(*np.nonzero(mask))]


def check_atomic_numbers(z: np.ndarray, *, item=None, row=None) -> None:
    """Raise :class:`FeatureError` naming the material when an atomic number is outside 1..103."""
    bad = z[(z < 1) | (z > MAX_Z)]
    if bad.size:
        where = f"material {item!r}" + (f" (list position {row})" if row is not None else "")
        raise FeatureError(f"{where}: unknown element (atomic number {int(bad[0])}); elemental data "
                           f"exists only for Z = 1..{MAX_Z}")
