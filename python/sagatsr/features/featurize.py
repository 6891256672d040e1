"""``featurize``: crystal features of many structures as an :class:`xarray.Dataset`.

Dimension ``material`` (coordinate = ids), one float64 data variable per crystal feature with attrs
``units`` (pint string), ``description``, ``symbol`` and ``intensive`` (0/1, NetCDF-safe).
``ds.to_array("feature")`` gives the (feature × material) matrix; the Dataset round-trips through
NetCDF (``to_netcdf`` / ``xarray.open_dataset``).
"""

from __future__ import annotations

import sys

import numpy as np

from sagatsr.features.space import FeatureSpace


def featurize(structures, space: FeatureSpace | None = None, ids=None, progress: bool = True):
    """Crystal feature Dataset of ``structures`` (sequence of pymatgen Structure)."""
    space = space or FeatureSpace.default()
    structures = list(structures)
    ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(structures))]
    show = progress and sys.stderr.isatty()
    return features_dataset(space.crystal_matrix(structures, ids=ids, progress=show), ids, space)


def features_dataset(matrix, ids, space: FeatureSpace | None = None):
    """The Dataset of an already computed (materials × crystal features) ``matrix``."""
    import xarray as xr

    space = space or FeatureSpace.default()
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (len(ids), len(space.crystal_features)):
        raise ValueError(f"feature matrix of shape {matrix.shape} for {len(ids)} materials and "
                         f"{len(space.crystal_features)} features")
    data_vars = {
        f.name: ("material", matrix[:, j], {"units": f.unit, "description": f.description,
                                            "symbol": f.symbol, "intensive": int(f.intensive)})
        for j, f in enumerate(space.crystal_features)
    }
    return xr.Dataset(data_vars, coords={"material": np.array([str(i) for i in ids], dtype=object)},
                      attrs={"title": "sagatsr crystal features"})


def features_from_graphs(graphs, space: FeatureSpace | None = None):
    """The Dataset of the crystal features already inside graphs built by
    :class:`~sagatsr.graphs.CrystalGraphBuilder` (``graph.u``, float32): no recomputation."""
    matrix = np.concatenate([np.asarray(g.u, dtype=np.float64).reshape(1, -1) for g in graphs])
    return features_dataset(matrix, [g.material_id for g in graphs], space)
