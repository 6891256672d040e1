"""Reusable checkers for the symbolic-regression tests (re-exported by ``helpers``)."""

from __future__ import annotations

import numpy as np


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
    and each reported coefficient unit equals [t]/[d_k], where t = T(y) is y itself or, for a model
    with an outer function (``±T⁻¹(c0 + Σ c_k d_k)``, entries marked ``outer``), y², 1/y, 1/y² or
    log y (dimensionless)."""
    import sympy

    from sagatsr.units import dimension_vector

    powers = {"square": 2.0, "inverse": -1.0, "inverse_square": -2.0, "log": 0.0}
    outer = {e.get("outer") for e in equation.coefficients or []} - {None}
    assert len(outer) <= 1, equation.coefficients
    power = powers[outer.pop()] if outer else 1.0
    body = equation.sympy
    if power != 1.0:  # the linear model inside the outer function
        core = body.as_coeff_Mul()[1]
        if isinstance(core, sympy.exp) and core.args[0].is_Add:
            body = core.args[0]
        elif core.is_Pow and core.base.is_Add:
            body = core.base
        else:  # SymPy folded it (exp(c·log b) -> b**c): the whole formula is one term
            body = core
    for term in sympy.Add.make_args(body):
        coeff, descriptor = term.as_coeff_Mul()
        assert sr_descriptor_dimension(descriptor, units_by_symbol) is not None, (term, equation)
    t_dim = power * dimension_vector(y_unit)
    for entry in equation.coefficients or []:
        if entry["descriptor"] == "1":
            assert np.allclose(dimension_vector(entry["units"]), t_dim)
            continue
        descriptor_dim = dimension_vector(entry["descriptor_units"])
        np.testing.assert_allclose(dimension_vector(entry["units"]) + descriptor_dim, t_dim, atol=1e-9)


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


def assert_structure_on_front(model, X, truth, names):
    """Some formula of the Pareto front has the planted structure: equal to ``truth`` for some
    constants (:func:`sagatsr.sr.structure.matches_up_to_constants`), whatever noise did to them."""
    import sympy

    from sagatsr.sr.structure import matches_up_to_constants

    symbols = [sympy.Symbol(n, real=True) for n in names]
    assert any(matches_up_to_constants(eq.sympy, symbols, X, truth) for eq in model.pareto_front_), \
        [eq.expression for eq in model.pareto_front_]


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


def assert_constants_carry_the_units(expr, units, y_unit, records):
    """Every constant of ``expr`` carries its record's unit (sagatsr.sr.constant_units): with each
    constant replaced by a symbol of that unit the formula has y's unit, scale included (the values
    need no conversion), and nothing inside a function has a unit."""
    from sagatsr.sr.coefficient_units import expression_unit
    from sagatsr.units import parse_unit, ureg

    import sympy

    floats = sorted(expr.atoms(sympy.Float), key=float)
    by_value = {}
    for record in records:
        by_value.setdefault(record["value"], set()).add(record["user_unit"])
    assert len(by_value) == len(floats), (expr, records)

    def units_of(value):  # the record of that value (a formula read back from text: to ~15 digits)
        nearest = min(by_value, key=lambda v: abs(v - value))
        assert abs(nearest - value) <= 1e-9 * max(abs(value), 1e-300), (value, sorted(by_value))
        return by_value[nearest]

    swap, with_units = {}, dict(units)
    for k, f in enumerate(floats):
        (unit,) = units_of(float(f))  # a constant has one unit
        symbol = sympy.Symbol(f"_const{k}", real=True)
        swap[f], with_units[symbol.name] = symbol, unit
    unit = expression_unit(expr.xreplace(swap), with_units)  # UnitError if inconsistent
    assert unit.dimensionality == parse_unit(y_unit).dimensionality, (expr, unit, y_unit, records)
    np.testing.assert_allclose(ureg.Quantity(1.0, unit).to(parse_unit(y_unit)).magnitude, 1.0, rtol=1e-12)
    for record in records:
        text = record["user_unit"]
        assert record["pure_number"] == (text == "dimensionless"), record
