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
    import xarray as xr

    space = space or FeatureSpace.default()
    structures = list(structures)
    ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(structures))]
    show = progress and sys.stderr.isatty()
    matrix = space.crystal_matrix(structures, ids=ids, progress=show)
    data_vars = {
        f.name: ("material", matrix[:, j], {"units": f.unit, "description": f.description,
                                            "symbol": f.symbol, "intensive": int(f.intensive)})
        for j, f in enumerate(space.crystal_features)
    }
    return xr.Dataset(data_vars, coords={"material": np.array(ids, dtype=object)},
                      attrs={"title": "sagatsr crystal features"})
