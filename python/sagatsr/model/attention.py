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

Cost: the per-edge work is kept to gathers, dot products and weighted sums; no matrix is applied
per edge except the edge block of :math:`W_e`. With :math:`\\mathbf{p}_{ij} = [\\mathbf{x}_j \\| \\mathbf{e}_{ij}]`,
:math:`W^h` the rows of head :math:`h` and :math:`\\mathbf{b}` the biases (same parameters, same
values up to float rounding):

.. math::
    \\mathbf{q}^h_i \\cdot \\mathbf{k}^h_{ij} = (W_k^{h\\top} \\mathbf{q}^h_i) \\cdot \\mathbf{p}_{ij}
        + \\mathbf{q}^h_i \\cdot \\mathbf{b}^h_k, \\qquad
    \\sum_j \\alpha^h_{ij} \\mathbf{v}^h_{ij} = W_v^h \\Big(\\sum_j \\alpha^h_{ij} \\mathbf{p}_{ij}\\Big)
        + \\Big(\\sum_j \\alpha^h_{ij}\\Big) \\mathbf{b}^h_v,

so :math:`W_k` and :math:`W_v` act once per atom and head. :math:`W_e` is split by blocks, the node
blocks applied per atom and gathered per edge. The per-centre softmaxes, sums and dot products are
those of :class:`~sagatsr.model.incoming.IncomingEdges`: batched matrix products on an
``[atoms, degree, ...]`` view when every atom has the same number of incoming edges grouped by
centre (the usual crystal graph), scatter operations otherwise.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from sagatsr.model.incoming import IncomingEdges

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
        H, D = self.heads, self.head_dim
        source, target = edge_index
        incoming = IncomingEdges(target, x.size(0))
        query = self.lin_query(x).view(-1, H, D)
        # p_ij = [x_j || e_ij], [E, d + d_e]; index_select: a much cheaper backward than x[source]
        pair = torch.cat([x.index_select(0, source), edge_attr], dim=-1)
        # q_i^h . k_ij^h with W_k moved onto the query: once per atom, not once per edge
        query_in_pair = torch.einsum("nhk,hkc->nhc", query, self.lin_key.weight.view(H, D, -1)).contiguous()
        query_dot_bias = (query * self.lin_key.bias.view(H, D)).sum(-1)  # [N, H]
        score = (incoming.dot(query_in_pair, pair) + incoming.gather(query_dot_bias)) / math.sqrt(D)  # [E, H]
        # the embedding's rows by index_select: same values, a much cheaper backward than the lookup's
        bias = self.rank_bias.weight.index_select(0, edge_rank.clamp(0, self.max_rank))  # [E, H]
        both = incoming.softmax(torch.cat([score, bias], dim=-1))  # one call: the softmax runs per column
        alpha = incoming.softmax(both[:, :H] + both[:, H:])
        # sum_j alpha v_ij = W_v (sum_j alpha p_ij) + (sum_j alpha) b_v, per head
        pooled_pair = incoming.weighted_sum(alpha, pair)  # [N, H, d + d_e]
        aggregated = (torch.einsum("nhc,hkc->nhk", pooled_pair, self.lin_value.weight.view(H, D, -1))
                      + incoming.sum(alpha).unsqueeze(-1) * self.lin_value.bias.view(H, D))
        x_new = self.norm_node(x + self.dropout(self.act(self.lin_out(aggregated.reshape(-1, H * D)))))
        if not self.update_edges:
            return x_new, edge_attr
        # W_e [x_i || x_j || e]: the two node blocks per atom, the edge block per edge
        d, weight = self.dim, self.lin_edge.weight
        node_part = x @ torch.cat([weight[:, :d], weight[:, d:2 * d]]).T  # [N, 2 d_e]
        edge_message = (incoming.gather(node_part[:, :self.edge_dim])
                        + node_part[:, self.edge_dim:].index_select(0, source)
                        + nn.functional.linear(edge_attr, weight[:, 2 * d:], self.lin_edge.bias))
        e_new = self.norm_edge(edge_attr + self.dropout(self.act(edge_message * alpha.mean(-1, keepdim=True))))
        return x_new, e_new

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.dim}, edge_dim={self.edge_dim}, heads={self.heads})"
