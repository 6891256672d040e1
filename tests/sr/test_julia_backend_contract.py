"""The backend contract: a registry of backends behind one interface, both returning Equations.

These tests need no Julia: they check the registry and the dispatch of SymbolicRegressor.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from sagatsr.errors import InputError
from sagatsr.sr import SymbolicRegressor
from sagatsr.sr import backends
from sagatsr.sr.backends import Backend, BackendFit, BackendStatus, get_backend
from sagatsr.sr.equation import Equation

RNG = np.random.default_rng(3)
X = RNG.uniform(1, 2, size=(25, 2))
Y = 3 * X[:, 0] + X[:, 1]


class RecordingBackend(Backend):
    """A test backend (registered below as 'recording'): returns y ≈ first feature, remembers the problem."""

    name = "recording"
    seen = []

    def fit(self, problem, settings):
        RecordingBackend.seen.append(problem)
        symbol = sympy.Symbol(problem.variable_names[0], real=True)
        eq = Equation(expression=str(symbol), sympy=symbol, complexity=1, loss=0.5,
                      units=problem.y_units or "dimensionless", backend=self.name,
                      inputs=[problem.variable_names[0]])
        return BackendFit([eq], notes=["recorded"])


class UnavailableBackend(RecordingBackend):
    name = "unavailable"

    def status(self):
        return BackendStatus(False, "never here", "never here")


@pytest.fixture
def extra_backends(monkeypatch):
    monkeypatch.setitem(backends._REGISTRY, "recording", f"{__name__}:RecordingBackend")
    monkeypatch.setitem(backends._REGISTRY, "unavailable", f"{__name__}:UnavailableBackend")
    RecordingBackend.seen.clear()


def test_registry_lists_the_two_engines_and_builds_them():
    assert {"julia", "sisso"} <= set(backends.backend_names())
    assert all(isinstance(get_backend(name), Backend) for name in ("julia", "sisso"))
    with pytest.raises(InputError, match="unknown backend"):
        get_backend("nope")


def test_a_registered_backend_is_dispatched_to_with_the_problem(extra_backends, monkeypatch):
    sr = SymbolicRegressor(backend="recording").fit(X, Y, X_units=["eV", "Å"], y_units="eV",
                                                    variable_names=["E", "r"])
    problem = RecordingBackend.seen[-1]
    assert problem.variable_names == ["E", "r"] and problem.X.shape == (25, 2)
    assert problem.X_units == ["eV", "Å"] and problem.y_units == "eV" and problem.has_units
    assert sr.backend_used_ == "recording" and sr.best_.backend == "recording"
    assert "recorded" in sr.notes_


def test_no_units_reach_a_backend_as_none(extra_backends, monkeypatch):
    SymbolicRegressor(backend="recording").fit(X, Y)
    problem = RecordingBackend.seen[-1]
    assert problem.X_units is None and problem.y_units is None and not problem.has_units


def test_auto_takes_the_first_available_backend_and_says_why(extra_backends, monkeypatch):
    monkeypatch.setattr(backends, "AUTO_ORDER", ("unavailable", "recording"))
    monkeypatch.setattr("sagatsr.sr.regressor.AUTO_ORDER", ("unavailable", "recording"))
    sr = SymbolicRegressor(backend="auto").fit(X, Y)
    assert sr.backend_used_ == "recording"
    assert any("unavailable unavailable (never here)" in note for note in sr.notes_)


def test_both_engines_return_equations_of_the_same_kind():
    fit = get_backend("sisso").fit(
        backends.SearchProblem(X=X, y=Y, variable_names=["a", "b"], X_units=None, y_units=None,
                               operators=["add", "mul"], maxsize=10),
        SymbolicRegressor(backend="sisso", max_terms=2))
    assert fit.front and all(isinstance(eq, Equation) and eq.backend == "sisso" for eq in fit.front)
    from sagatsr.sr.backends.julia import front_from_rows

    front, skipped = front_from_rows([{"expression": "(a * 3.0) + b", "complexity": 5, "loss": 0.0,
                                       "dimensionally_consistent": True}], ["a", "b"], "eV")
    assert not skipped and isinstance(front[0], Equation) and front[0].backend == "julia"
    np.testing.assert_allclose(front[0].evaluate(X, ["a", "b"]), Y)
