"""FeatureSpace: the ordered site and crystal feature catalogues and their vectorised evaluation.

Crystal feature order = composition statistics (:mod:`~sagatsr.features.composition`) followed by
structural descriptors (:mod:`~sagatsr.features.structural`).
"""

from __future__ import annotations

import functools

import numpy as np

from sagatsr.errors import FeatureError
from sagatsr.features.composition import COMPOSITION_FEATURES, composition_stats
from sagatsr.features.feature import Feature
from sagatsr.features.missing import check_atomic_numbers
from sagatsr.features.site import SITE_FEATURES, site_values
from sagatsr.features.structural import STRUCTURAL_FEATURES, structural_values


def atomic_numbers(structure, *, item=None, row=None) -> np.ndarray:
    """Validated atomic numbers of an ordered structure; :class:`FeatureError` naming the material."""
    where = f"material {item!r}" + (f" (list position {row})" if row is not None else "")
    if structure is None or len(structure) == 0:
        raise FeatureError(f"{where}: empty structure (no sites)")
    if not structure.is_ordered:
        raise FeatureError(f"{where}: disordered / partially occupied sites are not supported")
    z = np.array([getattr(sp, "Z", 0) or 0 for sp in structure.species], dtype=np.int64)
    check_atomic_numbers(z, item=item, row=row)
    return z


class FeatureSpace:
    """Site features (per atom) and crystal features (per structure), each a :class:`Feature`."""

    def __init__(self, site_features, crystal_features):
        self.site_features: tuple[Feature, ...] = tuple(site_features)
        self.crystal_features: tuple[Feature, ...] = tuple(crystal_features)
        self._by_name = {f.name: f for f in (*self.site_features, *self.crystal_features)}
        self._n_composition = sum(f in COMPOSITION_FEATURES for f in self.crystal_features)

    @classmethod
    @functools.lru_cache(maxsize=1)
    def default(cls) -> "FeatureSpace":
        """The standard space (cached)."""
        return cls(SITE_FEATURES, (*COMPOSITION_FEATURES, *STRUCTURAL_FEATURES))

    @property
    def site_names(self) -> list[str]:
        return [f.name for f in self.site_features]

    @property
    def crystal_names(self) -> list[str]:
        return [f.name for f in self.crystal_features]

    @property
    def crystal_units(self) -> list[str]:
        return [f.unit for f in self.crystal_features]

    def feature(self, name: str) -> Feature:
        try:
            return self._by_name[name]
        except KeyError:
            raise FeatureError(f"unknown feature {name!r}") from None

    def site_matrix(self, structure, item=None) -> np.ndarray:
        """(n_sites, n_site_features) float64, no NaN."""
        values = site_values(atomic_numbers(structure, item=item))
        return values[:, [SITE_FEATURES.index(f) for f in self.site_features]]

    def crystal_matrix(self, structures, ids=None, progress=False, structural=None) -> np.ndarray:
        """(n, n_crystal_features) float64, no NaN, for a sequence of structures.

        Per structure only Z counts and the structural descriptors are computed; the composition
        statistics run once over a padded (n × max_elements) array. ``structural``: the
        (n, len(STRUCTURAL_FEATURES)) descriptors when already computed (the graph builder computes
        them from its own neighbour search, :func:`structural_values`), so nothing runs twice.
        """
        structures = list(structures)
        ids = list(ids) if ids is not None else [str(i) for i in range(len(structures))]
        n = len(structures)
        given = structural is not None
        comps = []
        structural = np.asarray(structural, float).reshape(n, -1) if given else np.empty((n, len(STRUCTURAL_FEATURES)))
        iterator = range(n)
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(iterator, desc="featurize", unit="structure")
        for i in iterator:
            z = atomic_numbers(structures[i], item=ids[i], row=i)
            elements, counts = np.unique(z, return_counts=True)
            comps.append((elements, counts / counts.sum()))
            if not given:
                structural[i] = structural_values(structures[i], z)
        width = max((len(e) for e, _ in comps), default=1)
        z_pad = np.zeros((n, width), dtype=np.int64)
        frac_pad = np.zeros((n, width))
        for i, (elements, fractions) in enumerate(comps):
            z_pad[i, :len(elements)] = elements
            frac_pad[i, :len(elements)] = fractions
        full = np.concatenate([composition_stats(z_pad, frac_pad), structural], axis=1)
        default = FeatureSpace.default()
        if self.crystal_features != default.crystal_features:
            full = full[:, [default.crystal_features.index(f) for f in self.crystal_features]]
        bad = ~np.isfinite(full)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise FeatureError(f"material {ids[row]!r} (list position {row}): feature "
                               f"{self.crystal_features[col].name!r} is not finite")
        return full
