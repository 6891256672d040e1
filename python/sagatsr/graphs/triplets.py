"""Bond vectors and bond-angle triplets of crystal graphs (the three-body terms of SA-GAT's angle option).

Edge :math:`j \\to i` of a :class:`~sagatsr.graphs.CrystalGraphBuilder` graph points from
neighbour :math:`j` (in lattice image :math:`\\mathbf{n}_{ij}`) to centre :math:`i`; its bond vector,
in Å, is

.. math::
    \\mathbf{r}_{ij} = (\\mathbf{f}_j + \\mathbf{n}_{ij} - \\mathbf{f}_i)\\, L

with fractional coordinates :math:`\\mathbf{f}` and the lattice matrix :math:`L` (rows = lattice
vectors), stored as ``edge_vec``. A triplet is an ordered pair of distinct edges
:math:`(j \\to i,\\ k \\to i)` with the same centre; its angle :math:`\\theta_{jik}` at :math:`i` has

.. math::
    \\cos\\theta_{jik} = \\frac{\\mathbf{r}_{ij} \\cdot \\mathbf{r}_{ik}}{\\lVert\\mathbf{r}_{ij}\\rVert\\,\\lVert\\mathbf{r}_{ik}\\rVert},

which is unchanged by rotations and translations of the crystal and by relabelling its atoms.

Cap (``max_per_atom`` = m): an atom's edges take part in triplets shell by shell (``edge_rank``,
nearest first) while the shells so far hold at most m edges; the first shell always does. Whole
shells only, so the choice never depends on how atoms or images are numbered (a cut through a
shell of equal distances would). An atom then has at most :math:`\\max(m, s_0)(\\max(m, s_0) - 1)`
triplets, :math:`s_0` the size of its first shell.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

__all__ = ["bond_vectors", "angle_edge_mask", "triplet_index", "bond_cosines"]


def bond_vectors(frac_coords: np.ndarray, lattice_matrix: np.ndarray, centre: np.ndarray,
                 neighbour: np.ndarray, image: np.ndarray) -> np.ndarray:
    """``[E, 3]`` Cartesian vectors (Å) from each centre to its neighbour's image."""
    frac = np.asarray(frac_coords, dtype=np.float64)
    shift = frac[neighbour] + np.asarray(image, dtype=np.float64) - frac[centre]
    return shift @ np.asarray(lattice_matrix, dtype=np.float64)


def angle_edge_mask(edge_index: Tensor, edge_rank: Tensor, num_nodes: int, max_per_atom: int) -> Tensor:
    """``[E]`` bool: the edges that take part in triplets under the whole-shell cap (module docstring)."""
    centre, rank = edge_index[1], edge_rank.long()
    if centre.numel() == 0:
        return torch.zeros(0, dtype=torch.bool, device=centre.device)
    shells = int(rank.max()) + 1
    per_shell = torch.bincount(centre * shells + rank, minlength=num_nodes * shells).view(num_nodes, shells)
    edges_up_to_shell = per_shell.cumsum(1)[centre, rank]
    return (edges_up_to_shell <= max_per_atom) | (rank == 0)


def triplet_index(edge_index: Tensor, edge_rank: Tensor, num_nodes: int, max_per_atom: int) -> Tensor:
    """``[2, T]`` edge ids ``(a, b)``, a ≠ b, both into the same centre, both under the cap.

    Row 0 is the edge that receives a message, row 1 its partner; every ordered pair appears once.
    Works on a batch (edge ids and node ids are global) in :math:`O(T)` memory.
    """
    device = edge_index.device
    kept = angle_edge_mask(edge_index, edge_rank, num_nodes, max_per_atom).nonzero().squeeze(1)
    kept_centre = edge_index[1, kept]
    order = torch.argsort(kept_centre, stable=True)
    kept, kept_centre = kept[order], kept_centre[order]
    per_centre = torch.bincount(kept_centre, minlength=num_nodes)
    first = per_centre.cumsum(0) - per_centre  # position in `kept` of each centre's first edge
    partners = per_centre[kept_centre]  # every kept edge meets all kept edges of its centre
    receiver = torch.repeat_interleave(torch.arange(len(kept), device=device), partners)
    start_of_run = torch.repeat_interleave(partners.cumsum(0) - partners, partners)
    partner = first[kept_centre][receiver] + torch.arange(len(receiver), device=device) - start_of_run
    distinct = receiver != partner
    return torch.stack([kept[receiver[distinct]], kept[partner[distinct]]])


def bond_cosines(edge_vec: Tensor, triplets: Tensor) -> Tensor:
    """``[T]`` :math:`\\cos\\theta` of each triplet, clamped to [-1, 1]."""
    unit = torch.nn.functional.normalize(edge_vec.float(), dim=-1)
    return (unit[triplets[0]] * unit[triplets[1]]).sum(-1).clamp(-1.0, 1.0)
