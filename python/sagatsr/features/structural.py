"""Structural descriptors of one crystal, and the per-structure extraction that feeds them.

Per structure we extract only cheap things: atomic numbers, the lattice, and one periodic
neighbour list (pymatgen ``Structure.get_neighbor_list``, radius :data:`NEIGHBOR_RADIUS` Å, doubled
until every site has a neighbour). Definitions (i runs over sites, d_i = nearest-neighbour distance):

* ``density`` = Σ m_i / V (g/cm^3); ``volume_per_atom`` = V/N (Å^3);
  ``packing_fraction`` = Σ_i (4/3)π r_at,i³ / V with the (imputed) atomic radius.
* ``nn_distance_{mean,std,min,max}`` over sites of d_i (Å).
* coordination number CN_i = #neighbours with distance < 1.25·d_i; ``coordination_{mean,std,min,max}``.
* ``lattice_{a,b,c}`` (sorted lengths, Å), ``cell_volume`` (Å^3), ``n_sites`` and the sorted
  ``cos_lattice_angle_{1,2,3}`` are **extensive** (``intensive=False``): a supercell changes them.
* Perovskite descriptors, for stoichiometry A:B:X = 1:1:3: two cation elements with counts k, k and
  anions (negative common oxidation state, mixed anions allowed, e.g. ABO2F) counting 3k — or
  three elements with counts k, k, 3k. B is the cation with the shorter cation–X distance (the octahedral site), A the other; r = Shannon radius at the
  most common oxidation state (``ionic_radius_common``), r_X = mean over X sites:
  t = (r_A + r_X) / (√2 (r_B + r_X)), μ = r_B / r_X, μ/t, and ``cos_bxb`` = mean over X sites of the
  cosine of the angle between the X→B vectors to the two nearest B atoms (−1 for a straight bond).
  **Not a perovskite (or no two B neighbours of X within the radius): all four are 0 and
  ``is_perovskite`` = 0**; ``is_perovskite`` = 1 otherwise. Never NaN.
"""

from __future__ import annotations

import numpy as np

from sagatsr.features.elements import PROPERTY_NAMES
from sagatsr.features.feature import Feature
from sagatsr.features.missing import element_table

NEIGHBOR_RADIUS = 5.0
CN_TOLERANCE = 1.25
_AMU_PER_A3_TO_G_PER_CM3 = 1.66053906660

_I = True
_E = False
STRUCTURAL_FEATURES: tuple[Feature, ...] = tuple(Feature(n, s, u, d, "crystal", i) for n, s, u, d, i in [
    ("density", "ρ", "g/cm^3", "mass density of the crystal", _I),
    ("volume_per_atom", "V_at", "Å^3", "cell volume per atom", _I),
    ("packing_fraction", "η", "dimensionless", "atomic-sphere packing fraction (atomic radii)", _I),
    ("n_elements", "N_el", "dimensionless", "number of distinct elements", _I),
    ("nn_distance_mean", "d_nn_mean", "Å", "mean over sites of the nearest-neighbour distance", _I),
    ("nn_distance_std", "d_nn_std", "Å", "std over sites of the nearest-neighbour distance", _I),
    ("nn_distance_min", "d_nn_min", "Å", "shortest nearest-neighbour distance", _I),
    ("nn_distance_max", "d_nn_max", "Å", "longest nearest-neighbour distance", _I),
    ("coordination_mean", "CN_mean", "dimensionless", "mean coordination number (d < 1.25 d_nn)", _I),
    ("coordination_std", "CN_std", "dimensionless", "std of the coordination number", _I),
    ("coordination_min", "CN_min", "dimensionless", "minimum coordination number", _I),
    ("coordination_max", "CN_max", "dimensionless", "maximum coordination number", _I),
    ("is_perovskite", "is_ABX3", "dimensionless", "1 if stoichiometry is A:B:X = 1:1:3, else 0", _I),
    ("tolerance_factor", "t", "dimensionless", "Goldschmidt tolerance factor (0 if not ABX3)", _I),
    ("octahedral_factor", "μ", "dimensionless", "octahedral factor r_B/r_X (0 if not ABX3)", _I),
    ("octahedral_over_tolerance", "μ/t", "dimensionless", "μ/t (0 if not ABX3)", _I),
    ("cos_bxb", "cos_BXB", "dimensionless", "cosine of the B–X–B angle (0 if not ABX3)", _I),
    ("lattice_a", "a", "Å", "shortest lattice vector length", _E),
    ("lattice_b", "b", "Å", "middle lattice vector length", _E),
    ("lattice_c", "c", "Å", "longest lattice vector length", _E),
    ("cos_lattice_angle_1", "cos_γ1", "dimensionless", "smallest cosine of the cell angles", _E),
    ("cos_lattice_angle_2", "cos_γ2", "dimensionless", "middle cosine of the cell angles", _E),
    ("cos_lattice_angle_3", "cos_γ3", "dimensionless", "largest cosine of the cell angles", _E),
    ("cell_volume", "V_cell", "Å^3", "cell volume", _E),
    ("n_sites", "N_sites", "dimensionless", "number of sites in the cell", _E),
])

