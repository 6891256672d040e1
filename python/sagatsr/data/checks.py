"""Sanity checks of one crystal structure, run on every structure before it is featurized or
turned into a graph, so an impossible structure is refused by name instead of training on
nonsense (``nn_distance_min = 0``) or failing deep inside with ``ZeroDivisionError``.

A structure is refused when (in this order):

* it has no sites, or partially occupied (disordered) sites;
* a site holds no real element — a placeholder such as ``Xx`` is named by its symbol;
* the lattice or the coordinates hold NaN/inf;
* the cell volume per atom V/N is below :data:`MIN_VOLUME_PER_ATOM` (Å³): a flat or zero cell
  (the densest solids have V/N ≈ 5 Å³, e.g. diamond 5.7 Å³);
* two atoms (periodic images included) are closer than :data:`MIN_DISTANCE` (Å): coincident or
  overlapping atoms (the shortest real bond, H–H in H₂, is 0.74 Å);
* with ``cutoff`` given: an atom has no neighbour within ``cutoff`` Å, so a graph of it would
  have an isolated node (``--cutoff`` raises the radius).

The reason is one line naming the site; the loaders add the file and line number.

:func:`confined` keeps the structure paths of a dataset table inside the dataset's folder.
"""

from __future__ import annotations

import numpy as np

__all__ = ["structure_problem", "check_structure", "confined", "MIN_DISTANCE", "MIN_VOLUME_PER_ATOM"]

MIN_DISTANCE = 0.5  # Å
MIN_VOLUME_PER_ATOM = 1.0  # Å^3


def _site_label(structure, i: int) -> str:
    return f"site {i} ({getattr(structure[i].specie, 'symbol', structure[i].specie)})"


def _element_problem(structure) -> str | None:
    from pymatgen.core.periodic_table import DummySpecies, Element, Species

    for i, site in enumerate(structure):
        for specie in site.species:
            if isinstance(specie, DummySpecies) or not isinstance(specie, (Element, Species)):
                symbol = getattr(specie, "symbol", None) or str(specie)
                return f"unknown element {symbol!r} at site {i}"
    return None


def structure_problem(structure, *, min_distance: float = MIN_DISTANCE,
                      min_volume_per_atom: float = MIN_VOLUME_PER_ATOM, cutoff: float | None = None) -> str | None:
    """Why ``structure`` (a pymatgen ``Structure``) cannot be used, or None when it can."""
    n = len(structure)
    if n == 0:
        return "structure has no sites"
    if not structure.is_ordered:
        return "disordered (partially occupied) sites are not supported"
    problem = _element_problem(structure)
    if problem:
        return problem
    matrix = np.asarray(structure.lattice.matrix, dtype=float)
    if not (np.isfinite(matrix).all() and np.isfinite(structure.frac_coords).all()):
        return "lattice or coordinates contain NaN or infinite numbers"
    volume = abs(float(np.linalg.det(matrix)))
    if volume / n < min_volume_per_atom:
        return (f"cell volume {volume:.3g} Å^3 is (near) zero: {volume / n:.3g} Å^3 per atom, "
                f"below {min_volume_per_atom} Å^3 (flat or degenerate lattice)")
    centre, neighbour, _, dist = structure.get_neighbor_list(min_distance)
    if len(dist):
        k = int(np.argmin(dist))
        i, j = int(centre[k]), int(neighbour[k])
        where = f"{_site_label(structure, i)} and {_site_label(structure, j)}" if i != j else \
            f"{_site_label(structure, i)} and its periodic image"
        return f"{where} are {dist[k]:.3g} Å apart, closer than {min_distance} Å (coincident atoms?)"
    if cutoff is not None:
        centre, _, _, dist = structure.get_neighbor_list(float(cutoff))
        counts = np.bincount(centre[dist > 1e-8], minlength=n)
        if (counts == 0).any():
            i = int(np.argmin(counts))
            return f"{_site_label(structure, i)} has no neighbour within {cutoff} Å; raise --cutoff"
    return None


def check_structure(structure, **limits) -> None:
    """Raise ``ValueError`` with :func:`structure_problem`'s reason when there is one."""
    problem = structure_problem(structure, **limits)
    if problem:
        raise ValueError(problem)


def confined(root, file, allow_outside: bool = False):
    """``file`` (relative to ``root`` unless absolute) as a path, refused with ``ValueError`` when it
    resolves outside ``root`` (``../x``, an absolute path, a symlink out) unless ``allow_outside``."""
    from pathlib import Path

    root = Path(root)
    path = Path(file) if Path(file).is_absolute() else root / file
    if allow_outside:
        return path
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        raise ValueError(f"{file} lies outside the dataset folder {root} (pass --allow-outside, or "
                         "allow_outside=True, to read it)") from None
    return path
