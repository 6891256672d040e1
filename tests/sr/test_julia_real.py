"""The Julia backend run for real from Python, as a user runs it: SymbolicRegressor → child process
→ juliacall → julia/SAGATSR.jl → SymbolicRegression.jl. Every test here is marked ``julia`` and
skips, with the probe's reason, where Julia cannot start. Searches are small (a few iterations on
a few rows) but real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy
from helpers import assert_constants_carry_the_units, requires_julia

from sagatsr.sr import SymbolicRegressor
from sagatsr.sr.constant_units import coefficients_with_units
from sagatsr.sr.julia import bridge, julia_status

RNG = np.random.default_rng(11)
X = RNG.uniform(1, 2, size=(40, 3))
SMALL = {"populations": 6, "population_size": 25, "ncycles_per_iteration": 100}


def _lowest_loss(sr) -> float:
    return min(eq.loss for eq in sr.pareto_front_)


def _spy_on_search(monkeypatch):
    """Record what the regressor hands to the real run_julia_search (which still runs)."""
    import sagatsr.sr.julia as julia_package

    calls, real = [], julia_package.run_julia_search

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(julia_package, "run_julia_search", spy)
    return calls


@requires_julia
def test_julia_backend_recovers_a_planted_formula_with_units(monkeypatch):
    y = 2 * X[:, 0] / X[:, 1] ** 2
    sr = SymbolicRegressor(backend="julia", niterations=20, maxsize=12,
                           julia_options={"deterministic": True, "seed": 0, **SMALL})
    sr.fit(X, y, X_units=["eV", "Å", "dimensionless"], y_units="eV/Å^2", variable_names=["E", "r", "q"])
    assert sr.backend_used_ == "julia" and sr.best_.backend == "julia"
    assert sr.best_.loss < 1e-8 and sr.best_.dimensionally_consistent is True
    assert set(sr.best_.inputs) == {"E", "r"}
    np.testing.assert_allclose(sr.predict(X), y, rtol=1e-5)
    # every constant of the tree gets the unit that keeps it consistent, in the inputs' units
    units = {"E": "eV", "r": "Å", "q": "dimensionless"}
    for eq in sr.pareto_front_:  # None: no constant, or a tree no units can make consistent
        records = coefficients_with_units(eq, units, "eV/Å^2")
        if records is not None:
            assert_constants_carry_the_units(eq.sympy, units, "eV/Å^2", records)
    assert (coefficients_with_units(sr.best_, units, "eV/Å^2") is not None) == bool(sr.best_.sympy.atoms(sympy.Float))


@requires_julia
def test_feature_units_without_y_unit_leave_the_output_unit_free(monkeypatch):
    calls = _spy_on_search(monkeypatch)
    y = X[:, 0] * X[:, 1]           # eV·Å: no y unit given, so any output unit is allowed
    sr = SymbolicRegressor(backend="julia", niterations=8, maxsize=7, julia_options={"seed": 2, **SMALL})
    sr.fit(X, y, X_units=["eV", "Å", "dimensionless"], variable_names=["E", "r", "q"])
    assert calls[-1]["X_units"] == ["eV", "Å", "dimensionless"] and calls[-1]["y_units"] is None
    exact = min(sr.pareto_front_, key=lambda eq: eq.loss)
    assert exact.loss < 1e-8 and exact.dimensionally_consistent is True
    assert any("internal unit consistency" in note for note in sr.notes_)


@requires_julia
def test_non_ascii_names_and_numpy_option_values_cross_to_julia_and_back():
    y = X[:, 0] * X[:, 1]
    options = {"seed": np.int64(3), "deterministic": np.bool_(True), "populations": np.int64(6),
               "population_size": 25, "ncycles_per_iteration": 100}
    sr = SymbolicRegressor(backend="julia", niterations=np.int64(8), maxsize=9, julia_options=options)
    sr.fit(X, y, variable_names=["χ_P", "r_Å", "q"])
    exact = min(sr.pareto_front_, key=lambda eq: eq.loss)
    assert exact.loss < 1e-8 and set(exact.inputs) == {"χ_P", "r_Å"}


@requires_julia
def test_multiprocessing_with_two_workers_from_python():
    y = np.abs(X[:, 0] - X[:, 1]) * 2
    sr = SymbolicRegressor(backend="julia", operators=["add", "mul", "absdiff"], niterations=6, maxsize=7,
                           julia_options={"parallelism": "multiprocessing", "numprocs": 2, "seed": 4, **SMALL})
    sr.fit(X, y, variable_names=["a", "b", "c"])
    exact = min(sr.pareto_front_, key=lambda eq: eq.loss)
    assert exact.loss < 1e-8 and "Abs" in exact.expression


@requires_julia
def test_auto_picks_julia_and_no_units_means_no_dimensional_analysis(monkeypatch):
    calls = _spy_on_search(monkeypatch)
    y = X[:, 0] * X[:, 2]
    sr = SymbolicRegressor(backend="auto", niterations=6, maxsize=7,
                           julia_options={"seed": 5, "deterministic": True, **SMALL})
    sr.fit(X, y)
    assert sr.backend_used_ == "julia" and not any("unavailable" in n for n in sr.notes_)
    assert calls[-1]["X_units"] is None and calls[-1]["y_units"] is None
    assert _lowest_loss(sr) < 1e-8


@requires_julia
def test_a_start_timeout_too_short_makes_julia_unavailable_with_the_reason(monkeypatch):
    monkeypatch.setenv("SAGATSR_JULIA_TIMEOUT", "0.2")
    status = julia_status()
    assert not status.available and "did not start within 0.2 s" in status.summary
    assert "SAGATSR_JULIA_TIMEOUT" in status.reason


@requires_julia
def test_the_search_timeout_keeps_the_formulas_found_so_far(tmp_path):
    # SymbolicRegression.jl stops itself after timeout_in_seconds and returns its front
    y = X[:, 0] * X[:, 1] + X[:, 2]
    rows = bridge.run_julia_search(X, y, variable_names=["a", "b", "c"], run_dir=tmp_path,
                                   options={"niterations": 100000, "timeout_in_seconds": 3, **SMALL})
    assert rows and all(np.isfinite(r["loss"]) for r in rows)
    spec = json.loads((tmp_path / "inputs.json").read_text())
    assert spec["X_units"] is None and spec["y_units"] is None


@requires_julia
def test_doctor_says_julia_is_available_and_how_long_it_took_to_start():
    sagatsr = Path(sys.executable).with_name("sagatsr")   # the console script of this environment
    done = subprocess.run([str(sagatsr), "doctor", "--julia-timeout", "600"],
                          capture_output=True, text=True, timeout=900, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert "julia backend available" in done.stdout and "SymbolicRegression.jl 1.13" in done.stdout
    start_line = [line for line in done.stdout.splitlines() if line.startswith("julia start")]
    assert start_line and float(start_line[0].split()[2]) > 0