_COL = {name: PROPERTY_NAMES.index(name) for name in ("atomic_mass", "atomic_radius", "ionic_radius_common", "oxidation_state")}


def _neighbors(structure, shared=None):
    """(centres, neighbours, images, distances) within NEIGHBOR_RADIUS, doubled until every site
    has a neighbour; from ``shared`` (:class:`~sagatsr.graphs.neighbors.SharedNeighbors`) when given,
    so the graph builder and the features use one search."""
    radius = NEIGHBOR_RADIUS
    n = len(structure)
    while True:
        if shared is None:
            centers, points, images, dists = structure.get_neighbor_list(radius)
        else:
            found = shared.at(radius)
            centers, points, images, dists = found.centre, found.neighbour, found.image, found.dist
        if np.unique(centers).size == n or radius > 80:
            return centers, points, images, dists
        radius *= 2.0


def _abx3_roles(z: np.ndarray):
    """(the two cation elements, X-element array) when the stoichiometry is A:B:X = 1:1:3, else None.

    X = the anions (negative most-common oxidation state; mixed anions such as O2F allowed), or,
    when that does not fit, the element counted 3k among exactly three elements.
    """
    table = element_table()
    elements, counts = np.unique(z, return_counts=True)
    anion = table[elements, _COL["oxidation_state"]] < 0
    cations, cation_counts = elements[~anion], counts[~anion]
    if not (cations.size == 2 and cation_counts[0] == cation_counts[1]
            and counts[anion].sum() == 3 * cation_counts[0]):
        order = np.argsort(counts, kind="stable")
        c = counts[order]
        if not (elements.size == 3 and c[0] == c[1] and c[2] == 3 * c[0]):
            return None
        cations, anion = elements[order[:2]], elements == elements[order[2]]
    return cations, elements[anion]


def _perovskite(structure, z, centers, points, images, dists) -> tuple[float, ...]:
    """(is_perovskite, t, μ, μ/t, cos_bxb) — zeros when not ABX3 (see module docstring)."""
    roles = _abx3_roles(z)
    if roles is None:
        return (0.0,) * 5
    cations, x_elements = roles
    radii = element_table()[:, _COL["ionic_radius_common"]]
    x_sites = np.isin(z, x_elements)
    # B = the cation closer to its anions (the octahedral site), whatever the radii say
    to_x = x_sites[points]
    cation_x = [dists[to_x & (z[centers] == c)].min(initial=np.inf) for c in cations]
    b, a = (cations[0], cations[1]) if cation_x[0] <= cation_x[1] else (cations[1], cations[0])
    r_x = radii[z[x_sites]].mean()
    r_a, r_b = radii[a], radii[b]
    t = (r_a + r_x) / (np.sqrt(2.0) * (r_b + r_x))
    mu = r_b / r_x
    cart = structure.cart_coords
    matrix = structure.lattice.matrix
    cosines = []
    for site in np.flatnonzero(x_sites):
        sel = (centers == site) & (z[points] == b)
        if sel.sum() < 2:
            return (0.0,) * 5
        nearest = np.argsort(dists[sel], kind="stable")[:2]
        vec = cart[points[sel][nearest]] + images[sel][nearest] @ matrix - cart[site]
        cosines.append(vec[0] @ vec[1] / (np.linalg.norm(vec[0]) * np.linalg.norm(vec[1])))
    return 1.0, t, mu, mu / t, float(np.mean(cosines))


def structural_values(structure, z: np.ndarray, neighbors=None) -> np.ndarray:
    """Values of :data:`STRUCTURAL_FEATURES` for one ordered structure with atomic numbers ``z``;
    ``neighbors``: an optional :class:`~sagatsr.graphs.neighbors.SharedNeighbors` of the structure."""
    table = element_table()
    n = len(z)
    volume = structure.volume
    centers, points, images, dists = _neighbors(structure, neighbors)
    d_nn = np.full(n, np.inf)
    np.minimum.at(d_nn, centers, dists)
    cn = np.bincount(centers[dists < CN_TOLERANCE * d_nn[centers]], minlength=n).astype(float)
    lengths = np.sort(structure.lattice.abc)
    cos_angles = np.sort(np.cos(np.radians(structure.lattice.angles)))
    mass = table[z, _COL["atomic_mass"]].sum()
    r_at = table[z, _COL["atomic_radius"]]
    return np.array([
        mass / volume * _AMU_PER_A3_TO_G_PER_CM3,
        volume / n,
        (4.0 / 3.0) * np.pi * np.sum(r_at**3) / volume,
        float(np.unique(z).size),
        d_nn.mean(), d_nn.std(), d_nn.min(), d_nn.max(),
        cn.mean(), cn.std(), cn.min(), cn.max(),
        *_perovskite(structure, z, centers, points, images, dists),
        *lengths, *cos_angles, volume, float(n),
    ], dtype=np.float64)
