"""Reusable property checkers (the e3nn ``assert_equivariant`` idea): one checker per property,
called by the tests of every module that must have it.

Each section belongs to one part of the package; add checkers to your own section only.
"""

from __future__ import annotations

import numpy as np

# --- units -------------------------------------------------------------------------------------


def assert_unit_algebra(unit_a: str, unit_b: str, power: int) -> None:
    """Dimension vectors respect products, quotients and powers, and both map to DynamicQuantities."""
    from sagatsr.units import dimension_vector, to_dynamicquantities

    va, vb = dimension_vector(unit_a), dimension_vector(unit_b)
    np.testing.assert_allclose(dimension_vector(f"({unit_a})*({unit_b})"), va + vb)
    np.testing.assert_allclose(dimension_vector(f"({unit_a})/({unit_b})"), va - vb)
    np.testing.assert_allclose(dimension_vector(f"({unit_a})**{power}"), power * va)
    for unit in (unit_a, unit_b, f"({unit_a})*({unit_b})"):
        text = to_dynamicquantities(unit)
        assert isinstance(text, str) and text, unit


def assert_units_propagate(formulas, target_unit: str, variable_units: dict[str, str]) -> None:
    """Every formula is in the target's unit, and each coefficient's unit (in the inputs' own units)
    times its descriptor's unit is exactly the target's unit (scale included).

    ``formulas``: ``formulas.json`` records or :class:`~sagatsr.sr.equation.Equation` objects;
    coefficients are annotated here when they are not yet (an Equation)."""
    from sagatsr.sr.coefficient_units import expression_unit
    from sagatsr.sr.constant_units import coefficients_with_units
    from sagatsr.sr.parse import parse_expression
    from sagatsr.units import parse_unit, ureg

    target = parse_unit(target_unit)
    for formula in formulas:
        record = formula if isinstance(formula, dict) else {
            **formula.to_dict(), "coefficients": coefficients_with_units(formula, variable_units, target_unit)}
        assert parse_unit(record["units"]) == target, (record["expression"], record["units"], target_unit)
        coefficients = record.get("coefficients") or []
        if any("term_user_unit" in coef for coef in coefficients):  # constants of a free tree (Julia)
            expr = parse_expression(record["expression"], list(variable_units))
            assert_constants_carry_the_units(expr, variable_units, target_unit, coefficients)
            continue
        for coef in coefficients:
            descriptor = ureg.Quantity(1.0, coef["descriptor_user_unit"])
            if coef["descriptor"] != "1":  # the descriptor's unit follows from its own expression
                walked = expression_unit(parse_expression(coef["descriptor"], list(variable_units)), variable_units)
                np.testing.assert_allclose(ureg.Quantity(1.0, walked).to(descriptor.units).magnitude, 1.0)
            # a model of a transformed target (an outer function) is linear in t = y², 1/y, 1/y², ln y
            power = {None: 1, "square": 2, "inverse": -1, "inverse_square": -2, "log": 0}[coef.get("outer")]
            if power == 0 and coef["descriptor"] == "1" and not target.dimensionless:
                assert coef["user_unit"] == f"log({target_unit})" and not coef["pure_number"], coef
                continue
            t_unit = target**power
            product = ureg.Quantity(1.0, coef["user_unit"]) * descriptor  # the value needs no conversion
            assert product.dimensionality == (1.0 * t_unit).dimensionality, (coef, target_unit)
            np.testing.assert_allclose(product.to(t_unit).magnitude, 1.0, rtol=1e-9,
                                       err_msg=f"{coef} x descriptor is not ({target_unit})^{power}")
            worth = ureg.Quantity(1.0, coef["user_unit"]).to_reduced_units()
            assert coef["pure_number"] == bool(worth.dimensionless and abs(worth.to("").magnitude - 1) < 1e-12)


# --- features ----------------------------------------------------------------------------------
def assert_intensive_invariant(space, structure, scaling, rtol=1e-7, atol=1e-7):
    """Every crystal feature documented as intensive is unchanged when ``structure`` is replaced
    by the supercell ``structure * scaling``; returns the names checked."""
    import numpy as np

    both = space.crystal_matrix([structure, structure * scaling], ids=["cell", "supercell"])
    names = [f.name for f in space.crystal_features if f.intensive]
    cols = [i for i, f in enumerate(space.crystal_features) if f.intensive]
    np.testing.assert_allclose(both[1, cols], both[0, cols], rtol=rtol, atol=atol,
                               err_msg=f"intensive features changed under supercell {scaling}")
    return names


