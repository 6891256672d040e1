"""Seconds per sisso fit vs features × rows (synthetic unit-carrying data, planted y).

    python benchmarks/sr_engine.py --quick
Writes benchmarks/results/sr_engine.json. (Planted-formula recovery sweep and gplearn comparison:
not written yet.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

from sagatsr.sr import SymbolicRegressor

UNITS = ["eV", "angstrom", "GPa", "amu", "K", "dimensionless"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", default=None, help="unused: synthetic data")
    args = parser.parse_args()
    grid = [(5, 100), (20, 1000)] if args.quick else [(f, n) for f in (5, 20, 180) for n in (100, 1000, 10000)]
    rows = []
    for n_features, n_rows in grid:
        rng = np.random.default_rng(0)
        X = rng.uniform(0.5, 3.0, (n_rows, n_features))
        units = [UNITS[i % len(UNITS)] for i in range(n_features)]
        y = 3 * X[:, 0] / X[:, 1] ** 2 - 1.2 * X[:, min(5, n_features - 1)] + 0.01 * rng.standard_normal(n_rows)
        start = time.perf_counter()
        model = SymbolicRegressor(backend="sisso", max_terms=3, rung=2).fit(X, y, X_units=units)
        rows.append({"features": n_features, "rows": n_rows, "seconds": time.perf_counter() - start,
                     "best": model.best_.expression})
        print(rows[-1], flush=True)
    out = Path(__file__).parent / "results" / "sr_engine.json"
    out.write_text(json.dumps({"command": " ".join(sys.argv), "machine": platform.platform(),
                               "python": platform.python_version(),
                               "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                               "fits": rows}, indent=2))


if __name__ == "__main__":
    main()
