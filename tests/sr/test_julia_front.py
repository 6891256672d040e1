"""Our reading of SymbolicRegression.jl's output and our inputs to it, without Julia.

Where Julia's output is needed, rows written by hand in SymbolicRegression.jl's printing format
stand in (FAKE output: they test our parser, not Julia); tests/sr/test_julia_real.py runs the real
thing."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

from sagatsr.errors import BackendError
from sagatsr.sr.backends.julia import front_from_rows
from sagatsr.sr.julia import bridge, prepare_inputs
from sagatsr.sr.parse import parse_expression

NAMES = ["χ_P", "r_Å", "q"]


def _row(expression, complexity, loss=0.1):
    return {"expression": expression, "complexity": complexity, "loss": loss, "dimensionally_consistent": True}


def test_non_ascii_identifiers_parse_as_variables():
    expr = parse_expression("(χ_P * 2.0) / square(r_Å)", NAMES)
    chi, r = sympy.Symbol("χ_P", real=True), sympy.Symbol("r_Å", real=True)
    assert sympy.simplify(expr - 2 * chi / r**2) == 0


@pytest.mark.parametrize(("text", "value"), [("q * Inf", sympy.oo), ("NaN + q", sympy.nan), ("-Inf", -sympy.oo)])
def test_julia_non_finite_constants_parse(text, value):
    expr = parse_expression(text, NAMES)
    q = sympy.Symbol("q", real=True)
    assert expr.subs(q, 2) == value or (value is sympy.nan and expr.subs(q, 2) is sympy.nan)


def test_one_unreadable_member_does_not_lose_the_front(monkeypatch):
    """FAKE front rows in SymbolicRegression.jl's printing: one uses an operator we do not know."""
    rows = [_row("q", 1, 0.9), _row("mystery_op(q)", 2, 0.5), _row("(χ_P * 2.0) / square(r_Å)", 5, 1e-12)]
    front, skipped = front_from_rows(rows, NAMES, "eV")
    assert [eq.complexity for eq in front] == [1, 5]
    assert len(skipped) == 1 and "mystery_op" in skipped[0] and "complexity 2" in skipped[0]
    # a front with nothing readable is an error that says why
    import sagatsr.sr.julia as julia_package
    from sagatsr.sr.backends import SearchProblem, get_backend

    monkeypatch.setattr(julia_package, "run_julia_search", lambda *a, **k: [_row("mystery_op(q)", 2)])
    problem = SearchProblem(X=np.ones((5, 3)), y=np.ones(5), variable_names=NAMES, X_units=None,
                            y_units=None, operators=["add"], maxsize=5)
    settings = type("Settings", (), {"niterations": 1, "julia_options": {}})()
    with pytest.raises(BackendError, match="no formula of the Julia search could be read.*mystery_op"):
        get_backend("julia").fit(problem, settings)


def test_numpy_option_values_are_written_as_plain_json(tmp_path):
    X = np.arange(12.0).reshape(4, 3)
    prepare_inputs(tmp_path, X, X[:, 0], variable_names=NAMES, X_units=None, y_units=None,
                   options={"niterations": np.int64(7), "parsimony": np.float32(0.5),
                            "deterministic": np.bool_(True), "maxsize": np.array(9)})
    options = json.loads((tmp_path / "inputs.json").read_text())["options"]
    assert options == {"niterations": 7, "parsimony": 0.5, "deterministic": True, "maxsize": 9}
    with pytest.raises(BackendError, match="cannot be sent to Julia"):
        prepare_inputs(tmp_path, X, X[:, 0], variable_names=NAMES, X_units=None, y_units=None,
                       options={"bad": object()})


def test_the_bridge_has_a_default_timeout_from_the_start_and_search_bounds(monkeypatch):
    monkeypatch.setenv("SAGATSR_JULIA_TIMEOUT", "100")
    monkeypatch.delenv("SAGATSR_JULIA_SEARCH_TIMEOUT", raising=False)
    assert bridge.search_timeout({}) == 100 + bridge.DEFAULT_SEARCH_TIMEOUT + 60
    assert bridge.search_timeout({"timeout_in_seconds": 30}) == 100 + 30 + 60
    monkeypatch.setenv("SAGATSR_JULIA_SEARCH_TIMEOUT", "200")
    assert bridge.search_timeout({}) == 100 + 200 + 60


@pytest.mark.parametrize("bad", ["0", "-5", "soon"])
def test_a_bad_start_timeout_is_one_clear_error(monkeypatch, bad):
    from sagatsr.errors import InputError
    from sagatsr.sr.julia.probe import start_timeout

    monkeypatch.setenv("SAGATSR_JULIA_TIMEOUT", bad)
    with pytest.raises(InputError, match="SAGATSR_JULIA_TIMEOUT"):
        start_timeout()
