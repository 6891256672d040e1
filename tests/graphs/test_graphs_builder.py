"""CrystalGraphBuilder: invariances (permutation, translation, supercell), ranks, cache, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymatgen.core import Lattice, Structure

from helpers import assert_same_graph_up_to_relabelling, demo_structures, neighbor_distance_multiset
from sagatsr.errors import InputError
from sagatsr.graphs import CrystalGraphBuilder, shell_ranks

BUILDER = CrystalGraphBuilder(cutoff=8.0, max_neighbors=12)
STRUCTURES, IDS = demo_structures()
PEROVSKITE = Structure(Lattice.cubic(3.905), ["Sr", "Ti", "O", "O", "O"],
                       [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
CASES = [PEROVSKITE, *STRUCTURES[::10]]


def test_graph_fields_follow_the_contract():
    g = CrystalGraphBuilder().build(PEROVSKITE, target=1.5, material_id="SrTiO3")
    assert g.x.shape == (5, len(BUILDER.space.site_names)) and g.u.shape == (1, len(BUILDER.space.crystal_names))
    assert g.edge_index.shape == (2, 5 * 12) and g.edge_attr.shape == (60, 32)
    assert g.edge_rank.min() == 0 and g.y.item() == 1.5 and g.material_id == "SrTiO3"
    # every centre keeps its 12 nearest; Ti's nearest shell is 6 O at a/2
    ti = (g.edge_index[1] == 1).numpy()
    np.testing.assert_allclose(np.sort(g.edge_dist.numpy()[ti])[:6], 3.905 / 2, rtol=1e-5)
    assert (g.edge_rank.numpy()[ti][:6] == 0).all() and g.edge_rank.numpy()[ti][6] == 1


@given(st.sampled_from(range(len(CASES))), st.randoms(use_true_random=False))
def test_invariant_to_permuting_sites(case, rng):
    structure = CASES[case]
    order = list(range(len(structure)))
    rng.shuffle(order)
    permuted = Structure.from_sites([structure[i] for i in order])
    # node i of the permuted graph is node order[i] of the original
    assert_same_graph_up_to_relabelling(BUILDER.build(permuted), BUILDER.build(structure), node_map=order)


@given(st.sampled_from(range(len(CASES))), st.tuples(*[st.floats(-3, 3)] * 3))
def test_invariant_to_translation(case, shift):
    structure = CASES[case].copy()
    moved = structure.copy()
    moved.translate_sites(list(range(len(moved))), shift, frac_coords=False)
    assert_same_graph_up_to_relabelling(BUILDER.build(moved), BUILDER.build(structure),
                                        node_map=range(len(structure)))


@given(st.sampled_from(range(len(CASES))), st.sampled_from([(2, 1, 1), (1, 2, 1), (2, 2, 1), (1, 1, 3)]))
def test_supercell_keeps_each_sites_neighbour_distances(case, scaling):
    structure = CASES[case]
    per_site = set(neighbor_distance_multiset(BUILDER.build(structure)))
    super_graph = BUILDER.build(structure * scaling)
    assert set(neighbor_distance_multiset(super_graph)) == per_site


def test_shell_ranks_share_equal_distances():
    centres = np.array([0, 0, 0, 0, 1, 1])
    dist = np.array([1.0, 1.00005, 2.0, 3.0, 0.5, 0.7])
    assert shell_ranks(centres, dist).tolist() == [0, 0, 1, 2, 0, 1]


def test_isolated_atom_is_a_clear_error():
    lonely = Structure(Lattice.cubic(30.0), ["Na"], [[0, 0, 0]])
    with pytest.raises(InputError, match="no neighbour within 8.0"):
        BUILDER.build(lonely, material_id="lonely")


@pytest.mark.parametrize("workers", [1, 2], ids=["serial", "2 worker processes"])
def test_build_many_caches_and_skips(tmp_path, workers):
    lonely = Structure(Lattice.cubic(30.0), ["Na"], [[0, 0, 0]])
    structures = [*STRUCTURES[:4], lonely]
    ids = [*IDS[:4], "lonely"]
    with pytest.raises(InputError, match="lonely: atom 0 .*no neighbour"):
        BUILDER.build_many(structures, ids=ids, cache_dir=tmp_path, progress=False, workers=workers)
    graphs = BUILDER.build_many(structures, ids=ids, cache_dir=tmp_path, progress=False, on_error="skip",
                                workers=workers)
    serial = [BUILDER.build(s, material_id=i) for s, i in zip(structures[:4], IDS[:4])]
    for a, b in zip(graphs, serial):  # worker processes build exactly what build() builds
        for name in ("x", "u", "edge_index", "edge_attr", "edge_rank", "edge_image"):
            assert np.array_equal(getattr(a, name).numpy(), getattr(b, name).numpy()), name
    assert [g.material_id for g in graphs] == IDS[:4]
    assert len(list(tmp_path.glob("*.pt"))) == 4
    again = BUILDER.build_many(structures[:4], [1.0, 2.0, 3.0, 4.0], ids[:4], cache_dir=tmp_path, progress=False)
    for a, b in zip(graphs, again):
        assert np.array_equal(a.edge_index.numpy(), b.edge_index.numpy())
        assert np.allclose(a.u.numpy(), b.u.numpy())
    assert [g.y.item() for g in again] == [1.0, 2.0, 3.0, 4.0]  # targets are not cached
    other = CrystalGraphBuilder(cutoff=6.0).build_many(structures[:1], cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 5 and other[0].edge_dist.max() <= 6.0


@pytest.mark.parametrize("case", range(len(CASES)))
def test_adaptive_radius_keeps_exactly_the_nearest_neighbours_of_a_full_search(case, monkeypatch):
    structure = CASES[case]
    builder = CrystalGraphBuilder(cutoff=12.0, max_neighbors=12)
    adaptive = builder.neighbors(structure)
    monkeypatch.setattr(builder, "_search", lambda shared: shared.structure.get_neighbor_list(builder.cutoff))
    full = builder.neighbors(structure)
    for a, b in zip(adaptive, full):
        np.testing.assert_array_equal(a, b)


def test_a_cache_built_from_other_element_data_is_rebuilt(tmp_path, monkeypatch):
    import sagatsr.features.missing as missing

    BUILDER.build_many(STRUCTURES[:2], ids=IDS[:2], cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 2
    BUILDER.build_many(STRUCTURES[:2], ids=IDS[:2], cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 2  # same element data: reused
    monkeypatch.setattr(missing, "element_table_digest", lambda: "other-element-data")
    BUILDER.build_many(STRUCTURES[:2], ids=IDS[:2], cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 4  # new keys: nothing stale was read back
