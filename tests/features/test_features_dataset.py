"""featurize -> xarray Dataset: layout, attrs, NetCDF round trip, bad-input errors."""

import numpy as np
import pytest
import xarray as xr
from pymatgen.core import DummySpecies, Lattice, Structure

from helpers import demo_structures
from sagatsr.errors import FeatureError
from sagatsr.features import FeatureSpace, featurize


def test_dataset_layout_and_netcdf_round_trip(tmp_path):
    structures, ids = demo_structures(limit=5)
    space = FeatureSpace.default()
    ds = featurize(structures, ids=ids, progress=False)
    assert list(ds.material.values) == ids
    assert list(ds.data_vars) == space.crystal_names
    for f in space.crystal_features[:: 17]:
        assert ds[f.name].attrs["units"] == f.unit and ds[f.name].attrs["symbol"] == f.symbol
    matrix = ds.to_array("feature").transpose("material", "feature").values
    np.testing.assert_allclose(matrix, space.crystal_matrix(structures, ids=ids))
    ds.to_netcdf(tmp_path / "f.nc")
    with xr.open_dataset(tmp_path / "f.nc") as back:
        xr.testing.assert_allclose(back.load(), ds)
        assert back["density"].attrs["units"] == "g/cm^3"


def test_site_matrix_shape_and_finite():
    structures, _ = demo_structures(limit=3)
    space = FeatureSpace.default()
    for s in structures:
        m = space.site_matrix(s)
        assert m.shape == (len(s), len(space.site_features)) and np.isfinite(m).all()


def _good():
    return Structure(Lattice.cubic(3.0), ["Cu"], [[0, 0, 0]])


@pytest.mark.parametrize("bad, fragment", [
    (Structure(Lattice.cubic(3.0), [DummySpecies("X")], [[0, 0, 0]]), "unknown element"),
    (Structure(Lattice.cubic(3.0), [{"Cu": 0.5, "Au": 0.5}], [[0, 0, 0]]), "disordered"),
    (Structure(Lattice.cubic(3.0), [], []), "empty"),
])
def test_bad_input_names_material_and_row(bad, fragment):
    with pytest.raises(FeatureError, match=fragment) as info:
        featurize([_good(), bad], ids=["ok", "mp-bad"], progress=False)
    assert "mp-bad" in str(info.value) and "(list position 1)" in str(info.value)  # not a file line
