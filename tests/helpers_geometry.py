"""Reusable checkers for bond angles and multi-edge layers (re-exported by ``helpers``)."""

from __future__ import annotations

import numpy as np


def random_rotation(seed):
    """A proper 3×3 rotation matrix (float64), uniformly random for ``seed``."""
    import torch

    q, r = torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64))
    q = q * torch.sign(torch.diagonal(r))
    return q if torch.det(q) > 0 else -q


def with_bond_vectors(graph, seed=0):
    """``graph`` with ``edge_vec``: random directions, lengths equal to ``edge_dist`` (for synthetic graphs)."""
    import torch

    out = graph.clone()
    direction = torch.randn(graph.edge_index.size(1), 3, generator=torch.Generator().manual_seed(seed))
    out.edge_vec = (torch.nn.functional.normalize(direction, dim=-1) * graph.edge_dist[:, None]).float()
    return out


EDGE_FIELDS = ("edge_index", "edge_attr", "edge_dist", "edge_rank", "edge_image", "edge_vec")


def permute_edges(data, order):
    """The same graph with its edges listed in ``order`` (every edge field reordered together)."""
    out = data.clone()
    for name in EDGE_FIELDS:
        value = getattr(data, name, None)
        if value is not None:
            setattr(out, name, value[:, order] if name == "edge_index" else value[order])
    return out


def assert_rotation_invariant(fn, graph, seed=0, atol=1e-5):
    """``fn(graph)`` is unchanged when every bond vector is rotated by one random rotation
    (translations never change bond vectors; see :func:`assert_translation_invariant_bonds`)."""
    import torch

    rotated = graph.clone()
    rotated.edge_vec = (graph.edge_vec.double() @ random_rotation(seed).T).float()
    torch.testing.assert_close(fn(rotated), fn(graph), rtol=1e-4, atol=atol)


def assert_edge_permutation_equivariant(fn, graph, seed=0, atol=1e-5):
    """Per-edge outputs ``fn(graph) [E, ...]`` follow a relabelling of the atoms and a reordering of
    the edges: edge k of the new graph gets the output of edge ``order[k]`` of the old one."""
    import torch

    from helpers import permute_nodes  # here, not at the top: helpers re-exports this module

    generator = torch.Generator().manual_seed(seed)
    relabelled = permute_nodes(graph, torch.randperm(graph.num_nodes, generator=generator))
    order = torch.randperm(graph.edge_index.size(1), generator=generator)
    torch.testing.assert_close(fn(permute_edges(relabelled, order)), fn(graph)[order], rtol=1e-4, atol=atol)


def assert_periodic_images(fn, builder, structure, scaling, decimals=3):
    """Per-edge outputs ``fn(graph) [E, d]`` of the supercell ``structure * scaling`` are those of
    ``structure``, each repeated once per cell: edges are matched by (centre element, neighbour
    element, bond vector rounded to ``decimals`` Å). Needs a builder whose neighbour cap never cuts a
    shell of equal distances (e.g. a small cutoff and a large ``max_neighbors``)."""
    import torch

    def by_bond(struct):
        graph = builder.build(struct)
        outputs = fn(graph)
        groups = {}
        for k in range(graph.edge_index.size(1)):
            j, i = graph.edge_index[:, k].tolist()
            key = (int(graph.z[i]), int(graph.z[j]), *np.round(graph.edge_vec[k].numpy(), decimals).tolist())
            groups.setdefault(key, []).append(outputs[k])
        return groups

    cell, supercell = by_bond(structure), by_bond(structure * scaling)
    copies = int(np.prod(scaling))
    assert set(cell) == set(supercell)
    for key, rows in cell.items():
        assert len(supercell[key]) == copies * len(rows), key
        for row in supercell[key]:
            torch.testing.assert_close(row, rows[0], rtol=1e-4, atol=1e-5)


def perturbed_perovskite(seed, a=3.9, amplitude=0.15):
    """An SrTiO3-like ABX3 cell with every atom displaced at random (no two distances equal)."""
    from pymatgen.core import Lattice, Structure

    rng = np.random.default_rng(seed)
    coords = np.array([[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], dtype=float)
    coords += rng.uniform(-amplitude, amplitude, size=coords.shape) / a
    return Structure(Lattice.cubic(a), ["Sr", "Ti", "O", "O", "O"], coords)
