"""Planted-formula recovery: the embedded sisso engine (hard unit rules) against gplearn (no units).

    python benchmarks/sr_recovery.py            # all 24 tasks (gplearn: population 1000, 20 generations)
    python benchmarks/sr_recovery.py --quick    # 6 tasks (gplearn: population 500, 10 generations)
Writes benchmarks/results/sr_recovery.json (sr_recovery_quick.json with --quick).

Tasks. Each task plants a physics/materials formula over unit-carrying variables (eV, Å, GPa, amu,
K, g/cm^3, dimensionless, ...), sampled uniformly in positive ranges, plus 3-5 distractor features
with random units; 500 training rows (seed = task index); y gets 1 % relative Gaussian noise
(``y·(1 + 0.01·N(0, 1))``). ``needs_rung`` is the feature-construction depth the planted formula
needs with the sisso operator set below (hand-counted); three tasks need rung 3 or more and are
expected misses at the rung-2 setting.

Methods (one fixed setting for all tasks).
* sisso: ``SymbolicRegressor(backend="sisso", rung=2, max_terms=3)`` with operators add sub mul
  div absdiff harmonic inv square sqrt cube cbrt exp, X_units and y_units given; its ``best_``.
* gplearn 0.4.3 ``SymbolicRegressor``: function set add sub mul div sqrt inv abs neg plus a
  protected exp and cbrt (so that |x - y|, exp and cube roots are reachable, as for sisso),
  population 1000, 20 generations, parsimony 0.001, ``random_state`` = task index, one process.
  Fitness is |Pearson r| (``metric="pearson"``, ``stopping_criteria=1.0`` so all generations run),
  i.e. MSE after the best linear rescaling (GP "linear scaling": with plain MSE and constants in
  [-1, 1] gplearn found almost nothing, because the right structure at the wrong scale scores
  badly). The final program ``p`` is rescaled as ``a + b·p`` by least squares on the training rows
  (sisso fits its constants the same way). Protected ``sqrt``/``div`` become ``sqrt(|x|)`` and
  ``a/b`` in SymPy; the SymPy form is what is judged.

Recovery rule (the same for both; the one used by ``benchmarks/sr_feynman.py``). A returned formula
``f`` counts as recovered when

1. its structure is the planted law up to fitted constants
   (:func:`sagatsr.sr.structure.matches_up_to_constants`): every Float of ``f``, inside functions
   too, becomes a free parameter fitted by least squares to the noise-free planted values on 2,000
   fresh points drawn from the same ranges, and the refitted ``f`` reproduces them to a relative
   RMS error ≤ 1e-6. Two analytic expressions that agree this closely at 2,000 random points are
   the same function, so ``1.4·exp(1.007·E/kT)`` counts for ``1.5·exp(E/kT)``, while an extra term
   or another functional form does not; and
2. ``f``'s R² against the noise-free planted values on those points is ≥ 0.999 (the returned
   constants themselves are close).

(Until this session the first check was "``f`` lies in the linear span of the planted terms", which
refused a right law with a fitted constant inside a function; ``structure_residual`` replaces
``span_residual`` in the JSON.)

Recorded per task and method: recovered, seconds, formula, held-out R². For sisso also whether
any member of its Pareto front satisfies the rule (``on_front``).
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, field

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import sympy
from _model_bench import write_result

N_TRAIN, N_TEST, NOISE = 500, 2000, 0.01
STRUCTURE_RTOL, R2_MIN = 1e-6, 0.999
SISSO_OPERATORS = ["add", "sub", "mul", "div", "absdiff", "harmonic", "inv", "square", "sqrt",
                   "cube", "cbrt", "exp"]
DISTRACTOR_UNITS = ["eV", "angstrom", "GPa", "amu", "K", "g/cm^3", "dimensionless"]
QUICK = ["coulomb", "bulk_modulus", "kinetic_energy", "reduced_mass", "tolerance_factor",
         "arrhenius"]


@dataclass
class Task:
    name: str
    formula: str
    y_unit: str
    variables: dict  # name -> (unit, low, high)
    needs_rung: int
    terms: list = field(default_factory=list)  # filled from the formula


TASKS = [
    Task("coulomb", "14.4*q1*q2/r", "eV",
         {"q1": ("dimensionless", 1, 3), "q2": ("dimensionless", 1, 3), "r": ("angstrom", 1.5, 4)}, 2),
    Task("bulk_modulus", "160.2*E_coh/vol", "GPa",
         {"E_coh": ("eV", 1, 8), "vol": ("angstrom^3", 10, 40)}, 1),
    Task("lindemann", "0.0032*mass*theta**2*vol**(2/3)", "K",
         {"mass": ("amu", 10, 200), "theta": ("K", 100, 500), "vol": ("angstrom^3", 10, 40)}, 3),
    Task("kinetic_energy", "0.5186*mass*vel**2", "eV",
         {"mass": ("amu", 1, 60), "vel": ("km/s", 0.5, 3)}, 2),
    Task("electronegativity_gap", "0.9*Abs(chi_a - chi_b)", "eV",
         {"chi_a": ("dimensionless", 0.8, 4), "chi_b": ("dimensionless", 0.8, 4)}, 1),
    Task("pauling_ionic", "0.5*(chi_a - chi_b)**2", "eV",
         {"chi_a": ("dimensionless", 0.8, 4), "chi_b": ("dimensionless", 0.8, 4)}, 2),
    Task("oscillator", "9.82*sqrt(k_s/mass)", "THz",
         {"k_s": ("eV/angstrom^2", 1, 20), "mass": ("amu", 1, 100)}, 2),
    Task("reduced_mass", "m_a*m_b/(m_a + m_b)", "amu",
         {"m_a": ("amu", 1, 100), "m_b": ("amu", 1, 100)}, 1),
    Task("arrhenius", "0.5*exp(-e_act/kT)", "cm^2/s",
         {"e_act": ("eV", 0.2, 1.0), "kT": ("eV", 0.05, 0.2)}, 3),
    Task("boltzmann_enhancement", "1.5*exp(e_bind/kT)", "dimensionless",
         {"e_bind": ("eV", 0.02, 0.3), "kT": ("eV", 0.025, 0.1)}, 2),
    Task("sound_velocity", "sqrt(bulk/rho)", "km/s",
         {"bulk": ("GPa", 20, 300), "rho": ("g/cm^3", 2, 20)}, 2),
    Task("gruneisen_expansion", "1.602e-2*gamma*c_v/(bulk*vol)", "1/K",
         {"gamma": ("dimensionless", 1, 3), "c_v": ("eV/K", 1e-4, 3e-4),
          "bulk": ("GPa", 20, 300), "vol": ("angstrom^3", 10, 40)}, 2),
    Task("tolerance_factor", "0.7071*(r_a + r_o)/(r_b + r_o)", "dimensionless",
         {"r_a": ("angstrom", 1.0, 1.8), "r_b": ("angstrom", 0.5, 1.1), "r_o": ("angstrom", 1.2, 1.5)}, 2),
    Task("ideal_gas_pressure", "0.1381*n_at*temp/vol", "GPa",
         {"n_at": ("dimensionless", 1, 8), "temp": ("K", 100, 2000), "vol": ("angstrom^3", 50, 500)}, 2),
    Task("lattice_energy", "-14.4*z_a*z_b/(r_a + r_b)", "eV",
         {"z_a": ("dimensionless", 1, 3), "z_b": ("dimensionless", 1, 3),
          "r_a": ("angstrom", 0.5, 1.8), "r_b": ("angstrom", 1.2, 2.2)}, 2),
    Task("elastic_energy", "0.5*stress**2/young", "GPa",
         {"stress": ("GPa", 0.1, 2), "young": ("GPa", 50, 400)}, 2),
    Task("vegard", "a_b + x*a_a - x*a_b", "angstrom",
         {"x": ("dimensionless", 0, 1), "a_a": ("angstrom", 3.5, 6), "a_b": ("angstrom", 3.5, 6)}, 1),
    Task("hall_petch", "0.12 + 0.35/sqrt(grain)", "GPa", {"grain": ("micrometer", 0.5, 50)}, 2),
    Task("kinetic_conductivity", "0.3333*c_vol*vel*mfp", "W/(m*K)",
         {"c_vol": ("J/(K*cm^3)", 1, 4), "vel": ("km/s", 2, 8), "mfp": ("nm", 1, 50)}, 2),
    Task("density", "1.6605*z_fu*mass/vol", "g/cm^3",
         {"z_fu": ("dimensionless", 1, 8), "mass": ("amu", 20, 300), "vol": ("angstrom^3", 40, 800)}, 2),
    Task("pair_energy", "-8.0/dist + 6.0/dist**2", "eV", {"dist": ("angstrom", 1.0, 4.0)}, 2),
    Task("wigner_seitz", "0.6204*vol**(1/3)", "angstrom", {"vol": ("angstrom^3", 5, 100)}, 1),
    Task("debye_temperature", "47.99*vel*n_dens**(1/3)", "K",
         {"vel": ("km/s", 2, 8), "n_dens": ("1/angstrom^3", 0.02, 0.15)}, 2),
    Task("lennard_jones", "4*eps*((sig/dist)**12 - (sig/dist)**6)", "eV",
         {"eps": ("eV", 0.005, 0.05), "sig": ("angstrom", 2.5, 3.5), "dist": ("angstrom", 3.0, 6.0)}, 4),
]


def symbols_of(names):
    return {n: sympy.Symbol(n, real=True) for n in names}


def planted_terms(expr):
    """The terms g_k of the planted formula (numeric factors and the constant dropped)."""
    terms = []
    for term in sympy.Add.make_args(expr):
        if not term.is_number:
            terms.append(term.as_coeff_Mul()[1])
    return terms


def make_data(task, index, n, seed_offset=0):
    """(X, names, units, noise-free y, planted expression) with the task's variables then distractors."""
    rng = np.random.default_rng(1000 * seed_offset + index)
    drng = np.random.default_rng(index)  # the distractors' units/ranges do not depend on the split
    n_distract = 3 + index % 3
    names = list(task.variables) + [f"d{k}" for k in range(n_distract)]
    units = [u for u, _, _ in task.variables.values()]
    ranges = [(lo, hi) for _, lo, hi in task.variables.values()]
    for _ in range(n_distract):
        units.append(DISTRACTOR_UNITS[drng.integers(len(DISTRACTOR_UNITS))])
        lo = float(drng.uniform(0.2, 5.0))
        ranges.append((lo, lo * float(drng.uniform(2.0, 10.0))))
    X = np.column_stack([rng.uniform(lo, hi, n) for lo, hi in ranges])
    syms = symbols_of(names)
    expr = sympy.sympify(task.formula, locals=syms)
    y = evaluate(expr, X, names)
    return X, names, units, y, expr, rng


