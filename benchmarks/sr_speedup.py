"""The paper's "23× faster SR" claim, measured: SR on [E_p + top-k features] against SR on all
crystal features, as the time to reach the same held-out RMSE.

    python benchmarks/sr_speedup.py --run RUN_DIR          # a finished `sagatsr run`/`demo` directory
    python benchmarks/sr_speedup.py --quick                # makes a short demo run first

Protocol: fit rows and test rows are those of the run (E_p out-of-fold on fit rows, from the main
model on test rows). (a) the embedded SISSO engine on [E_p + top-k]; its test RMSE is the bar.
(b) the same engine on every varying crystal feature (≥180), with budgets of growing size
(``BUDGETS``: sisso rung 1 then 2 with 1..3 terms; SymbolicRegression.jl 5..80 iterations); the
time to reach the bar is the cumulative time of the budgets run until one reaches it. If none does,
the ratio is a lower bound. The Julia backend is measured the same way when it can start;
otherwise the JSON says why not.
Writes benchmarks/results/sr_speedup.json (or ``--name``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


#: growing search budgets on all features, per backend: the time to reach the bar is the cumulative
#: time of the budgets run until one reaches it
BUDGETS = {
    "sisso": [{"rung": rung, "max_terms": terms, "n_sis": 20, "max_candidates": 20000}
              for rung in (1, 2) for terms in (1, 2, 3)],
    "julia": [{"niterations": n, "maxsize": 20} for n in (5, 10, 20, 40, 80)],
}
#: the budget for SR on [E_p + top-k]
SMALL = {"sisso": {"max_terms": 3, "rung": 1}, "julia": {"niterations": 10, "maxsize": 20}}


def _fit(backend, X, y, units, y_unit, names, **kwargs):
    from sagatsr.sr import SymbolicRegressor

    start = time.perf_counter()
    sr = SymbolicRegressor(backend=backend, **kwargs).fit(X, y, X_units=units, y_units=y_unit, variable_names=names)
    return sr, time.perf_counter() - start


def _rmse(sr, X, y) -> float:
    return float(np.sqrt(np.mean((sr.predict(X) - y) ** 2)))


def measure(run: Path, top_k: int, backend: str = "sisso") -> dict:
    from sagatsr.pipeline.config import RunConfig
    from sagatsr.pipeline.formulas import E_P_NAME
    from sagatsr.pipeline.run import RunContext

    ctx = RunContext(RunConfig.from_dict({**json.loads((run / "config.json").read_text()), "out": run}))
    import pandas as pd

    table = pd.read_csv(run / "sr_inputs.csv")
    feats = ctx.features.sel(material=table["id"].astype(str).to_numpy())
    test = (table["split"] == "test").to_numpy()
    y = table["target"].to_numpy(float)
    y_unit = json.loads((run / "dataset.json").read_text())["target_unit"]
    varying = [n for n in feats.data_vars if np.ptp(feats[n].values[~test]) > 0]
    ranking = pd.read_csv(run / "importance.csv").sort_values("rank")
    top = [n for n in ranking["feature"] if n in varying][:top_k]

    def matrix(names):
        return np.column_stack([feats[n].values.astype(float) for n in names]), [feats[n].attrs["units"] for n in names]

    X_top, u_top = matrix(top)
    X_a = np.column_stack([table["e_p_sr"].to_numpy(float), X_top])
    names_a, units_a = [E_P_NAME, *top], [y_unit, *u_top]
    sr_a, t_a = _fit(backend, X_a[~test], y[~test], units_a, y_unit, names_a, **SMALL[backend])
    bar = _rmse(sr_a, X_a[test], y[test])

    X_all, u_all = matrix(varying)
    budgets, elapsed, reached = [], 0.0, None
    for budget in BUDGETS[backend]:
        sr_b, t_b = _fit(backend, X_all[~test], y[~test], u_all, y_unit, varying, **budget)
        elapsed += t_b
        rmse = _rmse(sr_b, X_all[test], y[test])
        budgets.append({**budget, "seconds": t_b, "test_rmse": rmse, "best": sr_b.best_.expression})
        if reached is None and rmse <= bar:
            reached = elapsed
    return {
        "n_fit_rows": int((~test).sum()), "n_test_rows": int(test.sum()), "n_all_features": len(varying),
        "top_k": top, "target_unit": y_unit,
        "gnn_plus_topk": {"seconds": t_a, "test_rmse": bar, "best": sr_a.best_.expression},
        "all_features_budgets": budgets,
        "all_features_seconds_to_reach_bar": reached,
        "speedup": (reached / t_a) if reached else None,
        "speedup_lower_bound": None if reached else elapsed / t_a,
        "best_all_features_test_rmse": min(b["test_rmse"] for b in budgets),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, help="a finished run directory")
    parser.add_argument("--quick", action="store_true", help="make a short demo run when --run is not given")
    parser.add_argument("--top-k", type=int, default=6)
    parser.add_argument("--name", default="sr_speedup", help="result file name (benchmarks/results/NAME.json)")
    args = parser.parse_args()
    run = args.run
    if run is None:
        from sagatsr.pipeline import demo_config, run_pipeline

        if args.quick:
            os.environ["SAGATSR_SHORT"] = "1"
        run = RESULTS / "sr_speedup_demo_run"
        run_pipeline(demo_config(run))
    from sagatsr.sr.julia import julia_status

    status = julia_status()
    result = {
        "command": " ".join(["python", *sys.argv]), "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "run": str(run), "sisso": measure(run, args.top_k, "sisso"),
        "julia": measure(run, args.top_k, "julia") if status.available
        else {"measured": False, "reason": status.summary or status.reason},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result["sisso"], indent=2))


if __name__ == "__main__":
    main()
