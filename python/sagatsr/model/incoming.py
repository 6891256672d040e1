"""Per-centre operations on edge values: gather, softmax, sums and dot products over the incoming
edges of each atom (edge :math:`j \\to i` has centre :math:`i` = ``edge_index[1]``).

Crystal graphs usually have the same number of incoming edges at every atom (``max_neighbors``),
stored grouped by centre in atom order (:class:`~sagatsr.graphs.CrystalGraphBuilder` writes them
so, and batching keeps it). :class:`IncomingEdges` detects that layout and then works on an
``[atoms, degree, ...]`` view: softmaxes and sums along the degree axis, dot products and weighted
sums as batched matrix products, the centre's row broadcast instead of gathered. Those are the same
sums as the scatter operations of the general path, which any other layout takes (any degree, any
order); the two agree up to float rounding. The readout uses the same operations for the atoms of
each graph (``target`` = the batch vector).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.utils import scatter, softmax

__all__ = ["IncomingEdges"]


class IncomingEdges:
    """The incoming edges of each of ``num_nodes`` centres, given ``target`` = ``edge_index[1]``.

    ``degree`` is the common in-degree when the edges are grouped by centre in atom order with the
    same count at every centre (the fast layout), else ``None`` (scatter operations over
    ``target``).
    """

    def __init__(self, target: Tensor, num_nodes: int) -> None:
        self.target, self.num_nodes = target, num_nodes
        self.degree = self._regular_degree(target, num_nodes)

    @staticmethod
    def _regular_degree(target: Tensor, num_nodes: int) -> int | None:
        if num_nodes == 0 or target.numel() == 0 or target.numel() % num_nodes:
            return None
        degree = target.numel() // num_nodes
        grouped = torch.arange(num_nodes, device=target.device).repeat_interleave(degree)
        return degree if torch.equal(target, grouped) else None

    def _grouped(self, edge_values: Tensor) -> Tensor:
        return edge_values.view(self.num_nodes, self.degree, *edge_values.shape[1:])

    def gather(self, node_values: Tensor) -> Tensor:
        """The centre's row for every edge: ``[N, ...] -> [E, ...]``."""
        if self.degree is None:
            return node_values.index_select(0, self.target)
        shape = node_values.shape
        return node_values.unsqueeze(1).expand(shape[0], self.degree, *shape[1:]).reshape(-1, *shape[1:])

    def softmax(self, edge_values: Tensor) -> Tensor:
        """Softmax over each centre's incoming edges, per column: ``[E, ...] -> [E, ...]``."""
        if self.degree is None:
            return softmax(edge_values, self.target, num_nodes=self.num_nodes)
        return torch.softmax(self._grouped(edge_values), dim=1).view_as(edge_values)

    def sum(self, edge_values: Tensor) -> Tensor:
        """Sum over each centre's incoming edges: ``[E, ...] -> [N, ...]``."""
        if self.degree is None:
            return scatter(edge_values, self.target, dim=0, dim_size=self.num_nodes, reduce="sum")
        return self._grouped(edge_values).sum(1)

    def dot(self, node_vectors: Tensor, edge_vectors: Tensor) -> Tensor:
        """:math:`\\mathbf{q}^h_i \\cdot \\mathbf{e}_{ij}` for every edge and head:
        ``([N, H, C], [E, C]) -> [E, H]``."""
        if self.degree is None:
            return (node_vectors.index_select(0, self.target) * edge_vectors.unsqueeze(1)).sum(-1)
        return _GroupedDot.apply(node_vectors, self._grouped(edge_vectors)).reshape(-1, node_vectors.size(1))

    def weighted_sum(self, weights: Tensor, edge_vectors: Tensor) -> Tensor:
        """:math:`\\sum_j w^h_{ij}\\, \\mathbf{e}_{ij}` per centre and head: ``([E, H], [E, C]) -> [N, H, C]``."""
        if self.degree is None:
            return self.sum(weights.unsqueeze(-1) * edge_vectors.unsqueeze(1))
        return _GroupedWeightedSum.apply(self._grouped(weights), self._grouped(edge_vectors))


# The two batched products below are torch.bmm with a hand-written backward: autograd's own passes
# the incoming gradients in whatever strided layout they arrive in (slices of a concatenation,
# permuted einsum outputs), and bmm over hundreds of small matrices is much slower on those; these
# make the operands contiguous and use the orientations that were fastest on CPU (measured).


class _GroupedDot(torch.autograd.Function):
    """``(node [N, H, C], edges [N, k, C]) -> [N, k, H]``, out[n, j, h] = edges[n, j] . node[n, h]."""

    @staticmethod
    def forward(ctx, node: Tensor, edges: Tensor) -> Tensor:
        node, edges = node.contiguous(), edges.contiguous()
        ctx.save_for_backward(node, edges)
        return torch.bmm(edges, node.transpose(1, 2))

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: Tensor) -> tuple[Tensor, Tensor]:
        node, edges = ctx.saved_tensors
        grad_by_head = grad.transpose(1, 2).contiguous()  # [N, H, k]
        return torch.bmm(grad_by_head, edges), torch.bmm(grad.contiguous(), node)


class _GroupedWeightedSum(torch.autograd.Function):
    """``(weights [N, k, H], edges [N, k, C]) -> [N, H, C]``, out[n, h] = sum_j weights[n, j, h] edges[n, j]."""

    @staticmethod
    def forward(ctx, weights: Tensor, edges: Tensor) -> Tensor:
        weights_by_head, edges = weights.transpose(1, 2).contiguous(), edges.contiguous()  # [N, H, k]
        ctx.save_for_backward(weights_by_head, edges)
        return torch.bmm(weights_by_head, edges)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: Tensor) -> tuple[Tensor, Tensor]:
        weights_by_head, edges = ctx.saved_tensors
        grad = grad.contiguous()  # [N, H, C]
        grad_weights = torch.bmm(grad, edges.transpose(1, 2)).transpose(1, 2)  # [N, k, H]
        return grad_weights, torch.bmm(weights_by_head.transpose(1, 2), grad)
