"""Bond-angle edge updates (model/angles.py) and SA-GAT with ``angle_layers``: invariance to
rotations, translations, relabelling and periodic images; ICs unchanged; every parameter trained."""

from __future__ import annotations

import pytest
import torch
from helpers import (assert_edge_permutation_equivariant, assert_importance_simplex, assert_periodic_images,
                     assert_rotation_invariant, perturbed_perovskite, permute_edges, permute_nodes, small_model,
                     synthetic_graphs, with_bond_vectors)
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_geometric.data import Batch

from sagatsr.errors import InputError
from sagatsr.graphs import CrystalGraphBuilder
from sagatsr.graphs.triplets import bond_cosines, triplet_index
from sagatsr.model.angles import AngleEdgeUpdate, CosineBasis


def _layer_on(graph, cap=4, seed=0):
    """The per-edge output of one angle update on ``graph`` (edge vectors from a fixed projection)."""
    torch.manual_seed(seed)
    layer, basis = AngleEdgeUpdate(8, num_basis=6).eval(), CosineBasis(6)
    projection = torch.nn.Linear(graph.edge_attr.size(1), 8)
    with torch.no_grad():
        triplets = triplet_index(graph.edge_index, graph.edge_rank, graph.num_nodes, cap)
        return layer(projection(graph.edge_attr.float()), triplets, basis(bond_cosines(graph.edge_vec, triplets)))


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), cap=st.integers(2, 5))
def test_angle_update_is_rotation_invariant_and_permutation_equivariant(seed, cap):
    graph = with_bond_vectors(synthetic_graphs(1, seed=seed)[0], seed)
    assert_rotation_invariant(lambda g: _layer_on(g, cap), graph, seed)
    assert_edge_permutation_equivariant(lambda g: _layer_on(g, cap), graph, seed)


@pytest.mark.parametrize("scaling", [(2, 1, 1), (1, 2, 2)])
def test_angle_update_is_the_same_on_periodic_images(scaling):
    builder = CrystalGraphBuilder(cutoff=5.0, max_neighbors=500)  # no neighbour cap inside a shell
    assert_periodic_images(lambda g: _layer_on(g, cap=6), builder, perturbed_perovskite(1), scaling)


def test_cosine_basis_covers_the_range():
    values = CosineBasis(5)(torch.tensor([-1.0, 0.0, 1.0]))
    assert values.shape == (3, 5)
    assert values.argmax(-1).tolist() == [0, 2, 4]
    with pytest.raises(ValueError):
        CosineBasis(1)


def _angle_graphs(seed, count=5):
    return [with_bond_vectors(g, seed + k) for k, g in enumerate(synthetic_graphs(count, seed=seed))]


def _angle_model(graphs, **kwargs):
    model = small_model(graphs[0], angle_layers=2, angle_neighbors=3, **kwargs)
    model.fit_normalization(graphs)
    return model.eval()


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), readout=st.sampled_from(["gru", "mean"]))
def test_sagat_with_angles_is_invariant(seed, readout):
    graphs = _angle_graphs(seed)
    model = _angle_model(graphs, readout=readout)
    generator = torch.Generator().manual_seed(seed)

    def predict(graph_list):
        with torch.no_grad():
            return model(Batch.from_data_list(graph_list))

    for k, graph in enumerate(graphs):
        assert_rotation_invariant(lambda g: predict([g]), graph, seed + k)
    relabelled = [permute_edges(permute_nodes(g, torch.randperm(g.num_nodes, generator=generator)),
                                torch.randperm(g.edge_index.size(1), generator=generator)) for g in graphs]
    torch.testing.assert_close(predict(relabelled), predict(graphs), rtol=1e-5, atol=1e-4)


def test_angles_change_predictions_and_keep_ics_a_simplex():
    graphs = _angle_graphs(7)
    model = _angle_model(graphs)
    batch = Batch.from_data_list(graphs)
    with torch.no_grad():
        prediction, site_ics, crystal_ics = model.predict_with_importance(batch)
        bent = batch.clone()
        bent.edge_vec = bent.edge_vec.flip(0)  # same lengths elsewhere, other angles
        changed = model(bent)
    assert_importance_simplex(site_ics)
    assert_importance_simplex(crystal_ics)
    assert not torch.allclose(changed, prediction)


def test_gradients_reach_the_angle_parameters():
    torch.manual_seed(0)
    graphs = _angle_graphs(3, count=6)
    model = _angle_model(graphs).train()
    model(Batch.from_data_list(graphs)).square().sum().backward()
    names = [name for name, _ in model.named_parameters() if name.startswith("angle_updates")]
    assert names
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


def test_without_angles_the_model_is_unchanged_and_angles_need_bond_vectors(tmp_path):
    graphs = synthetic_graphs(4)
    plain = small_model(graphs[0])
    assert not [name for name in plain.state_dict() if "angle" in name]
    assert "edge_vec" not in plain.required_graph_fields
    from sagatsr.training import TrainConfig, fit

    config = TrainConfig(epochs=1, hidden=16, edge_hidden=8, layers=2, heads=2, angle_layers=1, progress=False,
                         num_threads=1, batch_size=4)
    with pytest.raises(InputError, match="edge_vec"):
        fit(graphs[:3], graphs[3:], tmp_path, config)
    with pytest.raises(ValueError, match="angle_layers"):
        small_model(graphs[0], angle_layers=5)