def evaluate(expr, X, names):
    fn = sympy.lambdify([sympy.Symbol(n, real=True) for n in names], expr, modules="numpy")
    with np.errstate(all="ignore"):
        out = fn(*X.T)
    return np.broadcast_to(np.asarray(out, dtype=float), (X.shape[0],)).astype(float)


def judge(expr, task_expr, X_test, names, y_true) -> dict:
    """The recovery rule of the module docstring: {'recovered', 'structure_matches', 'r2'}."""
    from sagatsr.sr.structure import matches_up_to_constants

    f = evaluate(expr, X_test, names)
    if not np.all(np.isfinite(f)):
        return {"recovered": False, "structure_matches": False, "r2": None}
    r2 = 1.0 - float(np.sum((f - y_true) ** 2) / np.sum((y_true - y_true.mean()) ** 2))
    same = matches_up_to_constants(expr, [sympy.Symbol(n, real=True) for n in names], X_test, y_true,
                                   rtol=STRUCTURE_RTOL)
    return {"recovered": bool(same and r2 >= R2_MIN), "structure_matches": bool(same), "r2": r2}


def run_sisso(X, y, names, units, task):
    from sagatsr.sr import SymbolicRegressor

    start = time.perf_counter()
    model = SymbolicRegressor(backend="sisso", operators=SISSO_OPERATORS, rung=2, max_terms=3)
    model.fit(X, y, X_units=units, y_units=task.y_unit, variable_names=names)
    return model, time.perf_counter() - start