def random_supercell_matrix(seed, max_entry=1, max_det=4):
    """A random integer 3×3 supercell matrix with 1 ≤ det ≤ ``max_det`` (non-diagonal in general):
    the identity plus random off-diagonal shears and diagonal stretches, redrawn until valid."""
    rng = np.random.default_rng(seed)
    while True:
        matrix = np.eye(3, dtype=int) + rng.integers(-max_entry, max_entry + 1, size=(3, 3))
        det = round(np.linalg.det(matrix))
        if 1 <= det <= max_det:
            return matrix


def demo_structures(limit=None):
    """The ASE dcdft elemental crystals as pymatgen structures with their ids (wheel data only)."""
    from pathlib import Path

    import ase
    from ase.db import connect
    from pymatgen.io.ase import AseAtomsAdaptor

    db = connect(Path(ase.__file__).parent / "collections" / "dcdft.json")
    rows = list(db.select())[:limit]
    return [AseAtomsAdaptor.get_structure(r.toatoms()) for r in rows], [r.formula for r in rows]



# --- graphs ------------------------------------------------------------------------------------


def neighbor_distance_multiset(graph) -> dict:
    """Per node: (atomic number, sorted neighbour distances rounded to 1e-5 Å)."""
    dist = graph.edge_dist.numpy()
    centre = graph.edge_index[1].numpy()
    z = graph.z.numpy()
    return [(int(z[i]), tuple(np.round(np.sort(dist[centre == i]), 5))) for i in range(graph.num_nodes)]


def assert_same_graph_up_to_relabelling(graph_a, graph_b, node_map=None) -> None:
    """Graphs describe the same crystal: node i of ``graph_a`` has the neighbour distances of node
    ``node_map[i]`` of ``graph_b`` (any matching when ``node_map`` is None), and the same features."""
    a, b = neighbor_distance_multiset(graph_a), neighbor_distance_multiset(graph_b)
    if node_map is None:
        assert sorted(a) == sorted(b)
    else:
        for i, j in enumerate(node_map):
            assert a[i] == b[j], f"node {i} -> {j}: {a[i]} != {b[j]}"
            np.testing.assert_allclose(graph_a.x[i].numpy(), graph_b.x[j].numpy(), rtol=1e-6)
    np.testing.assert_allclose(graph_a.u.numpy(), graph_b.u.numpy(), rtol=1e-5, atol=1e-6)


# --- model -------------------------------------------------------------------------------------
def synthetic_graph(n_atoms=5, n_site=6, n_crystal=10, n_gaussian=8, seed=0, material_id=None, y=None):
    """A random graph with exactly the fields of ``CrystalGraphBuilder`` (raw features of very
    different scales, ≤4 incoming edges per centre, shell ranks by distance)."""
    import torch
    from torch_geometric.data import Data

    g = torch.Generator().manual_seed(seed)
    scales = torch.logspace(-2, 3, n_site)
    x = torch.rand(n_atoms, n_site, generator=g) * scales
    u = (torch.rand(1, n_crystal, generator=g) * torch.logspace(-3, 4, n_crystal))
    sources, targets = [], []
    for centre in range(n_atoms):
        for neighbour in torch.randperm(n_atoms, generator=g)[: min(4, n_atoms)].tolist():
            sources.append(neighbour)
            targets.append(centre)
    edge_index = torch.tensor([sources, targets], dtype=torch.long)
    dist = 1.5 + 3 * torch.rand(edge_index.size(1), generator=g)
    rank = torch.zeros_like(edge_index[1])
    for centre in range(n_atoms):
        mask = edge_index[1] == centre
        rank[mask] = torch.argsort(torch.argsort(dist[mask]))
    centres = torch.linspace(0, 12, n_gaussian)
    edge_attr = torch.exp(-((dist[:, None] - centres) ** 2) / 0.5)
    target = float(x.mean() + u[0, 0]) if y is None else y
    return Data(x=x.float(), z=torch.randint(1, 90, (n_atoms,), generator=g), u=u.float(),
                edge_index=edge_index, edge_dist=dist.float(), edge_attr=edge_attr.float(), edge_rank=rank,
                edge_image=torch.zeros(edge_index.size(1), 3, dtype=torch.long),
                y=torch.tensor([target], dtype=torch.float32), material_id=material_id or f"syn-{seed}")


