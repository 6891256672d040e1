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
    from sagatsr.sr.coefficient_units import annotate_coefficients, expression_unit
    from sagatsr.sr.parse import parse_expression
    from sagatsr.units import parse_unit, ureg

    target = parse_unit(target_unit)
    for formula in formulas:
        record = formula if isinstance(formula, dict) else {
            **formula.to_dict(), "coefficients": annotate_coefficients(formula, variable_units, target_unit)}
        assert parse_unit(record["units"]) == target, (record["expression"], record["units"], target_unit)
        for coef in record.get("coefficients") or []:
            descriptor = ureg.Quantity(1.0, coef["descriptor_user_unit"])
            if coef["descriptor"] != "1":  # the descriptor's unit follows from its own expression
                walked = expression_unit(parse_expression(coef["descriptor"], list(variable_units)), variable_units)
                np.testing.assert_allclose(ureg.Quantity(1.0, walked).to(descriptor.units).magnitude, 1.0)
            product = ureg.Quantity(1.0, coef["user_unit"]) * descriptor  # the value needs no conversion
            assert product.dimensionality == target.dimensionality, (coef, target_unit)
            np.testing.assert_allclose(product.to(target).magnitude, 1.0, rtol=1e-9,
                                       err_msg=f"{coef} x descriptor is not {target_unit}")
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


# --- symbolic regression -----------------------------------------------------------------------
def sr_descriptor_dimension(expr, units_by_symbol):
    """Dimension vector of a SymPy tree, recomputed independently of the sisso engine; ``None``
    when a unit rule is broken (+/− of different units, exp/log/non-integer-free power of a
    dimensional argument). ``units_by_symbol`` maps symbol name -> pint unit string."""
    import sympy

    from sagatsr.units import dimension_vector

    def dim(node):
        if node.is_Symbol:
            return dimension_vector(units_by_symbol[node.name])
        if node.is_Number:
            return "free"  # a bare constant takes the unit its context needs
        args = [dim(a) for a in node.args]
        if any(a is None for a in args):
            return None
        if node.is_Mul:
            return sum((a for a in args if not isinstance(a, str)), np.zeros(7))
        if node.is_Add:
            fixed = [a for a in args if not isinstance(a, str)]
            if not fixed:
                return "free"
            return fixed[0] if all(np.allclose(a, fixed[0]) for a in fixed) else None
        if node.is_Pow:
            base, exponent = args
            if isinstance(exponent, str) and node.args[1].is_Number:
                return "free" if isinstance(base, str) else float(node.args[1]) * base
            return None
        if isinstance(node, (sympy.Abs, sympy.sign)):
            return args[0] if isinstance(node, sympy.Abs) else np.zeros(7)
        if isinstance(node, (sympy.exp, sympy.log, sympy.sin, sympy.cos)):
            return np.zeros(7) if isinstance(args[0], str) or np.allclose(args[0], 0) else None
        raise AssertionError(f"unexpected node {node.func} in {expr}")

    return dim(expr)


def assert_sr_units_consistent(equation, units_by_symbol, y_unit):
    """Every term of a linear model ``c0 + Σ c_k d_k`` has a descriptor built under the unit rules,
    and each reported coefficient unit equals [y]/[d_k]."""
    import sympy

    from sagatsr.units import dimension_vector

    for term in sympy.Add.make_args(equation.sympy):
        coeff, descriptor = term.as_coeff_Mul()
        assert sr_descriptor_dimension(descriptor, units_by_symbol) is not None, (term, equation)
    for entry in equation.coefficients or []:
        if entry["descriptor"] == "1":
            assert np.allclose(dimension_vector(entry["units"]), dimension_vector(y_unit))
            continue
        descriptor_dim = dimension_vector(entry["descriptor_units"])
        np.testing.assert_allclose(dimension_vector(entry["units"]) + descriptor_dim,
                                   dimension_vector(y_unit), atol=1e-9)


def sr_structure(expr):
    """A formula with every float replaced by one placeholder: equal structures up to constants."""
    import sympy

    placeholder = sympy.Symbol("CONST")
    return sympy.srepr(expr.xreplace({f: placeholder for f in expr.atoms(sympy.Float)}))


def assert_unit_scale_invariant(fit, X, y, names, units, y_unit, column, scaled_unit, factor):
    """Rescaling input ``column`` by ``factor`` and giving the matching unit (kg -> mg: ×1e6)
    leaves the chosen formula's structure and inputs unchanged, and its predictions on the
    rescaled data equal the original ones. ``fit(X, y, names, units, y_unit)`` returns a fitted
    SymbolicRegressor."""
    base = fit(X, y, names, units, y_unit)
    X2 = np.array(X, float)
    X2[:, column] *= factor
    units2 = list(units)
    units2[column] = scaled_unit
    other = fit(X2, y, names, units2, y_unit)
    assert set(base.best_.inputs) == set(other.best_.inputs), (base.best_.expression, other.best_.expression)
    assert base.best_.complexity == other.best_.complexity, (base.best_.expression, other.best_.expression)
    np.testing.assert_allclose(other.predict(X2), base.predict(X), rtol=1e-6,
                               atol=1e-9 * float(np.max(np.abs(y))))


def assert_column_permutation_invariant(fit, X, y, names, units, y_unit, permutation):
    """Permuting the columns (with their names and units) changes nothing but the order."""
    base = fit(X, y, names, units, y_unit)
    p = list(permutation)
    other = fit(X[:, p], y, [names[i] for i in p], [units[i] for i in p], y_unit)
    assert base.best_.complexity == other.best_.complexity
    assert set(base.best_.inputs) == set(other.best_.inputs)
    np.testing.assert_allclose(other.predict(X[:, p]), base.predict(X), rtol=1e-8,
                               atol=1e-10 * float(np.max(np.abs(y))))


def assert_planted_on_front(model, X, truth, rtol=1e-6):
    """Some formula of the Pareto front reproduces the noise-free planted values ``truth``."""
    errors = [np.sqrt(np.mean((model.predict(X, eq) - truth) ** 2)) / np.sqrt(np.mean(truth**2))
              for eq in model.pareto_front_]
    assert min(errors) <= rtol, [eq.expression for eq in model.pareto_front_]


def assert_loader_round_trip(model, X):
    """``from_json(to_json(model))`` has the same formulas, predictions and unit verdicts."""
    from sagatsr.sr import SymbolicRegressor

    loaded = SymbolicRegressor.from_json(model.to_json())
    assert [e.expression for e in loaded.pareto_front_] == [e.expression for e in model.pareto_front_]
    for a, b in zip(loaded.pareto_front_, model.pareto_front_):
        assert (a.dimensionally_consistent, a.pure_number_coefficients) == (
            b.dimensionally_consistent, b.pure_number_coefficients), a.expression
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-9)
    return loaded


def assert_loader_refuses(text, match):
    """Loading ``text`` is one InputError line matching ``match`` (no hang, no other exception)."""
    import pytest

    from sagatsr.errors import InputError
    from sagatsr.sr import SymbolicRegressor

    with pytest.raises(InputError, match=match) as info:
        SymbolicRegressor.from_json(text)
    assert "\n" not in str(info.value)



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


# --- bond angles and multi-edge layers (ACCURACY) ----------------------------------------------
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
