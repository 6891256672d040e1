"""Julia (SymbolicRegression.jl) and the embedded sisso engine, side by side in one run.

    nice -n 10 python benchmarks/sr_backends.py                 # the default subset (below)
    nice -n 10 python benchmarks/sr_backends.py --cold          # + a cold start (depot without caches)
    nice -n 10 python benchmarks/sr_backends.py --starts-only   # warm + cold starts only
    python benchmarks/sr_backends.py --planted all --feynman all   # every task (hours on 2 cores)
Writes benchmarks/results/sr_backends.json. Needs a Julia that can start (`sagatsr doctor`).

Tasks: the planted-formula tasks of ``sr_recovery.py`` (24; default: 4 of its ``QUICK`` ones, 500
rows, 1 % relative noise, 3-5 distractor features with random units) and the AI Feynman equations
of ``feynman_tasks.py`` (38; default: 4 of them, noise-free, 500 rows, 2 distractors with random
units). The default is a subset because the machine it was measured on had 2 shared cores.
Each task runs twice: **with units** (X_units and y_units given) and **without** (no units: no
dimensional analysis in either engine). Recovery is judged by ``sr_recovery.judge`` (the planted
terms span the formula on 2,000 fresh points and held-out R² ≥ 0.999) on each engine's ``best_``
and on any member of its front.

Per task and unit setting:
* sisso: ``SymbolicRegressor(backend="sisso", rung=2, max_terms=3)``; seconds, lowest front loss.
* julia, fixed budget: ``niterations`` (default 10), 8 populations of 30, maxsize 20, 2 threads
  (``:multithreading``); wall seconds of the whole fit (child process, Julia start included) and
  the seconds after the start (wall minus the median warm start measured first).
* time to the same loss: when the fixed-budget Julia run reached sisso's lowest loss, a second run
  with ``early_stop_loss`` = that loss (SymbolicRegression.jl stops as soon as a formula is below
  it) and the same budget as a cap; its seconds after the start are Julia's time to sisso's loss.
  When sisso's loss is not reached the time is reported as not reached within the budget.
Then ``:multithreading`` (2 threads) against ``:multiprocessing`` (2 workers) on the first
``--parallel-tasks`` (default 2) planted tasks with units, and start times: warm (juliacall +
``using SymbolicRegression`` in a fresh process, caches built; 3 runs), the fixed cost of one fit
(a one-iteration fit on 20 rows: child process, Julia start, compiling the search for the operator
set — every fit pays it) and, with ``--cold``, cold (a copy of the depot without its precompiled caches, so
every package precompiles again; the depot is deleted afterwards). Results are saved after every
task. Timings are wall-clock on whatever else the machine runs: the load average is recorded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from _model_bench import write_result
from feynman_tasks import TASKS as FEYNMAN_TASKS
from feynman_tasks import sample, with_distractors
from sr_recovery import N_TEST, N_TRAIN, NOISE, SISSO_OPERATORS, judge, make_data
from sr_recovery import TASKS as PLANTED_TASKS

#: default subsets (2-4 inputs; products, quotients, squares, a harmonic mean)
FEYNMAN_DEFAULT = ["I.12.1", "I.14.3", "I.34.8", "I.39.22"]
PLANTED_DEFAULT = ["coulomb", "bulk_modulus", "kinetic_energy", "reduced_mass"]
JULIA_SETTINGS = {"populations": 8, "population_size": 30, "ncycles_per_iteration": 300}


def planted_cases(which):
    for index, task in enumerate(PLANTED_TASKS):
        if which != "all" and task.name not in which:
            continue
        X, names, units, y_clean, expr, rng = make_data(task, index, N_TRAIN)
        y = y_clean * (1.0 + NOISE * rng.standard_normal(N_TRAIN))
        X_test, _, _, y_test, _, _ = make_data(task, index, N_TEST, seed_offset=1)
        yield {"suite": "planted", "task": task.name, "formula": task.formula, "X": X, "y": y,
               "names": names, "units": units, "y_unit": task.y_unit, "expr": expr,
               "X_test": X_test, "y_test": y_test}


def feynman_cases(which):
    for index, task in enumerate(FEYNMAN_TASKS):
        if which != "all" and task.id not in which:
            continue
        rng = np.random.default_rng(500 + index)
        X, y = sample(task, N_TRAIN, rng)
        X, names, units = with_distractors(task, X, rng)
        X_test, y_test = sample(task, N_TEST, np.random.default_rng(900 + index))
        X_test, _, _ = with_distractors(task, X_test, np.random.default_rng(901 + index))
        yield {"suite": "feynman", "task": task.id, "formula": task.formula, "X": X, "y": y,
               "names": names, "units": units, "y_unit": task.y_unit,
               "expr": task.expr(), "X_test": X_test, "y_test": y_test}


def operators_for(case) -> list[str]:
    """sr_recovery's set; Feynman tasks also get sin/cos/log when the catalog has them."""
    from sagatsr.sr.operators import OPERATORS

    extra = [] if case["suite"] == "planted" else ["sin", "cos", "log"]
    return SISSO_OPERATORS + [name for name in extra if name in OPERATORS]


