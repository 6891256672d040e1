"""Graph readouts: the GRU attention readout seeded by crystal features, and mean pooling.

:class:`GRUAttentionReadout` (a Set2Set-like pooling run after every message-passing layer). For a
graph :math:`G` with node vectors :math:`\\mathbf{x}_i` after layer :math:`t`:

.. math::
    \\mathbf{h}^{(0)} = W_h \\mathbf{c} + \\mathbf{b}_h, \\qquad
    \\mathbf{q}^{(0)} = \\mathbf{c} \\quad (\\text{the crystal-encoding vector})

.. math::
    \\beta_i = \\operatorname{softmax}_{i \\in G}\\Big(\\frac{\\mathbf{x}_i \\cdot \\mathbf{q}^{(t)}}{\\sqrt d}\\Big),
    \\qquad \\mathbf{r}^{(t)} = \\sum_{i \\in G} \\beta_i \\mathbf{x}_i,
    \\qquad \\mathbf{h}^{(t+1)} = \\mathrm{GRU}\\big([\\mathbf{q}^{(t)} \\| \\mathbf{r}^{(t)}],\\, \\mathbf{h}^{(t)}\\big),
    \\qquad \\mathbf{q}^{(t+1)} = \\mathbf{h}^{(t+1)}

Crystal features reach the readout only through :math:`\\mathbf{c}`. An extra linear path from the
raw features would let the network bypass the SAE, and the ICs would then stay near uniform and
mean nothing. The graph vector is
:math:`[\\mathbf{q}^{(T)} \\| \\mathbf{r}^{(T)}]` (size 2d).

:class:`MeanPoolReadout`: :math:`[\\frac{1}{|G|}\\sum_{i\\in G} \\mathbf{x}_i \\,\\|\\, \\mathbf{c}]`
after the last layer only (the per-layer step is the identity).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter

from sagatsr.model.incoming import IncomingEdges

__all__ = ["GRUAttentionReadout", "MeanPoolReadout"]


class GRUAttentionReadout(nn.Module):
    """State ``(q, h, r)`` per graph, advanced by :meth:`step` after each layer."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim
        self.init_hidden = nn.Linear(dim, dim)
        self.gru = nn.GRUCell(2 * dim, dim)

    def start(self, crystal_vector: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Initial state: query = crystal-encoding vector, hidden = a linear map of it."""
        return crystal_vector, self.init_hidden(crystal_vector), torch.zeros_like(crystal_vector)

    def step(self, state: tuple[Tensor, Tensor, Tensor], x: Tensor, batch: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Attend over each graph's nodes with its query; update the GRU state."""
        query, hidden, _ = state
        # atoms grouped by graph: the per-group gather, softmax and sum of the attention layers
        # (views instead of scatters when every graph has the same number of atoms)
        atoms = IncomingEdges(batch, query.size(0))
        weight = atoms.softmax((x * atoms.gather(query)).sum(-1) / math.sqrt(self.dim))
        pooled = atoms.sum(weight.unsqueeze(-1) * x)
        hidden = self.gru(torch.cat([query, pooled], dim=-1), hidden)
        return hidden, hidden, pooled

    def finish(self, state: tuple[Tensor, Tensor, Tensor], x: Tensor, batch: Tensor) -> Tensor:
        query, _, pooled = state
        return torch.cat([query, pooled], dim=-1)


class MeanPoolReadout(nn.Module):
    """``[mean of node vectors ‖ crystal vector]``; same interface as :class:`GRUAttentionReadout`."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def start(self, crystal_vector: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        return crystal_vector, crystal_vector, crystal_vector

    def step(self, state, x: Tensor, batch: Tensor):
        return state

    def finish(self, state, x: Tensor, batch: Tensor) -> Tensor:
        crystal_vector = state[0]
        pooled = scatter(x, batch, dim=0, dim_size=crystal_vector.size(0), reduce="mean")
        return torch.cat([pooled, crystal_vector], dim=-1)
