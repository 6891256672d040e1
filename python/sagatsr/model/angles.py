"""Angle-resolved edge updates: messages between pairs of bonds that share an atom.

For the triplets :math:`(a, b)` = :math:`(j \\to i,\\ k \\to i)` of
:func:`sagatsr.graphs.triplets.triplet_index` (distinct edges into the same centre, under a
whole-shell cap per atom), with edge vectors :math:`\\mathbf{e}` and the angle
:math:`\\theta_{ab}` between the bonds :math:`\\mathbf{r}_{ij}` and :math:`\\mathbf{r}_{ik}`:

.. math::
    \\phi_m(\\cos\\theta) = \\exp\\!\\Big(-\\frac{(\\cos\\theta - \\mu_m)^2}{\\gamma^2}\\Big), \\qquad
    \\mu_m \\in [-1, 1] \\text{ evenly spaced } (m = 1..M), \\ \\gamma = \\mu_2 - \\mu_1

.. math::
    \\mathbf{z}_{ab} = [\\mathbf{e}_a \\,\\|\\, \\mathbf{e}_b \\,\\|\\, W_\\theta \\boldsymbol\\phi(\\cos\\theta_{ab})], \\qquad
    \\mathbf{m}_a = \\frac{1}{|T_a|} \\sum_{b \\in T_a}
        \\operatorname{sigmoid}(W_g \\mathbf{z}_{ab} + \\mathbf{b}_g) \\odot
        \\operatorname{softplus}(W_m \\mathbf{z}_{ab} + \\mathbf{b}_m)

.. math::
    \\mathbf{e}_a \\leftarrow \\mathrm{LN}\\big(\\mathbf{e}_a + \\mathrm{Dropout}(W_o \\mathbf{m}_a)\\big)

(a CGConv-style gated convolution on the line graph, as in ALIGNN's edge updates; :math:`T_a` the
partners of edge :math:`a`, the mean keeps the scale independent of the cap). Computed by blocks:
:math:`W[\mathbf{e}_a \| \mathbf{e}_b \| W_\theta\boldsymbol\phi + \mathbf{b}_\theta] =
W^{(1)}\mathbf{e}_a + W^{(2)}\mathbf{e}_b + (W^{(3)} W_\theta)\boldsymbol\phi + W^{(3)}\mathbf{b}_\theta`,
the edge blocks once per edge and gathered per triplet, so a triplet costs only an M-wide product. An edge with no
partner gets :math:`\\mathbf{m}_a = 0` and only the layer norm. Only :math:`\\cos\\theta` enters,
so the update is invariant to rotations and translations; sums over triplets make it equivariant
to relabelling atoms and edges. Edge vectors :math:`\\mathbf{e}` then carry three-body
information into the shell attention (:class:`~sagatsr.model.attention.ShellAttentionConv`).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter

__all__ = ["CosineBasis", "AngleEdgeUpdate"]


class CosineBasis(nn.Module):
    """``[T]`` cosines -> ``[T, M]`` Gaussians on M evenly spaced centres in [-1, 1]."""

    def __init__(self, num_basis: int = 8) -> None:
        super().__init__()
        if num_basis < 2:
            raise ValueError(f"the angle basis needs at least 2 functions, got {num_basis}")
        self.register_buffer("centres", torch.linspace(-1.0, 1.0, num_basis), persistent=False)
        self.width = 2.0 / (num_basis - 1)

    def forward(self, cosines: Tensor) -> Tensor:
        return torch.exp(-((cosines.unsqueeze(-1) - self.centres) / self.width) ** 2)


class AngleEdgeUpdate(nn.Module):
    """``(e [E, d_e], triplets [2, T], angle basis [T, M]) -> e' [E, d_e]`` (module docstring)."""

    def __init__(self, edge_dim: int, num_basis: int = 8, dropout: float = 0.0) -> None:
        super().__init__()
        self.edge_dim = edge_dim
        self.angle_embedding = nn.Linear(num_basis, edge_dim)
        self.gate = nn.Linear(3 * edge_dim, edge_dim)
        self.message = nn.Linear(3 * edge_dim, edge_dim)
        self.out = nn.Linear(edge_dim, edge_dim)
        self.norm = nn.LayerNorm(edge_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, edge_attr: Tensor, triplets: Tensor, angle_basis: Tensor) -> Tensor:
        receiver, partner = triplets
        d = self.edge_dim
        weight = torch.cat([self.gate.weight, self.message.weight])  # [2d, 3d]: gate rows, then message rows
        per_edge = edge_attr @ torch.cat([weight[:, :d], weight[:, d:2 * d]]).T  # [E, 4d]
        angle_weight = weight[:, 2 * d:] @ self.angle_embedding.weight  # [2d, M]
        angle_bias = weight[:, 2 * d:] @ self.angle_embedding.bias + torch.cat([self.gate.bias, self.message.bias])
        pre = (per_edge[receiver, :2 * d] + per_edge[partner, 2 * d:]
               + nn.functional.linear(angle_basis, angle_weight, angle_bias))
        gate, value = pre.split(d, dim=-1)
        message = torch.sigmoid(gate) * nn.functional.softplus(value)
        pooled = scatter(message, receiver, dim=0, dim_size=edge_attr.size(0), reduce="mean")
        return self.norm(edge_attr + self.dropout(self.out(pooled)))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.edge_dim}, basis={self.angle_embedding.in_features})"