def verdicts(model, case):
    best = judge(model.best_.sympy, case["expr"], case["X_test"], case["names"], case["y_test"])
    on_front = any(judge(eq.sympy, case["expr"], case["X_test"], case["names"], case["y_test"])["recovered"]
                   for eq in model.pareto_front_)
    return {"recovered": best["recovered"], "on_front": on_front, "r2_heldout": best["r2"],
            "best": model.best_.expression, "lowest_loss": min(eq.loss for eq in model.pareto_front_)}


def fit(case, backend, with_units, **settings):
    from sagatsr.sr import SymbolicRegressor

    model = SymbolicRegressor(backend=backend, operators=operators_for(case), **settings)
    units = {"X_units": case["units"], "y_units": case["y_unit"]} if with_units else {}
    start = time.perf_counter()
    model.fit(case["X"], case["y"], variable_names=case["names"], **units)
    return model, time.perf_counter() - start


def julia_fit(case, with_units, niterations, warm, **options):
    model, seconds = fit(case, "julia", with_units, niterations=niterations, maxsize=20,
                         julia_options={**JULIA_SETTINGS, "seed": 0, **options})
    return model, {"seconds": seconds, "search_seconds": max(seconds - warm, 0.0)}


def per_fit_overhead_seconds(case, warm) -> float:
    """Wall time of a one-iteration, one-population Julia fit on 20 rows: a fresh child process,
    Julia's start and the compilation of the search for this operator set (every fit pays it)."""
    small = {**case, "X": case["X"][:20], "y": case["y"][:20]}
    _, timing = julia_fit(small, True, 1, warm, populations=1, population_size=20, ncycles_per_iteration=10)
    return timing["seconds"]


def warm_start_seconds(repeats=3) -> list[float]:
    from sagatsr.sr.julia.probe import _PROBE, juliacall_environment

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True,
                       env=juliacall_environment(), timeout=1800)
        times.append(time.perf_counter() - start)
    return times


def cold_start_seconds() -> dict:
    """Julia's own first `using SymbolicRegression` and juliacall's first start (PythonCall), each
    in a fresh copy of the depot without its precompiled caches (``compiled/``), used as the only
    depot, so every package precompiles again, as on a first install. (A new empty depot merely put
    in front of the old one is not cold: Julia still finds the old depot's caches.)"""
    from sagatsr.sr.julia.probe import _PROBE, juliacall_environment

    out = {}
    for label, command in (("julia_using_SymbolicRegression", None), ("juliacall_and_using", _PROBE)):
        env = juliacall_environment()
        source = Path(env.get("JULIA_DEPOT_PATH", "").split(os.pathsep)[0] or Path.home() / ".julia")
        depot = Path(tempfile.mkdtemp(prefix="sagatsr-cold-depot-"))
        for part in source.iterdir():
            if part.name != "compiled":
                (shutil.copytree if part.is_dir() else shutil.copy2)(part, depot / part.name)
        env["JULIA_DEPOT_PATH"] = str(depot)
        exe = env.get("PYTHON_JULIACALL_EXE", "julia")
        argv = ([exe, "--startup-file=no", "-e", "using SymbolicRegression"] if command is None
                else [sys.executable, "-c", command])
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env, timeout=3600)
        out[label] = time.perf_counter() - start
        shutil.rmtree(depot, ignore_errors=True)
    return out


def run_case(case, with_units, niterations, warm) -> dict:
    sisso, sisso_seconds = fit(case, "sisso", with_units, rung=2, max_terms=3)
    row = {"sisso": {**verdicts(sisso, case), "seconds": sisso_seconds}}
    julia, timing = julia_fit(case, with_units, niterations, warm)
    row["julia"] = {**verdicts(julia, case), **timing}
    target = row["sisso"]["lowest_loss"] * (1 + 1e-9)
    if row["julia"]["lowest_loss"] <= target:
        _, early = julia_fit(case, with_units, niterations, warm, early_stop_loss=target)
        row["julia_to_sisso_loss_seconds"] = early["search_seconds"]
    else:
        row["julia_to_sisso_loss_seconds"] = None  # not reached within the budget
    return row


