"""Benchmark: SA-GAT on Matbench ``matbench_perovskites`` (formation energy, eV per 5-atom cell).

Official folds (:func:`sagatsr.data.matbench_folds`: KFold(5, shuffle, 18012019) over all 18,928
rows). For each fold: 5 % of its training rows (seeded) are held out for early stopping, SA-GAT is
trained on the rest, and the MAE on the fold's test rows is reported beside published results.
``--encoding`` runs the paper's ablation (sae | linear | onehot) on the same split.

``--quick``: fold 0 restricted to the first ``--limit`` (default 3000) rows of the dataset (its
fold-0 train/test rows among them), 15 epochs — a smoke-level number, NOT comparable with the
published full-data results.

Usage: python benchmarks/matbench_perovskites.py [--data ../shared/data/matbench_perovskites]
       [--quick] [--fold 0 | --all-folds] [--epochs N] [--encoding sae] [--limit N]
       [--batch-size 64] [--threads 1] [--cache DIR] [--out DIR] [--seed 0[,1,...]]
       [--train-rows N] [--sae-mode gaussian|binned] [--sae-heads K] [--dropout P] [--weight-decay W] [--name NAME]
       [--angle-layers A] [--angle-neighbors M] [--angle-basis B] [--model-arg NAME=VALUE ...]
       [--gaussian-centers G]
Writes benchmarks/results/matbench_perovskites[_<encoding>|_ablation][_quick].json (or NAME.json).
Several seeds (``--seeds 0,1,2``) train one model each (each with its own validation draw) and
also report the MAE of their mean prediction (the ensemble). Models trained in separate processes
with the same ``--out`` are reused. ``--angle-layers A`` turns on SA-GAT's bond-angle updates
before the first A layers (0 = off, the default).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from _model_bench import DEFAULT_PEROVSKITES, perovskite_graphs, write_result

N_ROWS = 18_928
PUBLISHED_MAE = {"mean predictor": 0.5660, "CGCNN": 0.0452, "ALIGNN": 0.0288, "coGN (record)": 0.0269}


def train_one(graphs, train_rows, test_rows, args, seed: int, out_dir: Path) -> tuple[dict, np.ndarray]:
    """Train one model (validation rows drawn with ``seed``); its numbers and test predictions."""
    from sagatsr.training import TrainConfig, fit

    shuffled = np.random.default_rng(seed).permutation(train_rows)
    n_val = max(1, int(round(0.05 * len(shuffled))))
    val_rows, fit_rows = shuffled[:n_val], shuffled[n_val:][:args.train_rows]
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=seed,
                         encoding=args.encoding, hidden=args.hidden, layers=args.layers, patience=args.patience,
                         num_threads=args.threads, warmup_epochs=max(1, args.epochs // 20),
                         sae_mode=args.sae_mode, sae_heads=args.sae_heads, dropout=args.dropout,
                         weight_decay=args.weight_decay, angle_layers=args.angle_layers,
                         angle_neighbors=args.angle_neighbors, angle_basis=args.angle_basis,
                         swa_epochs=args.swa_epochs, swa_lr_fraction=args.swa_lr_fraction, **args.model_args)
    started = time.perf_counter()
    model = fit([graphs[i] for i in fit_rows], [graphs[i] for i in val_rows], out_dir, config,
                meta={"data": "matbench_perovskites", "target": "e_form", "unit": "eV/cell"})
    train_seconds = time.perf_counter() - started
    targets = np.array([float(graphs[i].y) for i in test_rows])
    predictions = model.predict([graphs[i] for i in test_rows])
    train_mean = np.mean([float(graphs[i].y) for i in fit_rows])
    card = json.loads((out_dir / "model_card.json").read_text())["metrics"]
    return {"seed": seed, "n_train": len(fit_rows), "n_val": len(val_rows), "n_test": len(test_rows),
            "test_mae_eV_per_cell": float(np.abs(predictions - targets).mean()),
            "mean_predictor_mae_same_rows": float(np.abs(train_mean - targets).mean()),
            "epochs_run": card["epochs_run"], "weights": card.get("weights"), "train_seconds": round(card["train_seconds_this_session"], 1),
            "seconds_this_call": round(train_seconds, 1), "model_dir": str(out_dir),
            "model_args": config.model_args}, predictions


def run_fold(graphs, train_rows, test_rows, args, out_dir: Path) -> dict:
    """One model per seed; with several seeds, also the MAE of their mean prediction (an ensemble)."""
    runs, predictions = [], []
    for seed in args.seeds:
        result, prediction = train_one(graphs, train_rows, test_rows, args, seed, out_dir.with_name(
            f"{out_dir.name}_seed{seed}"))
        runs.append(result)
        predictions.append(prediction)
    if len(runs) == 1:
        return runs[0]
    targets = np.array([float(graphs[i].y) for i in test_rows])
    return {"models": runs, "ensemble_size": len(runs),
            "test_mae_eV_per_cell": float(np.abs(np.mean(predictions, axis=0) - targets).mean()),
            "single_model_test_mae_eV_per_cell": [r["test_mae_eV_per_cell"] for r in runs]}


def main(argv=None) -> dict:
    from sagatsr.training import TrainConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_PEROVSKITES))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--all-folds", action="store_true", help="the full protocol: 5 folds, mean MAE")
    parser.add_argument("--epochs", type=int, default=None, help="default 15 (quick) / 300")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N rows (quick: 3000)")
    parser.add_argument("--train-rows", type=int, default=None,
                        help="train on only N of the fold's training rows (same validation and test rows)")
    parser.add_argument("--encoding", default="sae",
                        help="sae | linear | onehot, or a comma list (the ablation, on the same graphs)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--patience", type=int, default=40)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (1 is best on a busy machine)")
    parser.add_argument("--seed", "--seeds", dest="seed", default="0",
                        help="training seed(s); a comma list trains one model per seed and scores their mean")
    defaults = TrainConfig()
    parser.add_argument("--sae-mode", default=defaults.sae_mode, help="gaussian | binned (the paper's)")
    parser.add_argument("--sae-heads", type=int, default=defaults.sae_heads)
    parser.add_argument("--dropout", type=float, default=defaults.dropout)
    parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    parser.add_argument("--angle-layers", type=int, default=defaults.angle_layers,
                        help="layers preceded by a bond-angle update (0 = no angles)")
    parser.add_argument("--angle-neighbors", type=int, default=defaults.angle_neighbors,
                        help="edges per atom in triplets (whole shells)")
    parser.add_argument("--angle-basis", type=int, default=defaults.angle_basis, help="Gaussians of cos(angle)")
    parser.add_argument("--swa-epochs", type=int, default=0,
                        help="weight-averaging epochs after the schedule (finished models in --out are extended)")
    parser.add_argument("--swa-lr-fraction", type=float, default=defaults.swa_lr_fraction,
                        help="their constant learning rate, as a fraction of --lr")
    parser.add_argument("--model-arg", action="append", default=[], metavar="NAME=VALUE",
                        help="any other model hyper-parameter (repeatable), e.g. num_basis=16")
    parser.add_argument("--gaussian-centers", type=int, default=32,
                        help="Gaussians of the bond length on [0, cutoff] (the graph builder's default: 32)")
    parser.add_argument("--cache", default=None, help="graph cache directory (outside the repo)")
    parser.add_argument("--out", default=None, help="where models go (default: a temporary directory); "
                        "finished models there are loaded, not retrained")
    parser.add_argument("--name", default=None, help="result file name (default from encoding and mode)")
    args = parser.parse_args(argv)
    args.seeds = [int(seed) for seed in str(args.seed).split(",") if seed.strip()]
    args.model_args = {}
    for item in args.model_arg:
        name, _, value = item.partition("=")
        try:
            args.model_args[name.strip()] = json.loads(value)  # numbers, true/false, lists
        except ValueError:
            args.model_args[name.strip()] = value  # a plain word, e.g. readout=mean
    limit = args.limit or (3000 if args.quick else None)
    args.epochs = args.epochs or (15 if args.quick else 300)
    folds_to_run = range(5) if args.all_folds else [args.fold]
    encodings = [e.strip() for e in args.encoding.split(",") if e.strip()]
    unknown = set(encodings) - {"sae", "linear", "onehot"}
    if unknown or not encodings:
        parser.error(f"unknown encoding(s) {sorted(unknown)}; use sae, linear, onehot")

    from sagatsr.data import matbench_folds

    started = time.perf_counter()
    graphs, loaded = perovskite_graphs(args.data, limit, args.cache, gaussian_centers=args.gaussian_centers)
    load_seconds = time.perf_counter() - started
    n_rows = len(graphs)
    folds = matbench_folds(N_ROWS)
    out_root = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="sagatsr-matbench-"))
    by_encoding = {}
    for encoding in encodings:
        args.encoding = encoding
        results = {}
        for k in folds_to_run:
            train_rows, test_rows = (rows[rows < n_rows] for rows in folds[k])
            results[f"fold{k}"] = run_fold(graphs, train_rows, test_rows, args, out_root / f"fold{k}_{encoding}")
            print(f"{encoding} fold {k}: test MAE {results[f'fold{k}']['test_mae_eV_per_cell']:.4f} eV/cell", flush=True)
        by_encoding[encoding] = {"folds": results, "mean_test_mae_eV_per_cell":
                                 float(np.mean([r["test_mae_eV_per_cell"] for r in results.values()]))}
    tag = encodings[0] if len(encodings) == 1 else "ablation"
    name = args.name or ("matbench_perovskites" + ("" if tag == "sae" else f"_{tag}")
                         + ("_quick" if args.quick else ""))
    return write_result(name, {
        "mode": "quick (subset, few epochs: not comparable with published full-data MAEs)" if args.quick
        else ("full protocol (5 folds)" if args.all_folds else f"fold {args.fold} only, all rows")
        + (f", training capped at {args.train_rows} rows" if args.train_rows else ""),
        "encodings": encodings, "rows_used": n_rows, "epochs_max": args.epochs, "batch_size": args.batch_size,
        "train_rows_cap": args.train_rows, "hidden": args.hidden, "layers": args.layers, "threads": args.threads,
        "sae_mode": args.sae_mode, "sae_heads": args.sae_heads, "dropout": args.dropout,
        "weight_decay": args.weight_decay, "seeds": args.seeds, "angle_layers": args.angle_layers,
        "angle_neighbors": args.angle_neighbors, "angle_basis": args.angle_basis,
        "swa_epochs": args.swa_epochs, "swa_lr_fraction": args.swa_lr_fraction,
        "gaussian_centers": args.gaussian_centers, "load_and_graph_seconds": round(load_seconds, 1), "results": by_encoding,
        "wall_seconds_total": round(time.perf_counter() - started, 1), "published_mean_mae_eV_per_cell": PUBLISHED_MAE})


if __name__ == "__main__":
    main()
