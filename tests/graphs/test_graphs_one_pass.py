"""One neighbour search per structure: the graph and the crystal features share it, and nothing
changes in what they compute."""

from __future__ import annotations

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from helpers import demo_structures
from sagatsr.features import FeatureSpace
from sagatsr.features.featurize import featurize, features_from_graphs
from sagatsr.features.space import atomic_numbers
from sagatsr.features.structural import NEIGHBOR_RADIUS, structural_values
from sagatsr.graphs import CrystalGraphBuilder
from sagatsr.graphs.neighbors import SharedNeighbors

STRUCTURES, IDS = demo_structures()
PEROVSKITE = Structure(Lattice.cubic(3.905), ["Sr", "Ti", "O", "O", "O"],
                       [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
TILTED = Structure(Lattice.orthorhombic(5.5, 5.6, 7.8), ["Ca"] * 4 + ["Ti"] * 4 + ["O"] * 12,
                   np.random.default_rng(0).uniform(size=(20, 3)))  # a dense random 1:1:3 cell
CASES = [PEROVSKITE, TILTED, *STRUCTURES[::5]]
CASE_IDS = ["SrTiO3", "CaTiO3-random", *IDS[::5]]


def test_graph_features_equal_featurize_exactly():
    graphs = CrystalGraphBuilder().build_many(CASES, None, CASE_IDS, progress=False, workers=1)
    from_graphs = features_from_graphs(graphs)
    direct = featurize(CASES, ids=CASE_IDS, progress=False)
    for name in direct.data_vars:
        np.testing.assert_array_equal(from_graphs[name].values, direct[name].values, err_msg=name)
        assert from_graphs[name].attrs == direct[name].attrs


@pytest.mark.parametrize("index", range(len(CASES)))
def test_edges_equal_those_of_a_search_of_the_graph_alone(index):
    structure = CASES[index]
    builder = CrystalGraphBuilder()
    alone = builder.neighbors(structure)  # its own search, at the builder's first radius
    shared = SharedNeighbors(structure)
    shared.prefetch(max(NEIGHBOR_RADIUS, builder.first_radius(structure)))
    together = builder.neighbors(structure, shared=shared)
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a, b)
    z = atomic_numbers(structure)
    np.testing.assert_array_equal(structural_values(structure, z, shared), structural_values(structure, z))


@pytest.mark.parametrize("index", range(len(CASES)))
def test_both_consumers_together_cost_no_more_searches_than_the_costlier_alone(index):
    structure = CASES[index]
    builder = CrystalGraphBuilder()
    z = atomic_numbers(structure)
    graph_alone, features_alone, shared = (SharedNeighbors(structure) for _ in range(3))
    builder.neighbors(structure, shared=graph_alone)
    structural_values(structure, z, features_alone)
    shared.prefetch(max(NEIGHBOR_RADIUS, builder.first_radius(structure)))
    builder.neighbors(structure, shared=shared)
    structural_values(structure, z, shared)
    assert shared.searches <= max(graph_alone.searches, features_alone.searches)
    if index == 0:
        assert shared.searches == 1  # the usual case: one search serves both


def test_a_narrower_request_filters_the_wider_list():
    shared = SharedNeighbors(PEROVSKITE)
    wide, narrow = shared.at(6.0), shared.at(3.0)
    assert shared.searches == 1 and narrow.radius == 3.0
    assert (narrow.dist <= 3.0).all() and len(narrow.dist) == int((wide.dist <= 3.0).sum())
    assert FeatureSpace.default().crystal_matrix([PEROVSKITE]).shape[0] == 1
