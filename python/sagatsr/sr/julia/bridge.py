"""Run a SymbolicRegression.jl search from Python: the search runs in a child process
(``worker.py``) that imports juliacall first and never imports torch, so it is safe to call from a
process that trained a model. Inputs and results cross as files in a run directory, which also
keeps SymbolicRegression.jl's ``hall_of_fame.csv``: a search that crashes or times out still gives
the formulas found so far.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from sagatsr.errors import BackendError
from sagatsr.sr.julia.hall_of_fame import find_hall_of_fame
from sagatsr.sr.julia.paths import julia_module_file
from sagatsr.sr.julia.probe import juliacall_environment, julia_status, start_timeout
from sagatsr.units import to_dynamicquantities

log = logging.getLogger("sagatsr.sr.julia")

__all__ = ["run_julia_search", "prepare_inputs", "search_timeout", "DEFAULT_SEARCH_TIMEOUT"]

#: seconds a search may run when neither ``timeout`` nor ``timeout_in_seconds`` bounds it
DEFAULT_SEARCH_TIMEOUT = 3600.0


def _plain(value):
    """JSON for numpy scalars and arrays in user options (``np.int64(40)`` iterations and the like)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"option value {value!r} of type {type(value).__name__} cannot be sent to Julia")


def search_timeout(options: dict) -> float:
    """The child process's bound (s): Julia's start (:func:`start_timeout`) plus the search's own
    ``timeout_in_seconds`` (SymbolicRegression.jl stops itself then) or ``SAGATSR_JULIA_SEARCH_TIMEOUT``
    (default :data:`DEFAULT_SEARCH_TIMEOUT`) — plus a minute to write the front."""
    search = options.get("timeout_in_seconds")
    if search is None:
        search = float(os.environ.get("SAGATSR_JULIA_SEARCH_TIMEOUT") or DEFAULT_SEARCH_TIMEOUT)
    return start_timeout() + float(search) + 60.0


def prepare_inputs(run_dir: Path, X, y, *, variable_names, X_units, y_units, options: dict) -> None:
    """Write what the worker reads. X stays rows × features here; the worker transposes it."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[1] != len(variable_names):
        raise BackendError(f"X of shape {X.shape} does not match {y.shape[0]} targets and "
                           f"{len(variable_names)} variable names")
    np.savez(run_dir / "inputs.npz", X=X, y=y)
    spec = {
        "module": str(julia_module_file()),
        "variable_names": list(variable_names),
        "X_units": None if X_units is None else [to_dynamicquantities(u) for u in X_units],
        "y_units": None if y_units is None else to_dynamicquantities(y_units),
        "options": options,
    }
    try:
        text = json.dumps(spec, indent=2, default=_plain)
    except TypeError as exc:
        raise BackendError(str(exc)) from None
    (run_dir / "inputs.json").write_text(text)


def run_julia_search(X, y, *, variable_names, X_units=None, y_units=None, options=None, run_dir=None,
                     timeout: float | None = None) -> list[dict]:
    """The Pareto front (list of ``expression, complexity, loss, dimensionally_consistent``).

    Raises :class:`BackendError` with instructions when Julia cannot start (checked first, within
    :func:`start_timeout`). ``timeout`` (s) bounds the whole child process (default
    :func:`search_timeout`); on a crash or timeout the hall of fame written so far is returned (with
    a warning) when there is one.
    """
    status = julia_status()
    if not status.available:
        raise BackendError(f"the Julia backend cannot run: {status.reason}")
    options = dict(options or {})
    run_dir = Path(run_dir) if run_dir is not None else Path(tempfile.mkdtemp(prefix="sagatsr-julia-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    prepare_inputs(run_dir, X, y, variable_names=variable_names, X_units=X_units, y_units=y_units, options=options)
    worker = Path(__file__).with_name("worker.py")
    env = juliacall_environment()
    timeout = search_timeout(options) if timeout is None else timeout
    try:
        done = subprocess.run([sys.executable, str(worker), str(run_dir)], capture_output=True, text=True,
                              timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        failure = None if done.returncode == 0 else _failure(done.stderr)
    except subprocess.TimeoutExpired:
        failure = f"the search exceeded {timeout} s"
    if failure is None and (run_dir / "front.json").exists():
        return json.loads((run_dir / "front.json").read_text())
    partial = find_hall_of_fame(run_dir / "sr_outputs")
    if partial:
        log.warning("Julia search stopped early (%s); using the %d formulas saved so far", failure, len(partial))
        return partial
    raise BackendError(f"the Julia search failed: {failure} (inputs kept in {run_dir})")


def _failure(stderr: str) -> str:
    """The line of a dead child's stderr that says what went wrong: the Python exception line
    (juliacall prints Julia's error there), else the last line."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(("juliacall.JuliaError", "ERROR:")) or line.split(":")[0].endswith(("Error", "Exception")):
            return line
    return lines[-1] if lines else "no output"
