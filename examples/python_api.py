"""A walk through the Python API, step by step, on the built-in demo data (ASE's 71 elemental
crystals with WIEN2k PBE bulk moduli in GPa). Runs in about a minute on 2 CPU cores.

    python examples/python_api.py [--out runs/api-walkthrough]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("runs/api-walkthrough"))
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. Structures and targets: any loader source works the same way.
    from sagatsr.data import load_dataset

    data = load_dataset("demo")
    print(f"{len(data.ids)} structures, target {data.target_name} in {data.target_unit}")

    # 2. Features with units: an xarray Dataset, one variable per crystal feature.
    from sagatsr import featurize
    from sagatsr.features import FeatureSpace

    space = FeatureSpace.default()
    features = featurize(data.structures, ids=data.ids, progress=False)
    print(f"{len(space.site_features)} site features, {len(space.crystal_features)} crystal features;",
          "e.g.", space.crystal_features[0].name, f"[{space.crystal_features[0].unit}]")
    features.to_netcdf(args.out / "features.nc")

    # 3. Crystal graphs (12 Å, 12 nearest neighbours, Gaussian distances, shell ranks), cached.
    from sagatsr.graphs import CrystalGraphBuilder

    graphs = CrystalGraphBuilder().build_many(data.structures, data.targets, data.ids,
                                              cache_dir=args.out / "graph_cache", progress=False)

    # 4. Train SA-GAT on 80 %, validate on 20 %.
    from sagatsr.training import TrainConfig, fit

    order = np.random.default_rng(0).permutation(len(graphs))
    cut = int(0.8 * len(graphs))
    model = fit([graphs[i] for i in order[:cut]], [graphs[i] for i in order[cut:]], args.out / "model",
                TrainConfig(epochs=args.epochs, batch_size=16, seed=0))
    e_p = model.predict(graphs)
    val = order[cut:]
    print(f"validation MAE: {np.mean(np.abs(e_p[val] - data.targets[val])):.2f} {data.target_unit}")

    # 5. Importance coefficients: which features the model looked at, with units.
    from sagatsr.screening import rank_features, top_k

    ic = model.crystal_importance(graphs)
    ranking = rank_features(ic, space.crystal_units)
    print(ranking.head(5).to_string(index=False))
    top = top_k(ranking, 4)

    # 6. Formulas from the top features alone (units from the featurized Dataset).
    from sagatsr.sr import SymbolicRegressor

    sr = SymbolicRegressor(backend="auto")
    sr.fit(features[top], data.targets, y_units=data.target_unit)
    print("backend:", sr.backend_used_, *sr.notes_)
    for eq in sr.pareto_front_:
        print(f"  complexity {eq.complexity:2d}  MSE {eq.loss:10.4g}  [{eq.units}]  {eq.expression}")
    print("selected:", sr.best_.expression)
    print("LaTeX:", sr.latex())


if __name__ == "__main__":
    main()
