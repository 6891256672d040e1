"""Crystal graphs for SA-GAT: periodic neighbour lists with distance-shell ranks.

For every atom i, the neighbours j within ``cutoff`` (periodic images included) come from pymatgen's
``Structure.get_neighbor_list`` (a cell-list search, far faster than ``get_all_neighbors``), run at
the smallest radius that already holds ``max_neighbors`` neighbours per atom. The
``max_neighbors`` nearest are kept, ordered by (distance, neighbour index, image) so the graph is
deterministic. Each edge carries

* ``edge_dist`` d_ij (Å) and its Gaussian expansion
  ``edge_attr[k] = exp(-(d_ij - μ_k)² / σ²)``, μ_k evenly spaced on [0, cutoff], σ = their spacing;
* ``edge_rank``: the index of d_ij among the distinct distances around i (0 = nearest shell;
  distances equal within 1e-4 Å share a rank), the paper's spatial encoding;
* ``edge_image``: the lattice translation of j;
* ``edge_vec``: the bond vector from i to j's image (Å, :func:`sagatsr.graphs.triplets.bond_vectors`),
  for the bond angles of SA-GAT's angle option.

Node features ``x`` are the raw site features and ``u`` the raw crystal features of
:class:`~sagatsr.features.FeatureSpace` (float64, exactly the values of ``featurize``; scaling
happens inside the model).

One pass per structure: :meth:`CrystalGraphBuilder.build_many` runs one neighbour search per
structure (:class:`~sagatsr.graphs.neighbors.SharedNeighbors`) and computes the structural
descriptors and the graph's edges from it; the composition statistics are computed once,
vectorised, for all structures. :func:`sagatsr.features.featurize.features_from_graphs` then reads
the crystal features back from the graphs instead of computing them again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from sagatsr.data.checks import structure_problem
from sagatsr.errors import InputError
from sagatsr.graphs.neighbors import SharedNeighbors
from sagatsr.graphs.triplets import bond_vectors
from sagatsr.io import atomic_target
from sagatsr.parallel import Failed, map_items

log = logging.getLogger("sagatsr.graphs")

__all__ = ["CrystalGraphBuilder", "shell_ranks"]

_RANK_TOLERANCE = 1e-4  # Å


def shell_ranks(centres: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """Per-edge rank of its distance among the distinct distances of the same centre.

    ``centres`` must be sorted (edges grouped by centre, by distance within a group).
    """
    ranks = np.zeros(len(distances), dtype=np.int64)
    if len(distances) == 0:
        return ranks
    new_centre = np.r_[True, centres[1:] != centres[:-1]]
    new_shell = new_centre | np.r_[True, np.diff(distances) > _RANK_TOLERANCE]
    shell_id = np.cumsum(new_shell) - 1
    first_shell_of_centre = shell_id[new_centre]
    group = np.cumsum(new_centre) - 1
    ranks[:] = shell_id - first_shell_of_centre[group]
    return ranks


class CrystalGraphBuilder:
    """Builds ``torch_geometric.data.Data`` graphs from pymatgen structures (paper defaults)."""

    def __init__(self, cutoff: float = 12.0, max_neighbors: int = 12, gaussian_centers: int = 32, space=None):
        if cutoff <= 0 or max_neighbors < 1 or gaussian_centers < 2:
            raise ValueError("cutoff must be > 0, max_neighbors ≥ 1, gaussian_centers ≥ 2")
        from sagatsr.features import FeatureSpace

        self.cutoff, self.max_neighbors, self.gaussian_centers = float(cutoff), int(max_neighbors), int(gaussian_centers)
        self.space = space or FeatureSpace.default()
        self.centers = np.linspace(0.0, self.cutoff, self.gaussian_centers)
        self.width = self.centers[1] - self.centers[0]

    @property
    def settings(self) -> dict:
        """What a cached graph depends on besides its structure (the element data by digest, so a
        cache built from other element values is rebuilt, not reused)."""
        from sagatsr.features.missing import element_table_digest

        return {"cutoff": self.cutoff, "max_neighbors": self.max_neighbors,
                "gaussian_centers": self.gaussian_centers, "site": self.space.site_names,
                "crystal": self.space.crystal_names, "version": 2, "elements": element_table_digest()}

    def neighbors(self, structure, material_id=None, shared=None):
        """(centre, neighbour, distance, image) arrays of the kept edges, sorted by centre;
        ``shared``: the structure's :class:`SharedNeighbors` (a new one if not given)."""
        centre, neighbour, image, dist = self._search(shared or SharedNeighbors(structure))
        keep = dist > 1e-8  # an atom is not its own neighbour
        centre, neighbour, image, dist = centre[keep], neighbour[keep], image[keep].astype(np.int64), dist[keep]
        order = np.lexsort((image[:, 2], image[:, 1], image[:, 0], neighbour, dist, centre))
        centre, neighbour, image, dist = centre[order], neighbour[order], image[order], dist[order]
        start = np.searchsorted(centre, np.arange(len(structure)))
        position = np.arange(len(centre)) - start[centre]
        kept = position < self.max_neighbors
        counts = np.bincount(centre, minlength=len(structure))
        if (counts == 0).any():
            lonely = int(np.argmin(counts))
            raise InputError(f"atom {lonely} ({structure[lonely].specie}) has no neighbour within "
                             f"{self.cutoff} Å; raise --cutoff (API: CrystalGraphBuilder(cutoff=...))", item=material_id)
        return centre[kept], neighbour[kept], dist[kept], image[kept]

    def first_radius(self, structure) -> float:
        """The radius that holds ~3× ``max_neighbors`` atoms at the structure's density (Å)."""
        return min(self.cutoff, (3.0 * self.max_neighbors * structure.volume / len(structure) * 3 / (4 * np.pi)) ** (1 / 3))

    def _search(self, shared):
        """Neighbours within :meth:`first_radius`, widened until every atom has ``max_neighbors``
        of them or the radius reaches ``cutoff``. The kept nearest neighbours are exactly those of a
        search at ``cutoff``, at a fraction of the cost."""
        structure = shared.structure
        radius = self.first_radius(structure)
        while True:
            found = shared.at(radius)
            centre, neighbour, image, dist = found.centre, found.neighbour, found.image, found.dist
            counts = np.bincount(centre[dist > 1e-8], minlength=len(structure))
            if radius >= self.cutoff or counts.min() >= self.max_neighbors:
                return centre, neighbour, image, dist
            radius = min(self.cutoff, radius * 1.5)

    def build(self, structure, target=None, material_id=None, crystal_row=None):
        """One graph (one neighbour search for its edges and its structural descriptors);
        ``crystal_row`` passes precomputed crystal features."""
        shared = SharedNeighbors(structure)
        if crystal_row is None:
            from sagatsr.features.space import atomic_numbers
            from sagatsr.features.structural import structural_values

            structural = structural_values(structure, atomic_numbers(structure, item=material_id), shared)
            crystal_row = self.space.crystal_matrix([structure], ids=[material_id], structural=[structural])[0]
        return _from_tensors(self.arrays(structure, crystal_row, material_id, shared), material_id, target)

    def arrays(self, structure, crystal_row, material_id=None, shared=None) -> dict:
        """The graph's fields (see the module docstring) as NumPy arrays: what a worker returns.
        ``crystal_row`` may be ``None`` (filled in by :meth:`build_many`)."""
        centre, neighbour, dist, image = self.neighbors(structure, material_id, shared)
        expansion = np.exp(-((dist[:, None] - self.centers[None, :]) ** 2) / self.width**2)
        return {
            "x": self.space.site_matrix(structure, item=material_id).astype(np.float32),
            "z": np.array([site.specie.Z for site in structure], dtype=np.int64),
            "u": None if crystal_row is None else np.asarray(crystal_row, dtype=np.float64)[None, :],
            "edge_index": np.stack([neighbour, centre]).astype(np.int64),
            "edge_dist": dist.astype(np.float32),
            "edge_attr": expansion.astype(np.float32),
            "edge_rank": shell_ranks(centre, dist),
            "edge_image": image.astype(np.int64),
            "edge_vec": bond_vectors(structure.frac_coords, structure.lattice.matrix, centre, neighbour,
                                     image).astype(np.float32),
        }

    def _key(self, structure) -> str:
        payload = json.dumps([self.settings, structure.lattice.matrix.round(8).tolist(),
                              [s.specie.Z for s in structure], structure.frac_coords.round(8).tolist()])
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def build_many(self, structures, targets=None, ids=None, *, cache_dir=None, progress=True,
                   on_error="raise", workers=None, failures=None):
        """Graphs for many structures. Crystal features are computed in one vectorised call; with
        ``cache_dir`` each graph is stored as plain tensors (``torch.load(weights_only=True)``) under a
        key of its structure and the settings, so a rerun only builds what is new. ``on_error="skip"``
        leaves out structures that fail (the returned graphs carry their ``material_id``). ``workers``
        processes build the neighbour lists (``None``: all cores for ≥ 500 new graphs).
        ``failures``: a list that receives ``(position, id, reason)`` of every structure skipped.
        Structures failing :func:`sagatsr.data.checks.structure_problem` (coincident atoms, zero
        volume, unknown element, an atom with no neighbour within ``cutoff``) are refused by name.
        Cache files are written atomically; an unreadable one is named in a warning and rebuilt."""
        import torch

        ids = [str(i) for i in (ids if ids is not None else range(len(structures)))]
        targets = [None] * len(structures) if targets is None else list(targets)
        cache = Path(cache_dir) if cache_dir is not None else None
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
        graphs: dict[int, object] = {}
        todo = []
        for i, structure in enumerate(structures):
            path = cache / f"{self._key(structure)}.pt" if cache is not None else None
            cached = _read_cached(path) if path is not None and path.exists() else None
            if cached is not None:
                graphs[i] = _from_tensors(cached, ids[i], targets[i])
            else:
                todo.append(i)
        failed = {}  # position -> reason

        def fail(i, reason):
            if on_error == "raise":  # the reason may already name the structure
                raise InputError(reason, item=None if reason.startswith(f"{ids[i]}:") else ids[i])
            failed[i] = reason

        for i in todo:
            problem = structure_problem(structures[i])  # isolated atoms: found by neighbors()
            if problem:
                fail(i, problem)
        todo = [i for i in todo if i not in failed]
        if todo:
            todo = self._valid_compositions(todo, structures, ids, fail, on_error)
            built = map_items(_build_arrays, [(structures[i], ids[i]) for i in todo], workers=workers,
                              desc="building graphs", progress=progress, initializer=_set_worker_builder,
                              initargs=(self,))
            done = {}
            for i, arrays in zip(todo, built):
                if isinstance(arrays, Failed):
                    fail(i, arrays.reason)
                else:
                    done[i] = arrays
            crystal = self._crystal_rows(list(done), [structures[i] for i in done], [ids[i] for i in done],
                                         [done[i].pop("structural") for i in done], on_error)
            for i, arrays in done.items():
                if isinstance(crystal[i], Failed):
                    fail(i, f"crystal features could not be computed: {crystal[i].reason}")
                    continue
                arrays["u"] = np.asarray(crystal[i], dtype=np.float64)[None, :]
                graphs[i] = _from_tensors(arrays, ids[i], targets[i])
                if cache is not None:
                    with atomic_target(cache / f"{self._key(structures[i])}.pt") as tmp:
                        torch.save(_to_tensors(graphs[i]), tmp)
        if failures is not None:
            failures.extend((i, ids[i], failed[i]) for i in sorted(failed))
        return [graphs[i] for i in sorted(graphs)]

    def _valid_compositions(self, todo, structures, ids, fail, on_error) -> list[int]:
        """Positions whose atomic numbers are usable (FeatureError raised, or the row failed)."""
        from sagatsr.features.space import atomic_numbers

        usable = []
        for i in todo:
            try:
                atomic_numbers(structures[i], item=ids[i], row=i)
                usable.append(i)
            except Exception as exc:
                if on_error == "raise":
                    raise
                fail(i, f"crystal features could not be computed: {Failed.from_exception(exc).reason}")
        return usable

    def _crystal_rows(self, positions, structures, ids, structural, on_error) -> dict:
        """Crystal features by position from the workers' structural descriptors (composition
        statistics vectorised here); a failing structure maps to :class:`Failed` in skip mode."""
        if not positions:
            return {}
        try:
            return dict(zip(positions, self.space.crystal_matrix(structures, ids=ids, structural=structural)))
        except Exception:
            if on_error == "raise":
                raise
        rows = {}
        for pos, structure, mid, part in zip(positions, structures, ids, structural):
            try:
                rows[pos] = self.space.crystal_matrix([structure], ids=[mid], structural=[part])[0]
            except Exception as exc:
                rows[pos] = Failed.from_exception(exc)
        return rows


