"""The operator catalog: names, NaN safety, numpy/sympy agreement and unit rules."""

import warnings

import numpy as np
import pytest
import sympy

from sagatsr.sr.operators import OPERATORS
from sagatsr.units import dimension_vector

EXPECTED = {"add": "+", "sub": "-", "mul": "*", "div": "/", "absdiff": "absdiff",
            "harmonic": "harmonic", "inv": "inv", "square": "square", "cube": "cube", "sqrt": "sqrt",
            "cbrt": "cbrt", "abs": "abs", "exp": "exp", "log": "log", "sin": "sin", "cos": "cos",
            "logistic": "logistic"}


def test_catalog_names_match_the_contract():
    assert {name: op.julia_name for name, op in OPERATORS.items()} == EXPECTED


@pytest.mark.parametrize("op", OPERATORS.values(), ids=lambda o: o.name)
def test_numpy_is_nan_safe_and_agrees_with_sympy(op):
    grid = np.linspace(-100, 100, 41)
    args = np.meshgrid(grid, grid) if op.arity == 2 else [grid]
    args = [a.ravel() for a in args]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = op.numpy_fn(*args)
    assert out.shape == args[0].shape and not np.any(np.isinf(out))
    syms = sympy.symbols(f"a0:{op.arity}", real=True)
    ref = sympy.lambdify(syms, op.sympy_fn(*syms), "numpy")
    finite = np.isfinite(out)
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(np.asarray(ref(*(a[finite] for a in args)), dtype=complex),
                                   out[finite].shape)
    np.testing.assert_allclose(out[finite], expected.real, rtol=1e-9, atol=1e-12)


def test_unit_rules():
    ev, ang, one = dimension_vector("eV"), dimension_vector("angstrom"), dimension_vector("dimensionless")
    assert OPERATORS["add"].unit_rule(ev, dimension_vector("J")) is not None
    assert OPERATORS["add"].unit_rule(ev, ang) is None
    assert OPERATORS["absdiff"].unit_rule(ev, ang) is None
    assert OPERATORS["harmonic"].unit_rule(ang, ang) is not None
    np.testing.assert_allclose(OPERATORS["div"].unit_rule(ev, ang), ev - ang)
    np.testing.assert_allclose(OPERATORS["sqrt"].unit_rule(ev), ev / 2)
    np.testing.assert_allclose(OPERATORS["cube"].unit_rule(ang), 3 * ang)
    for name in ("exp", "log", "logistic"):
        assert OPERATORS[name].unit_rule(ev) is None
        np.testing.assert_allclose(OPERATORS[name].unit_rule(one), one)
