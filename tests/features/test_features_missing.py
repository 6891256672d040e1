"""Missing-data policy: no NaN for any element, imputations recorded, clear errors otherwise."""

import re
import tarfile

import numpy as np
import pytest
from pymatgen.core import Element, Lattice, Structure

from helpers import demo_structures
from sagatsr.errors import FeatureError
from sagatsr.features import FeatureSpace
from sagatsr.features.elements import MAX_Z, PROPERTY_NAMES, raw_element_table
from sagatsr.features.missing import element_table, imputation_records, impute, imputed_mask


def _rocksalt(a, b):
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.0), [a, b], [[0, 0, 0], [0.5, 0.5, 0.5]])


def test_every_element_filled_and_mask_matches_raw_nan():
    table, raw = element_table(), raw_element_table()
    assert np.isfinite(table[1:MAX_Z + 1]).all()
    np.testing.assert_array_equal(imputed_mask()[1:], np.isnan(raw[1:]))
    records = imputation_records()
    assert len(records) == int(np.isnan(raw[1:]).sum())


def test_heavy_actinide_is_imputed_by_row_median():
    # Lr (Z=103) lacks e.g. the electron affinity; the policy uses the median over row 7.
    col = PROPERTY_NAMES.index("electron_affinity")
    raw = raw_element_table()
    assert np.isnan(raw[103, col])
    row7 = raw[87:104, col]
    expected = np.nanmedian(row7) if np.isfinite(row7).any() else np.nanmedian(raw[1:, col])
    assert element_table()[103, col] == pytest.approx(expected)
    ds_row = FeatureSpace.default().crystal_matrix([_rocksalt("Lr", "O")])
    names = FeatureSpace.default().crystal_names
    assert ds_row[0, names.index("frac_imputed_electron_affinity")] >= 0.5
    assert np.isfinite(ds_row).all()


def test_policy_refuses_property_without_any_data():
    raw = raw_element_table().copy()
    raw[:, 0] = np.nan
    with pytest.raises(FeatureError, match=PROPERTY_NAMES[0]):
        impute(raw)


@pytest.mark.parametrize("z", range(1, MAX_Z + 1, 7))
def test_crystal_features_finite_across_periodic_table(z):
    symbol = Element.from_Z(z).symbol
    matrix = FeatureSpace.default().crystal_matrix([_rocksalt(symbol, "Cl")], ids=[symbol])
    assert np.isfinite(matrix).all()


def test_demo_elements_finite():
    structures, ids = demo_structures()
    matrix = FeatureSpace.default().crystal_matrix(structures, ids=ids)
    assert matrix.shape[0] == len(structures) and np.isfinite(matrix).all()


def _dataset_symbols(shared_data):
    symbols = set()
    with tarfile.open(shared_data / "matbench_perovskites" / "cifs.tgz") as tar:
        for member in tar:
            if member.isfile():
                text = tar.extractfile(member).read().decode()
                symbols |= set(re.findall(r"([A-Z][a-z]?)\d", text.split("_chemical_formula_sum")[1].split("\n")[0]))
    for poscar in (shared_data / "jarvis_sample").glob("*.vasp"):
        symbols |= set(poscar.read_text().splitlines()[5].split())
    import gzip

    text = gzip.open(shared_data / "mp_dielectric" / "dielectric_constant.json.gz", "rt").read()
    symbols |= set(re.findall(r'"element": "([A-Z][a-z]?)"', text))
    return symbols


@pytest.mark.shared_data
def test_real_dataset_elements_have_no_missing_values(shared_data):
    symbols = _dataset_symbols(shared_data)
    assert len(symbols) > 40
    z = np.array([Element(s).Z for s in symbols])
    assert np.isfinite(element_table()[z]).all()


def test_elemental_density_is_a_condensed_phase_density_for_every_element():
    # mendeleev lists gas densities at STP (O 0.0013 g/cm³); "density of the elemental solid" must
    # be the condensed phase, or ratios by it explode on oxides, nitrides and halides
    rho = element_table()[1:MAX_Z + 1, PROPERTY_NAMES.index("elemental_density")]
    assert rho.min() > 0.05, PROPERTY_NAMES
    molar_volume = PROPERTY_NAMES.index("molar_volume")
    for symbol in ("N", "O", "F", "Cl", "Ar", "Xe"):
        el = Element(symbol)
        expected = float(el.atomic_mass) / raw_element_table()[el.Z, molar_volume]
        assert element_table()[el.Z, PROPERTY_NAMES.index("elemental_density")] == pytest.approx(expected)
    # a solid keeps its tabulated density
    assert element_table()[26, PROPERTY_NAMES.index("elemental_density")] == pytest.approx(7.87, abs=0.01)
    names = FeatureSpace.default().crystal_names
    row = FeatureSpace.default().crystal_matrix([_rocksalt("Mg", "O")])[0]
    assert row[names.index("elemental_density_mean")] > 0.5