_FIELDS = ("x", "z", "u", "edge_index", "edge_dist", "edge_attr", "edge_rank", "edge_image", "edge_vec")


def _read_cached(path: Path):
    """The tensors of a graph cache file, or None (with a warning naming it) when it is truncated,
    corrupt or not a graph: the graph is then rebuilt and the file rewritten."""
    import torch

    try:
        tensors = torch.load(path, weights_only=True)
        if isinstance(tensors, dict) and set(_FIELDS) <= set(tensors):
            return tensors
        reason = "not a graph of this version"
    except Exception as exc:  # noqa: BLE001 - any unreadable cache entry is rebuilt
        reason = Failed.from_exception(exc).reason[:160]
    log.warning("%s: unreadable graph cache file (%s); rebuilding it", path, reason)
    return None


def _to_tensors(graph) -> dict:
    return {name: getattr(graph, name) for name in _FIELDS}


def _from_tensors(tensors: dict, material_id: str, target):
    import torch
    from torch_geometric.data import Data

    y = torch.tensor([np.nan if target is None else float(target)], dtype=torch.float32)
    fields = {name: torch.as_tensor(value) for name, value in tensors.items()}
    return Data(**fields, y=y, material_id=str(material_id), num_nodes=int(fields["x"].shape[0]))


_WORKER_BUILDER: CrystalGraphBuilder | None = None


def _set_worker_builder(builder: CrystalGraphBuilder) -> None:
    global _WORKER_BUILDER
    _WORKER_BUILDER = builder


def _build_arrays(item):
    """Worker: (structure, id) -> the graph's arrays plus ``"structural"`` (the structural
    descriptors), both from one shared neighbour search; or :class:`Failed` (never raises)."""
    from sagatsr.features.space import atomic_numbers
    from sagatsr.features.structural import NEIGHBOR_RADIUS, structural_values

    structure, material_id = item
    try:
        shared = SharedNeighbors(structure)
        shared.prefetch(max(NEIGHBOR_RADIUS, _WORKER_BUILDER.first_radius(structure)))
        arrays = _WORKER_BUILDER.arrays(structure, None, material_id, shared)
        arrays["structural"] = structural_values(structure, atomic_numbers(structure, item=material_id), shared)
        return arrays
    except Exception as exc:
        return Failed.from_exception(exc)