def synthetic_graphs(count, seed=0, **kwargs):
    """``count`` synthetic graphs of 2–7 atoms."""
    return [synthetic_graph(n_atoms=2 + (seed + k) % 6, seed=seed + k, **kwargs) for k in range(count)]


def permute_nodes(data, permutation):
    """The same graph with node ``i`` renamed ``permutation[i]`` (edges relabelled accordingly)."""
    import torch

    inverse = torch.empty_like(permutation)
    inverse[permutation] = torch.arange(len(permutation))
    out = data.clone()
    out.x, out.z = data.x[inverse], data.z[inverse]
    out.edge_index = permutation[data.edge_index]
    return out


def assert_importance_simplex(ics, atol=1e-5):
    """Importance coefficients: finite, non-negative, each row sums to 1."""
    import torch

    ics = torch.as_tensor(ics)
    assert torch.isfinite(ics).all()
    assert (ics >= 0).all()
    torch.testing.assert_close(ics.sum(-1), torch.ones(ics.shape[:-1], dtype=ics.dtype), atol=atol, rtol=0)


_DEMO_GRAPHS = {}


def demo_graphs(limit=12):
    """Graphs of the first ``limit`` demo materials (ASE dcdft, bulk modulus in GPa), built once."""
    if limit not in _DEMO_GRAPHS:
        from sagatsr.data import load_dataset
        from sagatsr.graphs import CrystalGraphBuilder

        data = load_dataset("demo", limit=limit)
        _DEMO_GRAPHS[limit] = CrystalGraphBuilder().build_many(data.structures, data.targets, data.ids,
                                                               progress=False)
    return _DEMO_GRAPHS[limit]


def one_torch_thread():
    """Context manager: run torch on one thread (small graphs on a shared 2-core machine are much
    faster without thread hand-offs), restoring the previous setting afterwards."""
    from contextlib import contextmanager

    import torch

    @contextmanager
    def scope():
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(previous)

    return scope()


def small_model(graph, seed=0, **kwargs):
    """A small SAGAT sized for ``graph``'s feature widths, with weights drawn from ``seed`` (the
    global torch RNG is left as it was), so a property test sees the same model on every run."""
    import torch

    from sagatsr.model import SAGAT

    options = dict(hidden=16, edge_hidden=8, layers=2, heads=2, site_bins=20, crystal_bins=20, dropout=0.0)
    options.update(kwargs)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return SAGAT(graph.x.size(1), graph.u.size(1), graph.edge_attr.size(1), **options)


# --- julia -------------------------------------------------------------------------------------


def requires_julia(test):
    """Mark ``test`` as needing the Julia backend (marker ``julia``) and skip it, with the probe's
    reason, where Julia + SymbolicRegression.jl cannot start (probed once per process)."""
    import pytest

    from sagatsr.sr.julia import julia_status

    status = julia_status()
    skip = pytest.mark.skipif(not status.available,
                              reason=f"Julia backend unavailable: {status.summary or status.reason[:160]}")
    return pytest.mark.julia(skip(test))


# --- screening (feature selection, yardstick, IC diagnostics) ----------------------------------
def planted_law(seed, n_rows=120, n_features=12, noise=0.01):
    """``(X, y, names, planted column)``: ``y = 1 + 2·x_planted + noise`` among positive distractors;
    the planted column is random, so no selection rule can know it in advance."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 5.0, size=(n_rows, n_features))
    planted = int(rng.integers(n_features))
    y = 1.0 + 2.0 * X[:, planted] + noise * rng.normal(size=n_rows)
    return X, y, [f"x{k}" for k in range(n_features)], planted


def assert_selection_finds(select, X, y, names, planted):
    """``select(X, y, names, ic_order)`` must offer the planted feature even when the ICs rank it
    last, and every offered name must be a real column."""
    ic_order = [n for n in names if n != names[planted]] + [names[planted]]
    chosen = select(X, y, names, ic_order)
    assert names[planted] in chosen, (names[planted], chosen)
    assert set(chosen) <= set(names)
    return chosen


# The symbolic-regression and bond-angle checkers and the tiny training set-up live in their own
# files (size); same names here.
from helpers_geometry import *  # noqa: E402,F401,F403
from helpers_sr import *  # noqa: E402,F401,F403
from helpers_training import *  # noqa: E402,F401,F403
