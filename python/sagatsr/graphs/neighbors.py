"""One periodic neighbour search per structure, shared by the structural features and the graph.

Both consumers need "every pair (i, j, image) with distance ≤ r" for some radius r of their own
(structural descriptors: 5 Å, doubled until every site has a neighbour; the graph: the radius that
holds ``max_neighbors`` neighbours per atom). :class:`SharedNeighbors` runs pymatgen's cell-list
search (``Structure.get_neighbor_list``, self-pairs excluded) once, at the largest radius asked for
so far, and answers a smaller request by filtering that list to distance ≤ r, which is the same set
of pairs a search at r returns. A request beyond the stored radius triggers one new, wider search.
Pairs are in a fixed order (centre, distance, neighbour, image), so results never depend on which
consumer asked first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NeighborList", "SharedNeighbors"]


@dataclass(frozen=True)
class NeighborList:
    """Periodic neighbour pairs within ``radius`` (Å): ``centre``, ``neighbour`` (site indices),
    ``image`` (lattice translation of the neighbour, int), ``dist`` (Å), sorted by centre then
    distance."""

    centre: np.ndarray
    neighbour: np.ndarray
    image: np.ndarray
    dist: np.ndarray
    radius: float

    def within(self, radius: float) -> "NeighborList":
        """The pairs with distance ≤ ``radius`` (≤ this list's radius), order kept."""
        if radius > self.radius:
            raise ValueError(f"cannot narrow a {self.radius} Å list to {radius} Å")
        keep = self.dist <= radius
        return NeighborList(self.centre[keep], self.neighbour[keep], self.image[keep], self.dist[keep], radius)

    def counts(self, n_sites: int) -> np.ndarray:
        """Number of neighbours of every site."""
        return np.bincount(self.centre, minlength=n_sites)


def _search(structure, radius: float) -> NeighborList:
    centre, neighbour, image, dist = structure.get_neighbor_list(radius)
    centre, neighbour = centre.astype(np.int64), neighbour.astype(np.int64)
    image = np.rint(image).astype(np.int64).reshape(-1, 3)
    order = np.lexsort((image[:, 2], image[:, 1], image[:, 0], neighbour, dist, centre))
    return NeighborList(centre[order], neighbour[order], image[order], dist[order], float(radius))


class SharedNeighbors:
    """Neighbour lists of one structure at any radius, from as few searches as possible."""

    def __init__(self, structure) -> None:
        self.structure = structure
        self.searches = 0  # how many pymatgen searches ran (the point of sharing)
        self._widest: NeighborList | None = None

    def at(self, radius: float) -> NeighborList:
        """All pairs within ``radius`` Å."""
        if self._widest is None or self._widest.radius < radius:
            self._widest = _search(self.structure, radius)
            self.searches += 1
        return self._widest if self._widest.radius == radius else self._widest.within(radius)

    def prefetch(self, radius: float) -> None:
        """Search once at ``radius`` now, so that later smaller requests are filtered from it."""
        self.at(radius)
