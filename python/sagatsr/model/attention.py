"""Multi-head attention message passing with edge features, shell-rank bias and edge updates.

For centre atom :math:`i`, neighbour :math:`j` (edge :math:`j \\to i`), head :math:`h` of size
:math:`d_h = d / H`, node vectors :math:`\\mathbf{x}` and edge vectors :math:`\\mathbf{e}_{ij}`:

.. math::
    \\mathbf{q}_i = W_q \\mathbf{x}_i, \\quad
    \\mathbf{k}_{ij} = W_k [\\mathbf{x}_j \\,\\|\\, \\mathbf{e}_{ij}], \\quad
    \\mathbf{v}_{ij} = W_v [\\mathbf{x}_j \\,\\|\\, \\mathbf{e}_{ij}], \\quad
    a^h_{ij} = \\frac{\\mathbf{q}^h_i \\cdot \\mathbf{k}^h_{ij}}{\\sqrt{d_h}}

.. math::
    \\alpha^h_{ij} = \\operatorname{softmax}_j\\!\\big(\\operatorname{softmax}_j(a^h_{ij})
        + \\operatorname{softmax}_j(b^h_{\\rho(ij)})\\big)

where :math:`\\rho(ij)` is the distance-shell rank of the edge (``edge_rank``, clamped to
``max_rank``) and :math:`b^h_\\rho` a learnable scalar per rank and head (a Graphormer-like spatial
encoding). All softmaxes run over the incoming edges of each centre
(:func:`torch_geometric.utils.softmax`). Updates, with :math:`\\bar\\alpha_{ij}` the head mean:

.. math::
    \\mathbf{x}_i \\leftarrow \\mathrm{LN}\\Big(\\mathbf{x}_i + \\mathrm{Dropout}\\big(
        \\mathrm{LeakyReLU}(W_o \\,\\|_{h} \\textstyle\\sum_j \\alpha^h_{ij} \\mathbf{v}^h_{ij})\\big)\\Big)

.. math::
    \\mathbf{e}_{ij} \\leftarrow \\mathrm{LN}\\Big(\\mathbf{e}_{ij} + \\mathrm{Dropout}\\big(
        \\mathrm{LeakyReLU}(W_e [\\mathbf{x}_i \\,\\|\\, \\mathbf{x}_j \\,\\|\\, \\mathbf{e}_{ij}]
        \\cdot \\bar\\alpha_{ij})\\big)\\Big)

(the edge update uses the node vectors before the node update; a last layer built with
``update_edges=False`` skips it, since nothing would read its output). Nothing depends on node
order or on how graphs are batched.

Cost: every linear map of a concatenation is split by blocks,
:math:`W_k[\mathbf{x}_j \| \mathbf{e}_{ij}] = W_k^{x}\mathbf{x}_j + W_k^{e}\mathbf{e}_{ij}` (same
for :math:`W_v` and the three blocks of :math:`W_e`), and the node blocks are applied once per
atom, then gathered per edge: the same parameters and values, with the per-edge matrix products
reduced to the edge-vector blocks (about 2.5× fewer multiply-adds at d = 64, d_e = 32, 12 edges
per atom).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter, softmax

__all__ = ["ShellAttentionConv"]


class ShellAttentionConv(nn.Module):
    """One SA-GAT layer: ``(x [N, d], edge_index [2, E], e [E, d_e], rank [E]) -> (x', e')``.

    Args:
        dim: node vector size d (divisible by ``heads``).
        edge_dim: edge vector size d_e.
        heads: number of attention heads H.
        max_rank: shell ranks above this share the last bias.
        dropout: dropout on the node and edge updates.
        negative_slope: LeakyReLU slope.
        update_edges: compute the edge update (``False`` returns the edges unchanged).
    """

    def __init__(self, dim: int, edge_dim: int, heads: int = 4, max_rank: int = 16,
                 dropout: float = 0.0, negative_slope: float = 0.2, update_edges: bool = True) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} must be divisible by heads {heads}")
        self.dim, self.edge_dim, self.heads, self.head_dim = dim, edge_dim, heads, dim // heads
        self.max_rank = max_rank
        self.lin_query = nn.Linear(dim, dim)
        self.lin_key = nn.Linear(dim + edge_dim, dim)
        self.lin_value = nn.Linear(dim + edge_dim, dim)
        self.rank_bias = nn.Embedding(max_rank + 1, heads)
        nn.init.zeros_(self.rank_bias.weight)
        self.lin_out = nn.Linear(dim, dim)
        self.norm_node = nn.LayerNorm(dim)
        self.update_edges = update_edges
        if update_edges:
            self.lin_edge = nn.Linear(2 * dim + edge_dim, edge_dim)
            self.norm_edge = nn.LayerNorm(edge_dim)
        self.act = nn.LeakyReLU(negative_slope)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, edge_rank: Tensor) -> tuple[Tensor, Tensor]:
        H, D, d = self.heads, self.head_dim, self.dim
        source, target = edge_index
        query = self.lin_query(x).view(-1, H, D)
        # [W_k; W_v] split into the node block (applied per atom) and the edge block (per edge)
        kv_weight = torch.cat([self.lin_key.weight, self.lin_value.weight])  # [2d, d + d_e]
        kv_bias = torch.cat([self.lin_key.bias, self.lin_value.bias])
        kv = (x @ kv_weight[:, :d].T)[source] + nn.functional.linear(edge_attr, kv_weight[:, d:], kv_bias)
        key, value = kv.view(-1, 2, H, D).unbind(1)
        score = (query[target] * key).sum(-1) / math.sqrt(D)  # [E, H]
        bias = self.rank_bias(edge_rank.clamp(0, self.max_rank))  # [E, H]
        num_nodes = x.size(0)
        combined = softmax(score, target, num_nodes=num_nodes) + softmax(bias, target, num_nodes=num_nodes)
        alpha = softmax(combined, target, num_nodes=num_nodes)
        aggregated = scatter(value * alpha.unsqueeze(-1), target, dim=0, dim_size=num_nodes, reduce="sum")
        x_new = self.norm_node(x + self.dropout(self.act(self.lin_out(aggregated.reshape(-1, H * D)))))
        if not self.update_edges:
            return x_new, edge_attr
        # W_e [x_i || x_j || e]: the two node blocks per atom, the edge block per edge
        weight = self.lin_edge.weight
        node_part = x @ torch.cat([weight[:, :d], weight[:, d:2 * d]]).T  # [N, 2 d_e]
        edge_message = (node_part[target, :self.edge_dim] + node_part[source, self.edge_dim:]
                        + nn.functional.linear(edge_attr, weight[:, 2 * d:], self.lin_edge.bias))
        e_new = self.norm_edge(edge_attr + self.dropout(self.act(edge_message * alpha.mean(-1, keepdim=True))))
        return x_new, e_new

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.dim}, edge_dim={self.edge_dim}, heads={self.heads})"
