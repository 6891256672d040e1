"""Benchmark: the encoding ablation (sae | linear | onehot) on identical folds of several datasets.

For each dataset: K-fold CV (``KFold(folds, shuffle=True, random_state=0)`` over the rows; for
``matbench`` the official Matbench fold(s)), 10 % of each fold's training rows (drawn with the fold
number as seed, the same draw for every encoding) hold out for early stopping, and every encoding is
trained with the same :class:`~sagatsr.training.TrainConfig` except ``encoding`` (and ``sae_mode``
for the ``sae-*`` variants). Reported per encoding: the test MAE of every fold, their mean, and for
SAE the relative gap to linear, ``(MAE_sae - MAE_linear) / MAE_linear`` (negative = SAE better), and
on how many folds SAE wins.

Datasets (``--datasets``, comma list; the shared data folder defaults to ``../shared/data``):
``dielectric`` (mp_dielectric, refractive index n, 1,056 crystals), ``mp_perovskites``
(perovskites_mp_oqmd MP set, formation energy eV/atom, 1,517), ``demo`` (ASE dcdft, bulk modulus GPa,
71 elements), ``jarvis`` (50 JARVIS band gaps, eV), ``matbench`` (matbench_perovskites e_form,
eV/cell; ``--train-rows`` caps the training rows of each official fold, ``--folds`` how many of
the 5 official folds run).

Encodings (``--encodings``): ``sae`` (the default SAE of TrainConfig), ``linear``, ``onehot``, and
``sae-gaussian`` (the previous default: 16-centre Gaussian basis over the training [min, max],
IC-weighted average) / ``sae-binned`` (the paper's binned SAE, 1 head), for the before/after comparison,
and ``sae-normed`` (the default SAE with ``sae_feature_norm=True``: unit-RMS feature vectors, so only
the ICs weigh a feature).

IC concentration (SAE variants): the crystal ICs of the fold's test materials, averaged over them
(the mean ICs that rank features), over the features the SAE does not mask (mean IC > 0):
``max_over_median`` (largest / median mean IC; 1 = uniform), ``top10_share`` (summed mean IC of the
10 largest) and ``top10`` (name, mean IC). The summary gives their means over the folds and the
features most often in a fold's top 10.

Usage: python benchmarks/encoding_ablation.py --datasets dielectric,mp_perovskites,demo
       [--encodings sae,linear,onehot] [--folds 5] [--epochs 60] [--threads 1] [--train-rows N]
       [--data ../shared/data] [--name NAME] [--only-folds 0,1,2]
Writes benchmarks/results/encoding_ablation_<dataset>.json (or NAME_<dataset>.json), rewritten after
every fold (``folds_completed`` says which folds it holds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from _model_bench import ROOT, write_result

SOURCES = {
    "dielectric": ("mp_dielectric/dielectric_constant.json.gz", "n"),
    "mp_perovskites": ("perovskites_mp_oqmd/mp_targets.csv", "formation_energy_per_atom"),
    "demo": ("demo", None),
    "jarvis": ("jarvis_sample", None),
    "matbench": ("matbench_perovskites/targets.csv", "e_form"),
}
VARIANTS = {"sae": {}, "linear": {"encoding": "linear"}, "onehot": {"encoding": "onehot"},
            "sae-gaussian": {"sae_mode": "gaussian", "num_basis": 16},
            "sae-binned": {"sae_mode": "binned", "sae_heads": 1}, "sae-normed": {"sae_feature_norm": True}}
TOP = 10


def load_graphs(name: str, data_root: Path, train_rows: int | None, n_folds: int):
    """(graphs, unit, [(train_rows, test_rows)]) of one dataset."""
    from sagatsr.data import load_dataset, matbench_folds
    from sagatsr.graphs import CrystalGraphBuilder

    path, target = SOURCES[name]
    source = path if path == "demo" else data_root / path
    loaded = load_dataset(source, target, target_unit="eV" if name == "jarvis" else None)  # jarvis: OptB88vdW gap
    keep = np.arange(len(loaded.structures))
    if name == "matbench":
        official = matbench_folds(len(loaded.structures))[:n_folds]
        wanted = [(np.sort(np.random.default_rng(k).permutation(tr)[:train_rows]) if train_rows else tr, te)
                  for k, (tr, te) in enumerate(official)]
        keep = np.unique(np.concatenate([np.concatenate(pair) for pair in wanted]))
    structures = [loaded.structures[i] for i in keep]
    graphs = CrystalGraphBuilder().build_many(structures, loaded.targets[keep], [loaded.ids[i] for i in keep],
                                              progress=sys.stderr.isatty())
    if len(graphs) != len(keep):
        raise RuntimeError(f"{name}: {len(keep) - len(graphs)} structures failed; folds would shift")
    if name == "matbench":
        position = {int(row): k for k, row in enumerate(keep)}
        folds = [(np.array([position[int(r)] for r in tr]), np.array([position[int(r)] for r in te]))
                 for tr, te in wanted]
    else:
        from sklearn.model_selection import KFold

        folds = list(KFold(n_folds, shuffle=True, random_state=0).split(np.arange(len(graphs))))
        if train_rows:
            folds = [(np.sort(np.random.default_rng(k).permutation(tr)[:train_rows]), te)
                     for k, (tr, te) in enumerate(folds)]
    return graphs, loaded.target_unit, folds


def train_and_score(graphs, train_rows, test_rows, fold: int, variant: str, args) -> dict:
    from sagatsr.training import TrainConfig, fit

    shuffled = np.random.default_rng(fold).permutation(train_rows)
    n_val = max(1, len(shuffled) // 10)
    val_rows, fit_rows = shuffled[:n_val], shuffled[n_val:]
    config = TrainConfig(epochs=args.epochs, num_threads=args.threads, progress=False, seed=args.seed,
                         batch_size=32 if len(fit_rows) < 2000 else 64, patience=max(20, args.epochs // 3),
                         warmup_epochs=max(1, args.epochs // 20), **VARIANTS[variant])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sagatsr-ablation-") as out:
        model = fit([graphs[i] for i in fit_rows], [graphs[i] for i in val_rows], out, config)
    test = [graphs[i] for i in test_rows]
    y = np.array([float(g.y) for g in test])
    mae = float(np.abs(model.predict(test) - y).mean())
    result = {"fold": fold, "test_mae": mae, "n_fit": len(fit_rows), "n_val": len(val_rows), "n_test": len(test_rows),
              "seconds": round(time.perf_counter() - started, 1)}
    if model.model.has_importance:
        result["ic"] = ic_concentration(model.crystal_importance(test))
    return result


def ic_concentration(ic) -> dict:
    """How far the mean crystal ICs over materials are from uniform (features with mean IC > 0)."""
    mean_ic = ic.transpose("material", "feature").values.mean(axis=0)
    names = [str(n) for n in ic.coords["feature"].values]
    varying = mean_ic > 0  # a feature constant on the training rows has IC 0 in every material
    order = np.argsort(-mean_ic, kind="stable")[:TOP]
    return {"features": int(varying.sum()), "max_over_median": float(mean_ic.max() / np.median(mean_ic[varying])),
            "top10_share": float(mean_ic[order].sum()), "top10": [[names[i], float(mean_ic[i])] for i in order]}


def summarise(by_variant: dict) -> dict:
    summary = {v: {"fold_maes": [r["test_mae"] for r in runs], "mean_test_mae": float(np.mean([r["test_mae"] for r in runs]))}
               for v, runs in by_variant.items()}
    for v, runs in by_variant.items():
        ics = [r["ic"] for r in runs if "ic" in r]
        if ics:
            counts = Counter(name for c in ics for name, _ in c["top10"])
            summary[v]["ic"] = {"max_over_median": float(np.mean([c["max_over_median"] for c in ics])),
                                "top10_share": float(np.mean([c["top10_share"] for c in ics])),
                                "most_often_top10": [[n, k] for n, k in counts.most_common(TOP)]}
    if "sae" in summary and "linear" in summary:
        sae, linear = np.array(summary["sae"]["fold_maes"]), np.array(summary["linear"]["fold_maes"])
        summary["sae_vs_linear"] = {
            "relative_gap_of_means": float(summary["sae"]["mean_test_mae"] / summary["linear"]["mean_test_mae"] - 1),
            "folds_sae_better": int((sae < linear).sum()), "folds": len(sae),
            "within_2_percent_or_better": bool(summary["sae"]["mean_test_mae"] <= 1.02 * summary["linear"]["mean_test_mae"])}
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="dielectric,mp_perovskites,demo")
    parser.add_argument("--encodings", default="sae,linear,onehot")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-rows", type=int, default=None, help="cap the training rows of each fold")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--name", default="encoding_ablation")
    parser.add_argument("--only-folds", default=None, help="comma list of fold indices to run (default: all)")
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.encodings.split(",") if v.strip()]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown encodings {sorted(unknown)}; use {', '.join(VARIANTS)}")
    for name in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        if name not in SOURCES:
            parser.error(f"unknown dataset {name!r}; use {', '.join(SOURCES)}")
        started = time.perf_counter()
        graphs, unit, folds = load_graphs(name, Path(args.data), args.train_rows, args.folds)
        by_variant = {v: [] for v in variants}
        wanted = range(len(folds)) if args.only_folds is None else [int(k) for k in args.only_folds.split(",")]
        for k in wanted:
            train_rows, test_rows = folds[k]
            for variant in variants:  # interleaved: a partial run still compares like with like
                by_variant[variant].append(train_and_score(graphs, train_rows, test_rows, k, variant, args))
                print(f"{name} fold {k} {variant}: {by_variant[variant][-1]['test_mae']:.4g} {unit}", flush=True)
            done = [r["fold"] for r in by_variant[variants[-1]]]
            write_result(f"{args.name}_{name}", {  # rewritten after every fold: a cut-short run keeps its folds
                "folds_completed": done, "folds_total": len(folds), **_description(name, unit, graphs, args, variants),
                "runs": by_variant, "summary": summarise({v: r[:len(done)] for v, r in by_variant.items()}),
                "wall_seconds": round(time.perf_counter() - started, 1)})


def _description(name, unit, graphs, args, variants) -> dict:
    protocol = ("official Matbench fold(s)" if name == "matbench" else f"KFold({args.folds}, shuffle=True, "
                "random_state=0)") + ", 10% of each training fold for early stopping (same rows for every encoding)"
    if args.train_rows:
        protocol += f", training rows capped at {args.train_rows}"
    return {"dataset": name, "target": SOURCES[name][1] or "dataset default", "unit": unit, "rows": len(graphs),
            "protocol": protocol, "epochs_max": args.epochs, "threads": args.threads, "seed": args.seed,
            "encodings": variants, "variant_settings": {v: VARIANTS[v] for v in variants}}


if __name__ == "__main__":
    main()
