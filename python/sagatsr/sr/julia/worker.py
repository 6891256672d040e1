"""Child process of the Julia backend: ``python worker.py RUN_DIR``.

Run as a plain script (not ``-m``) so that nothing — no package ``__init__``, no torch — is imported
before juliacall: importing juliacall after torch can segfault. It reads ``inputs.npz`` (X as
rows × features, y) and ``inputs.json`` (names, DynamicQuantities unit strings, options, path of
the Julia module), includes the module into ``Main`` (as ``Main.SAGATSR``), runs
``SAGATSR.run_search`` and writes ``front.json``.
"""

import os

os.environ.setdefault("PYTHON_JULIACALL_HANDLE_SIGNALS", "yes")
os.environ.setdefault("PYTHON_JULIACALL_THREADS", "auto")

import juliacall  # noqa: E402  (first, before anything heavy)

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def _pairs(value):
    """A dict as a tuple of ``(key, value)`` tuples, lists inside it as tuples.

    juliacall hands a dict to Julia as a ``PyDict`` of Python objects (and a list inside it as a
    ``PyList``), which Julia's ``Int`` cannot convert; tuples arrive as Julia tuples of Julia
    strings and numbers, which ``SAGATSR.run_search`` reads as operator-keyed options.
    """
    if isinstance(value, dict):
        return tuple((str(k), _pairs(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_pairs(v) for v in value)
    return value


def main(run_dir: Path) -> None:
    spec = json.loads((run_dir / "inputs.json").read_text())
    arrays = np.load(run_dir / "inputs.npz")
    jl = juliacall.Main
    jl.seval(f"include({json.dumps(spec['module'])})".replace("$", "\\$"))
    # SymbolicRegression.jl wants features × rows
    X = np.ascontiguousarray(arrays["X"].T, dtype=np.float64)
    options = {key: _pairs(value) if isinstance(value, dict) else value for key, value in spec["options"].items()}
    front = jl.SAGATSR.run_search(
        X, arrays["y"].astype(np.float64), variable_names=spec["variable_names"], X_units=spec["X_units"],
        y_units=spec["y_units"], output_directory=str(run_dir / "sr_outputs"), run_id="search", **options,
    )
    rows = [{"expression": str(m.expression), "complexity": int(m.complexity), "loss": float(m.loss),
             "dimensionally_consistent": bool(m.dimensionally_consistent)} for m in front]
    (run_dir / "front.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
