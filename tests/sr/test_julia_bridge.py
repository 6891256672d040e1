"""Python side of the Julia backend. None of these tests exercise Julia, except the last one, which
runs only where Julia + SymbolicRegression.jl can start. Where Julia is needed, a FAKE stands in to
test our own conversions (array layout, units, options) and our parsing of SymbolicRegression.jl's
output formats."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from sagatsr.errors import BackendError
from sagatsr.sr import SymbolicRegressor
from sagatsr.sr.julia import bridge, julia_status, prepare_inputs, read_hall_of_fame
from sagatsr.sr.julia.probe import JuliaStatus

RNG = np.random.default_rng(0)
X = RNG.uniform(1, 2, size=(30, 3))
Y = 2 * X[:, 0] / X[:, 1] ** 2
NAMES, UNITS = ["E", "r", "q"], ["eV", "Å", "dimensionless"]

needs_no_julia = pytest.mark.skipif(julia_status().available, reason="Julia is available here")


@needs_no_julia
def test_julia_backend_fails_fast_with_instructions():
    with pytest.raises(BackendError) as info:
        SymbolicRegressor(backend="julia").fit(X, Y, X_units=UNITS, y_units="eV/Å^2", variable_names=NAMES)
    message = str(info.value)
    assert "Julia" in message and "PYTHON_JULIAPKG_OFFLINE" in message and "PYTHON_JULIACALL_EXE" in message


@needs_no_julia
def test_auto_falls_back_to_sisso_and_says_so():
    sr = SymbolicRegressor(backend="auto", max_terms=1).fit(X, Y, X_units=UNITS, y_units="eV/Å^2",
                                                           variable_names=NAMES)
    assert sr.backend_used_ == "sisso" and sr.best_.backend == "sisso"
    assert any("julia unavailable" in note for note in sr.notes_)


def _load_worker():
    path = Path(bridge.__file__).with_name("worker.py")
    spec = importlib.util.spec_from_file_location("sagatsr_julia_worker_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_worker_passes_features_by_rows_units_and_options(tmp_path, monkeypatch):
    """A FAKE juliacall records what the worker hands to SAGATSR.run_search."""
    calls = {}

    class FakeSAGATSR:
        @staticmethod
        def run_search(Xj, yj, **kwargs):
            calls.update(X=np.array(Xj), y=np.array(yj), **kwargs)
            return [types.SimpleNamespace(expression="(E * 2.0) / square(r)", complexity=5, loss=1e-12,
                                          dimensionally_consistent=True)]

    fake_main = types.SimpleNamespace(seval=lambda code: calls.setdefault("seval", code), SAGATSR=FakeSAGATSR)
    monkeypatch.setitem(sys.modules, "juliacall", types.SimpleNamespace(Main=fake_main))
    prepare_inputs(tmp_path, X, Y, variable_names=NAMES, X_units=UNITS, y_units="eV/Å^2",
                   options={"binary_operators": ["+", "*"], "maxsize": 12})
    _load_worker().main(tmp_path)
    assert calls["X"].shape == (3, 30)  # features × rows
    np.testing.assert_allclose(calls["X"], X.T)
    assert calls["X_units"] == ["m^2*kg*s^-2", "m", "1"]  # plain SI dimensions
    assert calls["y_units"] == "kg*s^-2"
    assert calls["binary_operators"] == ["+", "*"] and calls["maxsize"] == 12
    assert calls["seval"].startswith("include(") and "SAGATSR.jl" in calls["seval"]
    front = json.loads((tmp_path / "front.json").read_text())
    assert front == [{"expression": "(E * 2.0) / square(r)", "complexity": 5, "loss": 1e-12,
                      "dimensionally_consistent": True}]


def _fake_hall_of_fame(path: Path) -> None:
    """A FAKE file in the format SymbolicRegression.jl v1.13 writes (SearchUtils.jl save_to_file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('Complexity,Loss,Equation\n1,0.93,"E"\n5,2.1e-3,"(E * 1.98) / square(r)"\n'
                    '8,1.0e-9,"absdiff(E * 2.0, q) / (r * r)"\n')


def test_hall_of_fame_rows_parse_into_formulas(tmp_path):
    _fake_hall_of_fame(tmp_path / "hall_of_fame.csv")
    rows = read_hall_of_fame(tmp_path / "hall_of_fame.csv")
    assert [r["complexity"] for r in rows] == [1, 5, 8] and rows[1]["loss"] == 2.1e-3
    from sagatsr.sr.parse import parse_expression

    expr = parse_expression(rows[1]["expression"], NAMES)
    assert {s.name for s in expr.free_symbols} == {"E", "r"}
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(BackendError, match="not a SymbolicRegression.jl hall of fame"):
        read_hall_of_fame(tmp_path / "bad.csv")


def test_a_crashed_search_returns_the_hall_of_fame_saved_so_far(tmp_path, monkeypatch):
    """FAKE child process: it saves a hall of fame, then dies."""
    monkeypatch.setattr(bridge, "julia_status", lambda: JuliaStatus(True, "fake", "1.10.0"))

    def dying_child(cmd, **kwargs):
        _fake_hall_of_fame(Path(cmd[-1]) / "sr_outputs" / "search" / "hall_of_fame.csv")
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: killed\n")

    monkeypatch.setattr(bridge.subprocess, "run", dying_child)
    rows = bridge.run_julia_search(X, Y, variable_names=NAMES, X_units=UNITS, y_units="eV/Å^2",
                                   run_dir=tmp_path)
    assert len(rows) == 3 and rows[-1]["dimensionally_consistent"] is None

    monkeypatch.setattr(bridge.subprocess, "run",
                        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, "", "ERROR: boom\n"))
    with pytest.raises(BackendError, match="boom"):
        bridge.run_julia_search(X, Y, variable_names=NAMES, run_dir=tmp_path / "other")


def test_salvaged_formulas_get_unit_verdicts_from_their_formula(monkeypatch):
    """FAKE search result: two hall-of-fame rows salvaged after a crash (no dimensional verdict)."""
    import sagatsr.sr.julia as julia_package

    rows = [{"expression": "E", "complexity": 1, "loss": 0.5, "dimensionally_consistent": None},
            {"expression": "(E * 2.0) / square(r)", "complexity": 5, "loss": 1e-12, "dimensionally_consistent": None}]
    monkeypatch.setattr(julia_package, "run_julia_search", lambda *a, **k: rows)
    sr = SymbolicRegressor(backend="julia").fit(X, Y, X_units=UNITS, y_units="eV/Å^2", variable_names=NAMES)
    # the verdicts are recomputed in Python from the formula and the units (E alone is not eV/Å²)
    assert [eq.dimensionally_consistent for eq in sr.pareto_front_] == [False, True]
    again = SymbolicRegressor.from_json(sr.to_json())
    assert again.best_.dimensionally_consistent is True
    np.testing.assert_allclose(again.predict(X), Y)


@pytest.mark.julia
@pytest.mark.skipif(not julia_status().available, reason=f"Julia backend unavailable: {julia_status().reason[:120]}")
def test_real_julia_search_recovers_a_planted_formula(tmp_path):
    """Runs SymbolicRegression.jl for real (only where Julia can start)."""
    sr = SymbolicRegressor(backend="julia", niterations=20, maxsize=12,
                           julia_options={"deterministic": True, "seed": 0})
    sr.fit(X, Y, X_units=UNITS, y_units="eV/Å^2", variable_names=NAMES)
    assert sr.backend_used_ == "julia" and sr.best_.loss < 1e-6
