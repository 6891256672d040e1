"""Benchmark: an ensemble of already trained Matbench-perovskite models whose graphs differ (e.g. two
bond-length bases), scored on the official folds' test rows.

Each ``--member`` is ``DIR_TEMPLATE:GAUSSIANS:CACHE``: a model directory with ``{fold}`` where the fold
number goes (as written by ``matbench_perovskites.py --out``), the number of bond-length Gaussians
its graphs were built with, and their graph cache. Every member predicts the fold's test rows from
its own graphs; the ensemble is the mean. Nothing is trained here: a missing or unfinished model is
an error naming it.

Usage: python benchmarks/matbench_mixed_ensemble.py --folds 0,1,2,3,4 --name NAME
       --member /work/mb/ens/fold{fold}_sae_seed0:32:/work/mb/cache --member ...
Writes benchmarks/results/NAME.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _model_bench import DEFAULT_PEROVSKITES, perovskite_graphs, write_result
from matbench_perovskites import N_ROWS, PUBLISHED_MAE


def parse_member(text: str) -> tuple[str, int, str]:
    template, centers, cache = text.rsplit(":", 2)
    if "{fold}" not in template:
        raise SystemExit(f"--member {text!r}: the directory needs {{fold}} where the fold number goes")
    return template, int(centers), cache


def main(argv=None) -> dict:
    from sagatsr.data import matbench_folds
    from sagatsr.training import TrainedModel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_PEROVSKITES))
    parser.add_argument("--folds", default="0,1,2,3,4")
    parser.add_argument("--member", action="append", required=True, help="DIR_TEMPLATE:GAUSSIANS:CACHE")
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    members = [parse_member(m) for m in args.member]
    folds_to_run = [int(k) for k in args.folds.split(",")]
    started = time.perf_counter()
    graphs = {centers: perovskite_graphs(args.data, None, cache, gaussian_centers=centers)[0]
              for _, centers, cache in members}
    folds = matbench_folds(N_ROWS)
    results = {}
    for k in folds_to_run:
        test_rows = folds[k][1]
        targets = np.array([float(graphs[members[0][1]][i].y) for i in test_rows])
        predictions, singles = [], []
        for template, centers, _ in members:
            directory = Path(template.format(fold=k))
            card = json.loads((directory / "model_card.json").read_text())
            if card.get("status") != "complete":
                raise SystemExit(f"{directory}: the model is not finished (status {card.get('status')!r})")
            prediction = TrainedModel.load(directory).predict([graphs[centers][i] for i in test_rows])
            predictions.append(prediction)
            singles.append({"model_dir": str(directory), "gaussian_centers": centers,
                            "test_mae_eV_per_cell": float(np.abs(prediction - targets).mean())})
        mae = float(np.abs(np.mean(predictions, axis=0) - targets).mean())
        results[f"fold{k}"] = {"ensemble_size": len(members), "test_mae_eV_per_cell": mae, "members": singles}
        print(f"fold {k}: ensemble of {len(members)} {mae:.4f} eV/cell; members "
              + ", ".join(f"{s['test_mae_eV_per_cell']:.4f}" for s in singles), flush=True)
    return write_result(args.name, {
        "mode": "full protocol (5 folds)" if len(folds_to_run) == 5 else f"folds {args.folds}",
        "members": args.member, "results": results,
        "mean_test_mae_eV_per_cell": float(np.mean([r["test_mae_eV_per_cell"] for r in results.values()])),
        "wall_seconds_total": round(time.perf_counter() - started, 1), "published_mean_mae_eV_per_cell": PUBLISHED_MAE})


if __name__ == "__main__":
    main()
