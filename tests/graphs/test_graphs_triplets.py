"""Bond vectors and bond-angle triplets (sagatsr.graphs.triplets)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from helpers import perturbed_perovskite, synthetic_graph
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_geometric.data import Batch

from sagatsr.graphs import CrystalGraphBuilder
from sagatsr.graphs.triplets import angle_edge_mask, bond_cosines, triplet_index


def _reference_triplets(graph, cap):
    """Triplets by the cap's definition, with plain loops: whole shells while ≤ cap edges, the first always."""
    centre, rank = graph.edge_index[1].tolist(), graph.edge_rank.tolist()
    pairs = set()
    for i in set(centre):
        edges = [k for k in range(len(centre)) if centre[k] == i]
        kept = [k for k in edges if rank[k] == 0 or sum(rank[m] <= rank[k] for m in edges) <= cap]
        pairs |= {(a, b) for a, b in itertools.permutations(kept, 2)}
    return pairs


@settings(max_examples=20)
@given(seed=st.integers(0, 10_000), cap=st.integers(2, 6), count=st.integers(1, 4))
def test_triplets_match_the_cap_definition_on_batches(seed, cap, count):
    graphs = []
    for k in range(count):
        graph = synthetic_graph(n_atoms=2 + (seed + k) % 5, seed=seed + k)
        graph.edge_rank = torch.div(graph.edge_rank, 2, rounding_mode="floor")  # shells of two edges
        graphs.append(graph)
    batch = Batch.from_data_list(graphs)
    triplets = triplet_index(batch.edge_index, batch.edge_rank, batch.num_nodes, cap)
    got = set(map(tuple, triplets.T.tolist()))
    assert len(got) == triplets.size(1)  # no ordered pair twice
    assert got == _reference_triplets(batch, cap)
    assert (batch.edge_index[1, triplets[0]] == batch.edge_index[1, triplets[1]]).all()


def test_the_cap_keeps_whole_shells_and_always_the_first():
    # centre 0 has shells of sizes 3, 2, 4; centre 1 has a first shell of 5
    rank = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 0])
    centre = torch.tensor([0] * 9 + [1] * 5)
    edge_index = torch.stack([torch.zeros_like(centre) + 2, centre])
    assert angle_edge_mask(edge_index, rank, 3, 5).tolist() == [True] * 5 + [False] * 4 + [True] * 5
    assert angle_edge_mask(edge_index, rank, 3, 4).tolist() == [True] * 3 + [False] * 6 + [True] * 5


def test_bond_vectors_have_the_edge_lengths_and_ignore_translations():
    builder = CrystalGraphBuilder(cutoff=6.0, max_neighbors=12)
    structure = perturbed_perovskite(3)
    graph = builder.build(structure)
    np.testing.assert_allclose(graph.edge_vec.norm(dim=-1).numpy(), graph.edge_dist.numpy(), rtol=1e-5)
    # the vector points from the centre to the neighbour's image
    j, i = graph.edge_index[:, 0].tolist()
    expected = structure.lattice.get_cartesian_coords(structure.frac_coords[j] + graph.edge_image[0].numpy()
                                                      - structure.frac_coords[i])
    np.testing.assert_allclose(graph.edge_vec[0].numpy(), expected, rtol=1e-5, atol=1e-5)
    shifted = structure.copy()
    shifted.translate_sites(list(range(len(shifted))), [0.31, -0.12, 0.07], frac_coords=True)
    moved = builder.build(shifted)
    torch.testing.assert_close(moved.edge_index, graph.edge_index)
    torch.testing.assert_close(moved.edge_vec, graph.edge_vec, atol=1e-4, rtol=1e-5)


def test_cosines_are_the_angles_of_the_structure():
    structure = perturbed_perovskite(5)
    graph = CrystalGraphBuilder(cutoff=6.0, max_neighbors=12).build(structure)
    triplets = triplet_index(graph.edge_index, graph.edge_rank, graph.num_nodes, 8)
    cosines = bond_cosines(graph.edge_vec, triplets)
    assert triplets.size(1) > 0 and (cosines.abs() <= 1).all()
    for a, b in triplets.T[:: max(1, triplets.size(1) // 25)].tolist():  # a sample, against pymatgen
        i = int(graph.edge_index[1, a])
        sites = [structure.lattice.get_cartesian_coords(structure.frac_coords[int(graph.edge_index[0, e])]
                                                        + graph.edge_image[e].numpy()) for e in (a, b)]
        centre = structure.cart_coords[i]
        u, v = sites[0] - centre, sites[1] - centre
        assert float(cosines[triplets.T.tolist().index([a, b])]) == pytest.approx(
            u @ v / np.linalg.norm(u) / np.linalg.norm(v), abs=1e-5)
