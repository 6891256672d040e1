"""Intensive crystal features are unchanged by supercells and by permuting sites."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from pymatgen.core import Lattice, Structure

from helpers import assert_intensive_invariant, demo_structures, random_supercell_matrix
from sagatsr.features import FeatureSpace


def _real_structures():
    structures, _ = demo_structures(limit=6)
    perovskite = Structure.from_spacegroup("Pm-3m", Lattice.cubic(3.905), ["Sr", "Ti", "O"],
                                           [[0.5, 0.5, 0.5], [0, 0, 0], [0.5, 0, 0]])
    rutile = Structure.from_spacegroup("P4_2/mnm", Lattice.tetragonal(4.59, 2.96), ["Ti", "O"],
                                       [[0, 0, 0], [0.305, 0.305, 0]])
    return [*structures, perovskite, rutile]


REAL = _real_structures()


@given(index=st.integers(0, len(REAL) - 1), scaling=st.tuples(*[st.integers(1, 2)] * 3))
def test_intensive_features_invariant_under_supercell(index, scaling):
    checked = assert_intensive_invariant(FeatureSpace.default(), REAL[index], scaling)
    assert "tolerance_factor" in checked and "density" in checked


@given(index=st.integers(0, len(REAL) - 1), seed=st.integers(0, 2**16))
def test_intensive_features_invariant_under_random_skewed_supercells(index, seed):
    matrix = random_supercell_matrix(seed)
    checked = assert_intensive_invariant(FeatureSpace.default(), REAL[index], matrix.tolist(), rtol=1e-6, atol=1e-6)
    assert "volume_per_atom" in checked and "cell_volume" not in checked


def test_extensive_features_do_change():
    space = FeatureSpace.default()
    both = space.crystal_matrix([REAL[-2], REAL[-2] * (2, 1, 1)])
    changed = {f.name for j, f in enumerate(space.crystal_features) if not np.isclose(both[0, j], both[1, j])}
    assert {"cell_volume", "n_sites", "lattice_c"} <= changed
    assert all(not space.feature(name).intensive for name in changed)


@given(index=st.integers(0, len(REAL) - 1), seed=st.integers(0, 2**16))
def test_crystal_features_invariant_to_site_permutation(index, seed):
    structure = REAL[index]
    order = np.random.default_rng(seed).permutation(len(structure))
    permuted = Structure.from_sites([structure[i] for i in order])
    m = FeatureSpace.default().crystal_matrix([structure, permuted])
    np.testing.assert_allclose(m[1], m[0], rtol=1e-9, atol=1e-9)