def parallelism_rows(cases, niterations, warm) -> list[dict]:
    rows = []
    for case in cases:
        row = {"task": case["task"]}
        for label, options in (("multithreading_2_threads", {"parallelism": "multithreading"}),
                               ("multiprocessing_2_workers", {"parallelism": "multiprocessing", "numprocs": 2})):
            model, timing = julia_fit(case, True, niterations, warm, **options)
            row[label] = {**timing, "lowest_loss": min(eq.loss for eq in model.pareto_front_),
                          "recovered": verdicts(model, case)["recovered"]}
        rows.append(row)
        print("parallelism", row, flush=True)
    return rows


def summarize(rows) -> dict:
    summary = {}
    for suite in sorted({r["suite"] for r in rows}):
        for units in (True, False):
            part = [r for r in rows if r["suite"] == suite and r["with_units"] == units]
            if not part:
                continue
            key = f"{suite}_{'units' if units else 'no_units'}"
            summary[key] = {"tasks": len(part)}
            for engine in ("sisso", "julia"):
                summary[key][engine] = {
                    "recovered": sum(r[engine]["recovered"] for r in part),
                    "on_front": sum(r[engine]["on_front"] for r in part),
                    "median_seconds": float(np.median([r[engine]["seconds"] for r in part]))}
            reached = [r["julia_to_sisso_loss_seconds"] for r in part if r["julia_to_sisso_loss_seconds"] is not None]
            summary[key]["julia_reached_sisso_loss"] = len(reached)
            summary[key]["julia_median_seconds_to_sisso_loss"] = float(np.median(reached)) if reached else None
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--planted", default=",".join(PLANTED_DEFAULT), help="comma-separated task names or 'all'")
    parser.add_argument("--feynman", default=",".join(FEYNMAN_DEFAULT), help="comma-separated ids or 'all'")
    parser.add_argument("--niterations", type=int, default=10)
    parser.add_argument("--cold", action="store_true", help="also measure a cold start (minutes)")
    parser.add_argument("--starts-only", action="store_true",
                        help="only the start times (warm and cold), to <name>_starts.json")
    parser.add_argument("--parallel-tasks", type=int, default=2, help="planted tasks in the parallelism comparison")
    parser.add_argument("--name", default="sr_backends")
    args = parser.parse_args()
    from sagatsr.sr.julia import julia_status

    status = julia_status()
    if not status.available:
        sys.exit(f"sr_backends needs the Julia backend: {status.reason}")
    warm_runs = warm_start_seconds()
    warm = statistics.median(warm_runs)
    print(f"warm start {warm_runs}", flush=True)
    if args.starts_only:
        cold = cold_start_seconds()
        write_result(f"{args.name}_starts", {"start": {"warm_seconds": warm_runs, "cold_seconds": cold,
                                                       "julia": status.version,
                                                       "symbolic_regression": status.symbolic_regression},
                                             "load_average_at_end": os.getloadavg()})
        return
    pick = (lambda text: text if text == "all" else text.split(","))
    cases = [*planted_cases(pick(args.planted)), *feynman_cases(pick(args.feynman))]
    starts = {"warm_seconds": warm_runs, "julia": status.version, "symbolic_regression": status.symbolic_regression,
              "per_fit_overhead_seconds": per_fit_overhead_seconds(cases[0], warm)}
    print("start", starts, flush=True)
    settings = {"n_train": N_TRAIN, "n_test": N_TEST, "planted_noise_relative": NOISE, "feynman_noise": 0.0,
                "niterations": args.niterations, "julia": {**JULIA_SETTINGS, "maxsize": 20, "seed": 0,
                                                           "threads": os.environ.get("PYTHON_JULIACALL_THREADS", "auto")},
                "sisso": {"rung": 2, "max_terms": 3}, "operators": "sr_recovery's set (+ sin, cos, log for Feynman)",
                "load_average_at_start": os.getloadavg()}
    rows, parallel = [], []

    def save():  # after every task, so an interrupted run keeps what it measured
        write_result(args.name, {"settings": settings, "start": starts, "summary": summarize(rows),
                                 "parallelism": parallel, "tasks": rows})
    for case in cases:
        for with_units in (True, False):
            row = {"suite": case["suite"], "task": case["task"], "formula": case["formula"],
                   "with_units": with_units, **run_case(case, with_units, args.niterations, warm)}
            rows.append(row)
            print(case["task"], "units" if with_units else "no units",
                  {k: (row[k]["recovered"], round(row[k]["seconds"], 1)) for k in ("sisso", "julia")},
                  "to sisso loss:", row["julia_to_sisso_loss_seconds"], flush=True)
            save()
    parallel.extend(parallelism_rows([c for c in cases if c["suite"] == "planted"][:args.parallel_tasks],
                                     args.niterations, warm))
    save()
    if args.cold:
        starts["cold_seconds"] = cold_start_seconds()
        print("cold start", starts["cold_seconds"], flush=True)
    settings["load_average_at_end"] = os.getloadavg()
    save()


if __name__ == "__main__":
    main()
