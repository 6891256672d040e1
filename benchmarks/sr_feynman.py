"""AI Feynman recovery: the sisso engine (each units mode) beside gplearn, SRBench protocol.

    nice -n 10 python benchmarks/sr_feynman.py --methods sisso_fit sisso_strict gplearn
    python benchmarks/sr_feynman.py --quick          # 8 tasks, sisso_fit only
Writes benchmarks/results/sr_feynman[_quick].json (one entry per task × noise × method, and a
summary per method × noise).

Data (benchmarks/feynman_tasks.py, 38 equations with 1–5 inputs and SI units): 500 fit rows and
2,000 held-out rows drawn uniformly from the published ranges (seed = task index), two distractor
columns uniform in [1, 5] with random SI units, SRBench target noise 0 % and 1 %
(``y + N(0, (level·RMS(y))²)``, fit rows only).

Methods. ``sisso_fit`` / ``sisso_strict``: ``SymbolicRegressor(backend="sisso", units=...)`` with
all other settings at their defaults (rung 3, 3 terms, + − × ÷ inv square sqrt exp log sin cos), X_units and y_units given; its ``best_``. ``gplearn`` 0.4.x:
function set add sub mul div sqrt log sin cos inv neg, population 500, 10 generations, parsimony
0.001, Pearson fitness (linear scaling) and the final program rescaled ``a + b·p`` by least squares
on the fit rows; no units.

Recovery ("up to fitted constants", the SRBench symbolic-solution idea checked numerically): every
Float of the returned formula becomes a free parameter; they are fitted by least squares to the
noise-free truth on the 2,000 held-out points, starting from the returned values. Recovered when
the refitted formula matches the truth to a relative RMS error ≤ 1e-6 — the returned structure IS
the equation for some constants — and the returned formula itself has held-out R² ≥ 0.999 against
the truth. ``units_ok`` (sisso): the formula's coefficients are pure numbers or it says they are not
(``pure_number_coefficients``), and it is dimensionally consistent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import sympy

sys.path.insert(0, os.path.dirname(__file__))
from _model_bench import write_result  # noqa: E402
from feynman_tasks import SRBENCH_PUBLISHED_SOLUTION_RATE, TASKS, add_noise, sample, with_distractors  # noqa: E402

N_FIT, N_TEST = 500, 2000
NOISES = (0.0, 0.01)
QUICK = ["I.6.2a", "I.12.2", "I.13.4", "I.14.3", "I.18.4", "I.39.11", "I.43.31", "II.38.14"]


def structure_matches(expr, symbols, X, truth) -> bool:
    """Some constants make ``expr`` equal ``truth`` on ``X`` (relative RMS error ≤ 1e-6)."""
    from sagatsr.sr.structure import matches_up_to_constants

    return matches_up_to_constants(expr, symbols, X, truth, rtol=1e-6)


def r2(pred, truth):
    if not np.all(np.isfinite(pred)):
        return float("-inf")
    return float(1 - np.sum((pred - truth) ** 2) / np.sum((truth - truth.mean()) ** 2))


def run_sisso(mode, X, y, names, units, y_unit):
    from sagatsr.sr import SymbolicRegressor

    model = SymbolicRegressor(backend="sisso", units=mode)
    model.fit(X, y, X_units=units, y_units=y_unit, variable_names=names)
    best = model.best_
    return best.sympy, {"pure_number_coefficients": best.pure_number_coefficients,
                        "dimensionally_consistent": best.dimensionally_consistent,
                        "units_ok": bool(best.dimensionally_consistent) and best.pure_number_coefficients is not None}


def run_gplearn(X, y, names, seed):
    from gplearn.functions import make_function
    from gplearn.genetic import SymbolicRegressor as GP

    def _pexp(x):
        with np.errstate(all="ignore"):
            return np.where(x < 50, np.exp(np.minimum(x, 50)), 0.0)

    pexp = make_function(function=_pexp, name="exp", arity=1)
    gp = GP(population_size=500, generations=10, function_set=("add", "sub", "mul", "div", "sqrt",
            "log", "sin", "cos", "inv", "neg", pexp), metric="pearson", parsimony_coefficient=0.001,
            stopping_criteria=1.0, random_state=seed, n_jobs=1)
    gp.fit(X, y)
    sym = [sympy.Symbol(n, real=True) for n in names]
    expr = _gp_sympy(gp._program.program, sym)
    with np.errstate(all="ignore"):
        p = gp.predict(X)
    a, b = np.polyfit(p, y, 1) if np.std(p) > 0 else (0.0, float(np.mean(y)))
    return sympy.Float(a) * expr + sympy.Float(b), {}


def _gp_sympy(program, sym):
    ops = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "div": lambda a, b: a / b, "sqrt": lambda a: sympy.sqrt(sympy.Abs(a)),
           "log": lambda a: sympy.log(sympy.Abs(a)), "sin": sympy.sin, "cos": sympy.cos,
           "inv": lambda a: 1 / a, "neg": lambda a: -a, "exp": sympy.exp}
    stack = []
    for node in reversed(program):
        if hasattr(node, "arity"):
            args = [stack.pop() for _ in range(node.arity)]
            stack.append(ops[node.name](*args))
        else:
            stack.append(sym[node] if isinstance(node, int) else sympy.Float(node))
    return stack[0]


def one(task, index, noise, method):
    rng = np.random.default_rng(index)
    X_fit, y_true = sample(task, N_FIT, rng)
    X_test, truth = sample(task, N_TEST, rng)
    X_fit, names, units = with_distractors(task, X_fit, rng)
    X_test = np.column_stack([X_test, rng.uniform(1, 5, (N_TEST, 2))])
    y = add_noise(y_true, noise, np.random.default_rng(10_000 + index))
    start, cpu = time.perf_counter(), time.process_time()
    try:
        if method == "gplearn":
            expr, extra = run_gplearn(X_fit, y, names, index)
        else:
            expr, extra = run_sisso(method.split("_")[1], X_fit, y, names, units, task.y_unit)
    except Exception as exc:  # noqa: BLE001 - recorded as a miss with its reason
        return {"task": task.id, "noise": noise, "method": method, "recovered": False,
                "error": f"{type(exc).__name__}: {exc}"[:300], "seconds": time.perf_counter() - start}
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    symbols = [sympy.Symbol(n, real=True) for n in names]
    with np.errstate(all="ignore"):
        pred = np.broadcast_to(np.asarray(sympy.lambdify(symbols, expr, "numpy")(*X_test.T), float),
                               truth.shape)
    score = r2(pred, truth)
    recovered = score >= 0.999 and structure_matches(expr, symbols, X_test, truth)
    return {"task": task.id, "noise": noise, "method": method, "recovered": bool(recovered),
            "r2_test": score, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "formula": str(expr)[:400], **extra}


def summary(rows, methods):
    out = {}
    for method in methods:
        for noise in NOISES:
            mine = [r for r in rows if r["method"] == method and r["noise"] == noise]
            if not mine:
                continue
            hits = sum(r["recovered"] for r in mine)
            out[f"{method}@{noise}"] = {
                "recovered": hits, "tasks": len(mine), "rate_percent": round(100 * hits / len(mine), 1),
                "median_seconds": round(statistics.median(r["seconds"] for r in mine), 2),
                "median_cpu_seconds": round(statistics.median(r.get("cpu_seconds", r["seconds"]) for r in mine), 2),
                "units_not_ok": [r["task"] for r in mine if r.get("units_ok") is False],
                "missed": [r["task"] for r in mine if not r["recovered"]]}
    return out


def _payload(args, tasks, rows):
    return {"n_fit": N_FIT, "n_test": N_TEST, "noises": list(args.noises), "tasks": [t.id for _, t in tasks],
            "published_srbench_noise_free_percent": SRBENCH_PUBLISHED_SOLUTION_RATE,
            "summary": summary(rows, args.methods), "runs": rows}


def _name(args):
    return args.name or ("sr_feynman_quick" if args.quick else "sr_feynman")


def _partial(args, tasks, rows):
    """The results so far (``complete: false``), so an interrupted run still leaves its numbers."""
    import json

    from _model_bench import RESULTS

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{_name(args)}.json").write_text(json.dumps({"complete": False, **_payload(args, tasks, rows)},
                                                            indent=2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=["sisso_fit", "sisso_strict", "gplearn"],
                        choices=["sisso_fit", "sisso_strict", "gplearn"])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--name", default=None)
    parser.add_argument("--noises", nargs="+", type=float, default=list(NOISES))
    args = parser.parse_args()
    tasks = [(i, t) for i, t in enumerate(TASKS) if not args.quick or t.id in QUICK]
    rows = []
    for method in args.methods:
        for noise in args.noises:
            for index, task in tasks:
                rows.append(one(task, index, noise, method))
                r = rows[-1]
                _partial(args, tasks, rows)
                print(f"{method:13s} {noise:4.2f} {task.id:10s} {'OK ' if r['recovered'] else 'miss'} "
                      f"{r['seconds']:6.1f}s {r.get('formula', r.get('error', ''))[:90]}", flush=True)
    write_result(_name(args), {"complete": True, **_payload(args, tasks, rows)})


if __name__ == "__main__":
    main()
