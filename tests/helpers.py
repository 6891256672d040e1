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

# --- model -------------------------------------------------------------------------------------

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
        if isinstance(node, (sympy.exp, sympy.log)):
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

