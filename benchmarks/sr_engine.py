"""Seconds and peak memory per sisso fit vs features × rows (synthetic unit-carrying data, planted y).

    python benchmarks/sr_engine.py            # features 5/20/180 × rows 100/1,000/10,000
    python benchmarks/sr_engine.py --quick    # 5 × 100 and 20 × 1,000
Writes benchmarks/results/sr_engine.json (sr_engine_quick.json with --quick).

Data: features uniform in [0.5, 3] with units cycling through eV, Å, GPa, amu, K, dimensionless;
y = 3·x0/x1² − 1.2·x5 (x4 with 5 features) + 0.01·N(0, 1). Fit: ``rung=2, max_terms=3``, default
operators and ``max_candidates=20000``. Each fit runs in its own forked process so that its peak
resident memory (``peak_rss_mb``, including the ~0.1 GB of imports) is its own. ``recovered``: the
descriptors of ``best_`` are exactly the planted ``x0/x1²`` and ``x5`` (each up to a constant factor);
``on_front``: some Pareto-front member has exactly them. The recovery sweep over 24 planted physics
formulas, and the comparison with gplearn, is ``benchmarks/sr_recovery.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import sympy
from _model_bench import write_result

UNITS = ["eV", "angstrom", "GPa", "amu", "K", "dimensionless"]


def _terms(expr):
    return [t.as_coeff_Mul()[1] for t in sympy.Add.make_args(sympy.expand(expr)) if not t.is_number]


def _same_terms(expr, planted) -> bool:
    found = _terms(expr)
    return len(found) == len(planted) and all(
        any(sympy.simplify(p / f).is_number for f in found) for p in planted)


def _fit(n_features, n_rows, queue):
    from sagatsr.sr import SymbolicRegressor

    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 3.0, (n_rows, n_features))
    units = [UNITS[i % len(UNITS)] for i in range(n_features)]
    k = min(5, n_features - 1)
    y = 3 * X[:, 0] / X[:, 1] ** 2 - 1.2 * X[:, k] + 0.01 * rng.standard_normal(n_rows)
    start = time.perf_counter()
    model = SymbolicRegressor(backend="sisso", max_terms=3, rung=2).fit(X, y, X_units=units)
    seconds = time.perf_counter() - start
    x = [sympy.Symbol(f"x{i}", real=True) for i in range(n_features)]
    planted = [x[0] / x[1] ** 2, x[k]]
    queue.put({"features": n_features, "rows": n_rows, "seconds": seconds,
               "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "recovered": _same_terms(model.best_.sympy, planted),
               "on_front": any(_same_terms(eq.sympy, planted) for eq in model.pareto_front_),
               "best": model.best_.expression, "planted": "3*x0/x1**2 - 1.2*x%d" % k})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", default=None, help="unused: synthetic data")
    args = parser.parse_args()
    grid = [(5, 100), (20, 1000)] if args.quick else [(f, n) for f in (5, 20, 180) for n in (100, 1000, 10000)]
    ctx = mp.get_context("fork")
    rows = []
    for n_features, n_rows in grid:
        queue = ctx.Queue()
        proc = ctx.Process(target=_fit, args=(n_features, n_rows, queue))
        proc.start()
        rows.append(queue.get())
        proc.join()
        print(rows[-1], flush=True)
    write_result("sr_engine_quick" if args.quick else "sr_engine",
                 {"settings": {"rung": 2, "max_terms": 3, "max_candidates": 20000}, "fits": rows,
                  "recovered": sum(r["recovered"] for r in rows), "fits_total": len(rows)})


if __name__ == "__main__":
    main()