def _gp_functions():
    from gplearn.functions import make_function

    def _exp(x):
        with np.errstate(over="ignore"):
            return np.exp(np.clip(x, -50.0, 50.0))

    return ["add", "sub", "mul", "div", "sqrt", "inv", "abs", "neg",
            make_function(function=_exp, name="exp", arity=1),
            make_function(function=np.cbrt, name="cbrt", arity=1)]


GP_SYMPY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
            "div": lambda a, b: a / b, "sqrt": lambda a: sympy.sqrt(sympy.Abs(a)),
            "inv": lambda a: 1 / a, "abs": sympy.Abs, "neg": lambda a: -a, "exp": sympy.exp,
            "cbrt": lambda a: sympy.sign(a) * sympy.Abs(a) ** sympy.Rational(1, 3)}


def run_gplearn(X, y, names, seed, population, generations):
    from gplearn.genetic import SymbolicRegressor as GP

    start = time.perf_counter()
    gp = GP(population_size=population, generations=generations, function_set=_gp_functions(),
            metric="pearson", stopping_criteria=1.0, parsimony_coefficient=0.001,
            random_state=seed, n_jobs=1)
    gp.fit(X, y)
    seconds = time.perf_counter() - start
    local = dict(GP_SYMPY)
    local.update({f"X{i}": sympy.Symbol(n, real=True) for i, n in enumerate(names)})
    program = str(gp._program)
    raw = sympy.sympify(program, locals=local)
    p = evaluate(raw, X, names)  # linear scaling: a + b·p by least squares on the training rows
    a, b = float(y.mean()), 0.0
    if np.all(np.isfinite(p)) and np.ptp(p) > 0:
        b, a = np.polyfit(p, y, 1)
    return sympy.Float(a, 12) + sympy.Float(b, 12) * raw, program, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="6 tasks, smaller gplearn budget")
    parser.add_argument("--no-gplearn", action="store_true", help="sisso only")
    args = parser.parse_args()
    population, generations = (500, 10) if args.quick else (1000, 20)
    tasks = [(i, t) for i, t in enumerate(TASKS) if not args.quick or t.name in QUICK]
    rows = []
    for index, task in tasks:
        X, names, units, y_clean, expr, rng = make_data(task, index, N_TRAIN)
        y = y_clean * (1.0 + NOISE * rng.standard_normal(N_TRAIN))
        X_test, _, _, y_test, _, _ = make_data(task, index, N_TEST, seed_offset=1)
        row = {"task": task.name, "formula": task.formula, "y_unit": task.y_unit,
               "variables": {n: u for n, u in zip(names, units)}, "needs_rung": task.needs_rung,
               "planted_terms": [str(g) for g in planted_terms(expr)]}
        model, seconds = run_sisso(X, y, names, units, task)
        verdict = judge(model.best_.sympy, expr, X_test, names, y_test)
        on_front = any(judge(eq.sympy, expr, X_test, names, y_test)["recovered"] for eq in model.pareto_front_)
        row["sisso"] = {"recovered": verdict["recovered"], "on_front": on_front, "seconds": seconds,
                        "best": model.best_.expression, "complexity": model.best_.complexity,
                        "r2_heldout": verdict["r2"], "structure_matches": verdict["structure_matches"]}
        if not args.no_gplearn:
            gexpr, program, gsec = run_gplearn(X, y, names, index, population, generations)
            gverdict = judge(gexpr, expr, X_test, names, y_test)
            row["gplearn"] = {"recovered": gverdict["recovered"], "seconds": gsec, "program": program,
                              "best": str(gexpr), "r2_heldout": gverdict["r2"],
                              "structure_matches": gverdict["structure_matches"]}
        rows.append(row)
        print(task.name, {k: (v["recovered"], round(v["seconds"], 1)) for k, v in row.items()
                          if k in ("sisso", "gplearn")}, row["sisso"]["best"], flush=True)
    summary = {}
    for method in ("sisso", "gplearn"):
        done = [r[method] for r in rows if method in r]
        if done:
            summary[method] = {"recovered": sum(d["recovered"] for d in done), "tasks": len(done),
                               "recovery_rate": sum(d["recovered"] for d in done) / len(done),
                               "median_seconds": float(np.median([d["seconds"] for d in done])),
                               "total_seconds": float(sum(d["seconds"] for d in done))}
    summary["sisso"]["on_front"] = sum(r["sisso"]["on_front"] for r in rows)
    reachable = [r for r in rows if r["needs_rung"] <= 2]
    summary["sisso"]["recovered_of_rung2_reachable"] = [sum(r["sisso"]["recovered"] for r in reachable),
                                                        len(reachable)]
    settings = {"n_train": N_TRAIN, "n_test": N_TEST, "noise_relative": NOISE, "structure_rtol": STRUCTURE_RTOL,
                "r2_min": R2_MIN, "sisso": {"rung": 2, "max_terms": 3, "operators": SISSO_OPERATORS},
                "gplearn": {"population_size": population, "generations": generations,
                            "function_set": ["add", "sub", "mul", "div", "sqrt", "inv", "abs", "neg", "exp",
                                             "cbrt"],
                            "metric": "pearson", "parsimony_coefficient": 0.001,
                            "final_program": "linearly scaled by least squares"}}
    write_result("sr_recovery_quick" if args.quick else "sr_recovery",
                 {"settings": settings, "summary": summary, "tasks": rows})


if __name__ == "__main__":
    main()
