"""Shell attention: the fast computation equals the module docstring's formulas, whatever the edge layout."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_geometric.utils import scatter, softmax

from sagatsr.model.attention import ShellAttentionConv
from sagatsr.model.incoming import IncomingEdges


def _graph(seed: int, layout: str, nodes: int = 9, degree: int = 5, edge_dim: int = 6):
    """``(edge_index, edge_attr, edge_rank)``: ``regular`` = every centre has ``degree`` incoming
    edges, grouped by centre (as CrystalGraphBuilder writes them); ``shuffled`` = the same edges in
    random order; ``irregular`` = random in-degrees, one atom without incoming edges."""
    generator = torch.Generator().manual_seed(seed)
    target = torch.arange(nodes).repeat_interleave(degree)
    if layout == "irregular":
        target = torch.randint(1, nodes, (nodes * degree,), generator=generator)  # atom 0 receives nothing
    source = torch.randint(0, nodes, (len(target),), generator=generator)
    order = torch.randperm(len(target), generator=generator) if layout != "regular" else torch.arange(len(target))
    edge_index = torch.stack([source, target])[:, order]
    edge_attr = torch.randn(len(target), edge_dim, generator=generator)
    edge_rank = torch.randint(0, 20, (len(target),), generator=generator)  # ranks above max_rank share a bias
    return edge_index, edge_attr, edge_rank


def _reference(conv: ShellAttentionConv, x, edge_index, edge_attr, edge_rank):
    """The layer as the module docstring writes it: k and v from [x_j || e_ij] per edge, three
    scatter softmaxes, W_e on [x_i || x_j || e_ij] (dropout off)."""
    source, target = edge_index
    n, heads, head_dim = x.size(0), conv.heads, conv.head_dim
    pair = torch.cat([x[source], edge_attr], dim=-1)
    query = conv.lin_query(x).view(-1, heads, head_dim)
    key, value = conv.lin_key(pair).view(-1, heads, head_dim), conv.lin_value(pair).view(-1, heads, head_dim)
    score = (query[target] * key).sum(-1) / math.sqrt(head_dim)
    bias = conv.rank_bias(edge_rank.clamp(0, conv.max_rank))
    alpha = softmax(softmax(score, target, num_nodes=n) + softmax(bias, target, num_nodes=n), target, num_nodes=n)
    aggregated = scatter(value * alpha.unsqueeze(-1), target, dim=0, dim_size=n, reduce="sum").reshape(n, -1)
    x_new = conv.norm_node(x + conv.act(conv.lin_out(aggregated)))
    if not conv.update_edges:
        return x_new, edge_attr
    message = conv.lin_edge(torch.cat([x[target], x[source], edge_attr], dim=-1))
    return x_new, conv.norm_edge(edge_attr + conv.act(message * alpha.mean(-1, keepdim=True)))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), layout=st.sampled_from(["regular", "shuffled", "irregular"]),
       update_edges=st.booleans())
def test_layer_equals_the_docstring_formulas_with_gradients(seed, layout, update_edges):
    torch.manual_seed(seed)
    conv = ShellAttentionConv(16, 6, heads=4, max_rank=7, update_edges=update_edges).eval()
    with torch.no_grad():  # a non-zero rank bias and biases, so every term matters
        conv.rank_bias.weight.normal_()
        conv.lin_key.bias.normal_()
        conv.lin_value.bias.normal_()
    edge_index, edge_attr, edge_rank = _graph(seed, layout)
    x = torch.randn(9, 16)
    results = []
    for layer in (conv, lambda *args: _reference(conv, *args)):
        conv.zero_grad()
        inputs = (x.clone().requires_grad_(), edge_attr.clone().requires_grad_())
        x_new, e_new = layer(inputs[0], edge_index, inputs[1], edge_rank)
        (x_new.sin().sum() + e_new.cos().sum()).backward()
        grads = [p.grad.clone() for p in conv.parameters() if p.grad is not None] + [t.grad for t in inputs]
        results.append((x_new, e_new, grads))
    (x_fast, e_fast, grads_fast), (x_ref, e_ref, grads_ref) = results
    torch.testing.assert_close(x_fast, x_ref, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(e_fast, e_ref, rtol=1e-5, atol=1e-5)
    assert len(grads_fast) == len(grads_ref)
    for got, expected in zip(grads_fast, grads_ref):
        torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layout, degree", [("regular", 5), ("shuffled", None), ("irregular", None)])
def test_incoming_edges_detects_the_grouped_layout(layout, degree):
    edge_index, _, _ = _graph(3, layout)
    assert IncomingEdges(edge_index[1], 9).degree == degree
    assert IncomingEdges(edge_index[1], 10).degree is None  # one atom more: not every atom has 5


def test_grouped_and_scatter_paths_agree():
    edge_index, edge_attr, _ = _graph(5, "regular")
    grouped = IncomingEdges(edge_index[1], 9)
    general = IncomingEdges(edge_index[1], 9)
    general.degree = None  # force the scatter operations on the same edges
    node = torch.randn(9, 4, 6)
    weights = torch.randn(len(edge_attr), 4)
    for name, args in (("gather", (node,)), ("softmax", (weights,)), ("sum", (edge_attr,)),
                       ("dot", (node, edge_attr)), ("weighted_sum", (weights, edge_attr))):
        torch.testing.assert_close(getattr(grouped, name)(*args), getattr(general, name)(*args), msg=name)
