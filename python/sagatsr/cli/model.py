"""CLI commands of the model: ``sagatsr train``, ``sagatsr predict``, ``sagatsr screen``."""

from __future__ import annotations

from pathlib import Path

import typer

DATA_HELP = 'dataset folder (id_prop.csv + files), CSV, matminer .json.gz, or "demo"'


def _graphs(data: str, target: str | None, limit: int | None, skip_bad: bool, cache: Path | None = None):
    """Load a dataset and build its graphs; report skipped rows on stderr."""
    from sagatsr.data import load_dataset
    from sagatsr.graphs import CrystalGraphBuilder

    on_error = "skip" if skip_bad else "raise"
    loaded = load_dataset(data, target, limit=limit, on_error=on_error)
    for skipped in getattr(loaded, "skipped", []) or []:
        typer.echo(f"skipped row {skipped.row} ({skipped.id}): {skipped.reason}", err=True)
    builder = CrystalGraphBuilder()
    graphs = builder.build_many(loaded.structures, loaded.targets, loaded.ids, cache_dir=cache,
                                progress=True, on_error=on_error)
    return loaded, builder, graphs


def train_command(
    data: str = typer.Option(..., "--data", help=DATA_HELP),
    target: str = typer.Option(None, "--target", help="target column (default: the dataset's own)"),
    out: Path = typer.Option(..., "--out", help="output directory (rerun the same command to resume)"),
    epochs: int = typer.Option(100, "--epochs", min=1),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    limit: int = typer.Option(None, "--limit", help="use only the first N materials"),
    seed: int = typer.Option(0, "--seed"),
    encoding: str = typer.Option("sae", "--encoding", help="sae | linear | onehot"),
    val_fraction: float = typer.Option(0.1, "--val-fraction", help="share of materials held out for early stopping"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip unreadable rows and report them"),
) -> None:
    """Train SA-GAT; writes model.pt, model_card.json, metrics.csv and checkpoints into OUT."""
    import numpy as np

    from sagatsr.errors import InputError
    from sagatsr.training import TrainConfig, fit

    if encoding not in ("sae", "linear", "onehot"):
        raise InputError(f"unknown encoding {encoding!r}; use sae, linear or onehot")
    loaded, builder, graphs = _graphs(data, target, limit, skip_bad)
    if loaded.targets is None:
        raise InputError("the dataset has no target column; pass --target", source=data)
    if len(graphs) < 3:
        raise InputError(f"only {len(graphs)} usable materials; training needs at least 3", source=data)
    order = np.random.default_rng(seed).permutation(len(graphs))
    n_val = max(1, int(round(val_fraction * len(graphs))))
    val_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
    config = TrainConfig(epochs=epochs, batch_size=batch_size, seed=seed, encoding=encoding)
    meta = {"data": str(data), "target": loaded.target_name, "unit": loaded.target_unit,
            "n_train": len(train_rows), "n_val": len(val_rows),
            "val_ids": [graphs[i].material_id for i in val_rows]}
    trained = fit([graphs[i] for i in train_rows], [graphs[i] for i in val_rows], out, config,
                  feature_names=builder.space.crystal_names, meta=meta)
    card = (Path(out) / "model_card.json")
    typer.echo(f"trained on {len(train_rows)} materials (validation {len(val_rows)}); model in {out} "
               f"({card.name}); encoding {trained.model.encoding}")


def predict_command(
    model: Path = typer.Option(..., "--model", help="directory written by `sagatsr train`"),
    data: str = typer.Option(..., "--data", help=DATA_HELP),
    out: Path = typer.Option(..., "--out", help="output CSV (id, prediction[, target])"),
    limit: int = typer.Option(None, "--limit"),
    skip_bad: bool = typer.Option(False, "--skip-bad"),
) -> None:
    """Predict the trained target for every material of a dataset."""
    import pandas as pd

    from sagatsr.training import TrainedModel

    trained = TrainedModel.load(model)
    loaded, _, graphs = _graphs(data, trained.target.get("target"), limit, skip_bad)
    table = pd.DataFrame({"id": [g.material_id for g in graphs], "prediction": trained.predict(graphs)})
    if loaded.targets is not None:
        table["target"] = [float(g.y) for g in graphs]
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    unit = trained.target.get("unit") or "target units"
    typer.echo(f"wrote {len(table)} predictions ({unit}) to {out}")


def screen_command(
    model: Path = typer.Option(..., "--model", help="directory written by `sagatsr train`"),
    data: str = typer.Option(..., "--data", help=DATA_HELP),
    out: Path = typer.Option(..., "--out", help="output directory"),
    top_k: int = typer.Option(10, "--top-k", min=1),
    limit: int = typer.Option(None, "--limit"),
    skip_bad: bool = typer.Option(False, "--skip-bad"),
) -> None:
    """Rank crystal features by mean importance coefficient; writes importance.csv/.nc/.png."""
    from sagatsr.screening import rank_features, save_importance, top_k as best_features
    from sagatsr.training import TrainedModel

    trained = TrainedModel.load(model)
    _, builder, graphs = _graphs(data, None, limit, skip_bad)
    ic = trained.crystal_importance(graphs)
    units = trained.crystal_units or [builder.space.feature(n).unit for n in trained.crystal_names]
    ranking = rank_features(ic, units)
    paths = save_importance(ic, ranking, out)
    typer.echo(f"top {top_k}: " + ", ".join(best_features(ranking, top_k)))
    typer.echo(f"wrote {paths['csv']}, {paths['netcdf']}, {paths['png']}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="train")(train_command)
    app.command(name="predict")(predict_command)
    app.command(name="screen")(screen_command)
