"""Benchmark: do features-only formulas beat the one-descriptor physics yardstick? K-fold, same rows.

For each fold of ``KFold(folds, shuffle=True, random_state=0)``:

1. an SA-GAT (default TrainConfig, SAE encoding) is trained on the fold's training rows (10 % of
   them for early stopping) and its mean ICs on those rows rank the features;
2. the SR inputs are chosen on the training rows by ``--selection``: ``ic+sis`` (the pipeline's rule,
   :func:`sagatsr.screening.selection.select_sr_features`: IC top-k ∪ SIS top-k/2 ∪ the features of
   the 2 best one-descriptor formulas) or ``ic`` (IC top-k only, the old rule), among the SR
   candidates (no missing-data flags; no extensive features for an intensive target);
3. the embedded SISSO engine fits features-only formulas on the training rows; the selected formula
   (``best_``) is scored on the fold's test rows;
4. the yardstick (:func:`sagatsr.report.yardstick.best_one_descriptor`) is fitted on the same training
   rows and scored on the same test rows; for the demo also the cohesive-energy-density line
   K = a + b·evaporation_heat_mean/volume_per_atom.

Usage: python benchmarks/physics_yardstick.py [--datasets demo,dielectric,mp_perovskites]
       [--folds 5] [--epochs 60] [--top-k 6] [--selection ic+sis] [--threads 1] [--data ../shared/data]
Writes benchmarks/results/physics_yardstick_<dataset>[_<selection>].json.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from _model_bench import ROOT, write_result
from encoding_ablation import SOURCES, load_graphs


def fold_result(graphs, features, unit, train_rows, test_rows, fold, args) -> dict:
    from sagatsr.report.yardstick import best_one_descriptor
    from sagatsr.screening.runstep import SIS_PAIRS, sis_count
    from sagatsr.screening.selection import select_sr_features, sr_candidates, target_is_intensive
    from sagatsr.sr import SymbolicRegressor
    from sagatsr.training import TrainConfig, fit

    names = list(features.data_vars)
    matrix = np.column_stack([features[n].values for n in names])
    y = np.array([float(g.y) for g in graphs])
    shuffled = np.random.default_rng(fold).permutation(train_rows)
    n_val = max(1, len(shuffled) // 10)
    config = TrainConfig(epochs=args.epochs, num_threads=args.threads, progress=False, batch_size=32,
                         patience=max(20, args.epochs // 3), warmup_epochs=max(1, args.epochs // 20))
    with tempfile.TemporaryDirectory(prefix="sagatsr-yardstick-") as out:
        model = fit([graphs[i] for i in shuffled[n_val:]], [graphs[i] for i in shuffled[:n_val]], out, config)
    mean_ic = model.crystal_importance([graphs[i] for i in train_rows]).values.mean(axis=0)
    intensive = {n: bool(features[n].attrs.get("intensive", 1)) for n in names}
    candidates, _ = sr_candidates(names, intensive, matrix[train_rows], intensive_target=target_is_intensive(unit))
    columns = [names.index(n) for n in candidates]
    ic_order = [candidates[k] for k in np.argsort(-mean_ic[columns], kind="stable")]
    if args.selection == "ic":
        offered = ic_order[:args.top_k]
    else:
        offered = select_sr_features(matrix[np.ix_(train_rows, columns)], y[train_rows], candidates, ic_order,
                                     k_ic=args.top_k, k_sis=sis_count(args.top_k), k_pairs=SIS_PAIRS).features
    cols = [names.index(n) for n in offered]
    units = [features[n].attrs.get("units", "dimensionless") for n in offered]
    regressor = SymbolicRegressor(backend="sisso", max_terms=3, maxsize=20, seed=0)
    regressor.fit(matrix[np.ix_(train_rows, cols)], y[train_rows], X_units=units, y_units=unit, variable_names=offered)
    best = regressor.best_
    sr_mae = float(np.mean(np.abs(best.evaluate(matrix[np.ix_(test_rows, cols)], offered) - y[test_rows])))
    front = [{"expression": eq.expression, "complexity": int(eq.complexity),
              "test_mae": float(np.mean(np.abs(eq.evaluate(matrix[np.ix_(test_rows, cols)], offered) - y[test_rows])))}
             for eq in regressor.pareto_front_]
    stick = best_one_descriptor(matrix[np.ix_(train_rows, columns)], y[train_rows], candidates,
                                [features[n].attrs.get("units", "dimensionless") for n in candidates],
                                matrix[np.ix_(test_rows, columns)], y[test_rows], y_unit=unit)
    result = {"fold": fold, "offered": offered, "selected_formula": best.expression,
              "selected_formula_test_mae": sr_mae, "front": front, "yardstick": stick.as_dict(),
              "yardstick_test_mae": stick.test_mae,
              "mean_predictor_test_mae": float(np.mean(np.abs(y[train_rows].mean() - y[test_rows])))}
    if {"evaporation_heat_mean", "volume_per_atom"} <= set(names):
        d = matrix[:, names.index("evaporation_heat_mean")] / matrix[:, names.index("volume_per_atom")]
        b, a = np.polyfit(d[train_rows], y[train_rows], 1)
        result["cohesive_energy_density_test_mae"] = float(np.mean(np.abs(a + b * d[test_rows] - y[test_rows])))
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="demo")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--top-k", type=int, default=6)
    parser.add_argument("--selection", choices=("ic+sis", "ic"), default="ic+sis")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args(argv)
    from sagatsr.features.featurize import features_from_graphs

    for name in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        started = time.perf_counter()
        graphs, unit, folds = load_graphs(name, Path(args.data), None, args.folds)
        features = features_from_graphs(graphs)
        runs = []
        for k, (train_rows, test_rows) in enumerate(folds):
            runs.append(fold_result(graphs, features, unit, train_rows, test_rows, k, args))
            print(f"{name} fold {k}: formula {runs[-1]['selected_formula_test_mae']:.4g}, yardstick "
                  f"{runs[-1]['yardstick_test_mae']:.4g} {unit}", flush=True)
        keys = ["selected_formula_test_mae", "yardstick_test_mae", "mean_predictor_test_mae",
                "cohesive_energy_density_test_mae"]
        means = {key: float(np.mean([r[key] for r in runs])) for key in keys if key in runs[0]}
        wins = sum(r["selected_formula_test_mae"] < r["yardstick_test_mae"] for r in runs)
        suffix = "" if args.selection == "ic+sis" else f"_{args.selection}"
        write_result(f"physics_yardstick_{name}{suffix}", {
            "dataset": name, "unit": unit, "rows": len(graphs), "selection": args.selection, "top_k": args.top_k,
            "epochs_max": args.epochs, "protocol": f"KFold({args.folds}, shuffle=True, random_state=0)",
            "mean_test_mae": means, "folds_formula_beats_yardstick": wins, "folds": len(runs), "runs": runs,
            "wall_seconds": round(time.perf_counter() - started, 1)})


if __name__ == "__main__":
    main()
