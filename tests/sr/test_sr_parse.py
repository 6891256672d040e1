"""The restricted formula parser: SR.jl printing, our printing, and malicious text."""

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sagatsr.errors import InputError, SagatsrError
from sagatsr.sr.operators import OPERATORS
from sagatsr.sr.parse import parse_expression

NAMES = ["x0", "E_p", "r_A"]
SYMS = {n: sympy.Symbol(n, real=True) for n in NAMES}


def _values(expr, points):
    fn = sympy.lambdify([SYMS[n] for n in NAMES], expr, "numpy")
    return np.asarray(fn(*points.T), dtype=float)


@pytest.mark.parametrize("text, expected", [
    ("(x0 * -1.5e-3) + E_p", -0.0015 * SYMS["x0"] + SYMS["E_p"]),
    ("safe_sqrt(x0) / square(r_A)", sympy.sqrt(SYMS["x0"]) / SYMS["r_A"] ** 2),
    ("safe_pow(x0, 2.0) - neg(E_p)", SYMS["x0"] ** 2.0 + SYMS["E_p"]),
    ("absdiff(x0, r_A) * 2", 2 * sympy.Abs(SYMS["x0"] - SYMS["r_A"])),
    ("x0 ^ 2 ^ 0.5", SYMS["x0"] ** (2 ** 0.5)),
    ("-x0^2", -SYMS["x0"] ** 2),
    ("logistic(x0 - E_p)", 1 / (1 + sympy.exp(-(SYMS["x0"] - SYMS["E_p"])))),
    ("harmonic(x0, r_A) + inv(E_p) + cube(x0) + safe_log(r_A) + exp(x0)",
     SYMS["x0"] * SYMS["r_A"] / (SYMS["x0"] + SYMS["r_A"]) + 1 / SYMS["E_p"] + SYMS["x0"] ** 3
     + sympy.log(SYMS["r_A"]) + sympy.exp(SYMS["x0"])),
])
def test_parses_symbolicregression_jl_printing(text, expected):
    got = parse_expression(text, NAMES)
    points = np.random.default_rng(0).uniform(0.5, 2.0, (20, 3))
    np.testing.assert_allclose(_values(got, points), _values(expected, points), rtol=1e-12)


@pytest.mark.parametrize("text", [
    "__import__('os').system('x')", "x0.__class__", "eval(x0)", "os.system(x0)", "x0; x0",
    "foo(x0)", "unknown_var + 1", "sqrt(x0, E_p)", "(x0 + 1", "x0 +",
    "", "lambda: 1", "x0[0]",
])
def test_rejects_bad_or_malicious_text(text):
    with pytest.raises(InputError):
        parse_expression(text, NAMES)


def test_error_is_a_sagatsr_error_and_names_the_culprit():
    with pytest.raises(SagatsrError, match="unknown function 'foo'"):
        parse_expression("foo(x0)", NAMES)


_unary = [op for op in OPERATORS.values() if op.arity == 1]
_binary = [op for op in OPERATORS.values() if op.arity == 2]


@st.composite
def trees(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            return SYMS[draw(st.sampled_from(NAMES))]
        return sympy.Float(draw(st.floats(0.1, 10.0)))
    if draw(st.booleans()):
        return draw(st.sampled_from(_unary)).sympy_fn(draw(trees(depth=depth - 1)))
    op = draw(st.sampled_from(_binary))
    return op.sympy_fn(draw(trees(depth=depth - 1)), draw(trees(depth=depth - 1)))


@settings(max_examples=40)
@given(trees())
def test_round_trip_of_our_printing(expr):
    # sympy folds degenerate trees, such as inv(absdiff(x, x)) or sqrt(-1.4), to zoo, nan or I;
    # no engine emits those (non-finite candidates are dropped)
    assume(not expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I))
    parsed = parse_expression(str(expr), NAMES)
    points = np.random.default_rng(1).uniform(0.3, 3.0, (15, 3))
    with np.errstate(all="ignore"):
        want = np.broadcast_to(_values(expr, points), (15,))
        got = np.broadcast_to(_values(parsed, points), (15,))
    np.testing.assert_allclose(got, want, rtol=1e-9, equal_nan=True)
