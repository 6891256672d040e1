"""SAGAT properties on synthetic graphs: permutation/batching invariance, IC simplex, gradients."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_importance_simplex, permute_nodes, small_model, synthetic_graphs
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_geometric.data import Batch

ENCODINGS = ["sae", "linear", "onehot"]


def _model(graphs, seed=0, **kwargs):
    """A small model with weights drawn from ``seed`` (each example gets its own, reproducibly)."""
    model = small_model(graphs[0], seed=seed, **kwargs)
    model.fit_normalization(graphs)
    return model.eval()


@settings(max_examples=12)
@given(seed=st.integers(0, 10_000), encoding=st.sampled_from(ENCODINGS),
       sae_mode=st.sampled_from(["binned", "gaussian", "quantile"]), readout=st.sampled_from(["gru", "mean"]),
       sae_heads=st.sampled_from([1, 3]))
def test_predictions_invariant_to_node_order(seed, encoding, sae_mode, readout, sae_heads):
    graphs = synthetic_graphs(4, seed=seed)
    model = _model(graphs, seed, encoding=encoding, sae_mode=sae_mode, readout=readout, sae_heads=sae_heads)
    generator = torch.Generator().manual_seed(seed)
    permuted = [permute_nodes(g, torch.randperm(g.num_nodes, generator=generator)) for g in graphs]
    with torch.no_grad():
        expected = model(Batch.from_data_list(graphs))
        got = model(Batch.from_data_list(permuted))
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-4)


@settings(max_examples=12)
@given(seed=st.integers(0, 10_000), encoding=st.sampled_from(ENCODINGS), split=st.integers(1, 5))
def test_predictions_invariant_to_batching(seed, encoding, split):
    graphs = synthetic_graphs(6, seed=seed)
    model = _model(graphs, seed, encoding=encoding)
    order = torch.randperm(6, generator=torch.Generator().manual_seed(seed)).tolist()
    with torch.no_grad():
        together = model(Batch.from_data_list(graphs))
        parts = [model(Batch.from_data_list([graphs[i] for i in chunk]))
                 for chunk in (order[:split], order[split:])]
    regrouped = torch.empty_like(together)
    regrouped[order] = torch.cat(parts)
    torch.testing.assert_close(regrouped, together, rtol=1e-5, atol=1e-4)


@settings(max_examples=12)
@given(seed=st.integers(0, 10_000), sae_mode=st.sampled_from(["binned", "gaussian", "quantile"]),
       sae_heads=st.sampled_from([1, 4]))
def test_importance_coefficients_form_a_simplex(seed, sae_mode, sae_heads):
    graphs = synthetic_graphs(5, seed=seed)
    model = _model(graphs, seed, sae_mode=sae_mode, sae_heads=sae_heads)
    batch = Batch.from_data_list(graphs)
    with torch.no_grad():
        prediction, site_ics, crystal_ics = model.predict_with_importance(batch)
    assert site_ics.shape == (batch.num_nodes, graphs[0].x.size(1))
    assert crystal_ics.shape == (len(graphs), graphs[0].u.size(1))
    assert_importance_simplex(site_ics)
    assert_importance_simplex(crystal_ics)
    torch.testing.assert_close(prediction, model(batch))


@pytest.mark.parametrize(("encoding", "sae_heads"), [(e, 1) for e in ENCODINGS] + [("sae", 2)])
@pytest.mark.parametrize("readout", ["gru", "mean"])
def test_gradients_reach_every_parameter(encoding, sae_heads, readout):
    torch.manual_seed(0)
    graphs = synthetic_graphs(6)
    model = _model(graphs, encoding=encoding, readout=readout, sae_heads=sae_heads).train()
    model(Batch.from_data_list(graphs)).square().sum().backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, f"no gradient reaches {name}"
        assert parameter.grad.abs().sum() > 0, f"zero gradient for {name}"


def test_non_sae_encodings_have_no_importance():
    graphs = synthetic_graphs(3)
    _, site_ics, crystal_ics = _model(graphs, encoding="linear").predict_with_importance(Batch.from_data_list(graphs))
    assert site_ics is None and crystal_ics is None


def test_unknown_options_are_rejected():
    graphs = synthetic_graphs(1)
    with pytest.raises(ValueError, match="encoding"):
        small_model(graphs[0], encoding="fourier")
    with pytest.raises(ValueError, match="readout"):
        small_model(graphs[0], readout="sum")
