"""CLI commands of the model: ``sagatsr train``, ``sagatsr predict``, ``sagatsr screen``.

``train`` needs labels and the target's unit; ``predict`` and ``screen`` read any structures
(labelled or not) and use the model's own target and unit (:func:`sagatsr.data.load_for_model`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sagatsr.cli.options import (BatchSize, Data, EncodingChoice, Epochs, Limit, ModelDir, Out, OutFile, Seed,
                                 SkipBad, StructuresData, Target, TargetUnit, Threads, TopK, echo_skipped, start)
from sagatsr.pipeline.config import Encoding


def _build_graphs(loaded, on_error: str, cache: Path | None = None):
    from sagatsr.graphs import CrystalGraphBuilder

    builder = CrystalGraphBuilder()
    graphs = builder.build_many(loaded.structures, loaded.targets, loaded.ids, cache_dir=cache,
                                progress=True, on_error=on_error)
    return builder, graphs


def _model_graphs(model: Path, data: str, limit, skip_bad: bool):
    """(trained model, loaded structures, graphs) for predicting with / screening by ``model``."""
    from sagatsr.data import load_for_model
    from sagatsr.training import TrainedModel

    trained = TrainedModel.load(model)
    on_error = "skip" if skip_bad else "raise"
    loaded = load_for_model(data, trained.target.get("target"), trained.target.get("unit"), limit=limit,
                            on_error=on_error)
    echo_skipped(loaded)
    builder, graphs = _build_graphs(loaded, on_error)
    return trained, loaded, builder, graphs


def train_command(
    data: Data,
    out: Out,
    target: Target = None,
    target_unit: TargetUnit = None,
    epochs: Epochs = 100,
    batch_size: BatchSize = 64,
    limit: Limit = None,
    seed: Seed = 0,
    encoding: EncodingChoice = Encoding.sae,
    val_fraction: Annotated[float, typer.Option("--val-fraction", min=0.01, max=0.5,
                                                help="share of materials held out for early stopping")] = 0.1,
    skip_bad: SkipBad = False,
    threads: Threads = None,
) -> None:
    """Train SA-GAT; writes model.pt, model_card.json (target and unit), metrics.csv and checkpoints."""
    threads = start(threads)
    import numpy as np

    from sagatsr.data import load_dataset, peek_target
    from sagatsr.errors import InputError
    from sagatsr.training import TrainConfig, fit

    peek_target(data, target, target_unit)  # no unit, no column: refuse before any work
    on_error = "skip" if skip_bad else "raise"
    loaded = load_dataset(data, target, limit=limit, on_error=on_error, target_unit=target_unit)
    echo_skipped(loaded)
    builder, graphs = _build_graphs(loaded, on_error)
    if len(graphs) < 3:
        raise InputError(f"only {len(graphs)} usable materials; training needs at least 3", source=data)
    order = np.random.default_rng(seed).permutation(len(graphs))
    n_val = max(1, int(round(val_fraction * len(graphs))))
    val_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
    config = TrainConfig(epochs=epochs, batch_size=batch_size, seed=seed, encoding=encoding.value,
                         num_threads=threads)
    meta = {"data": str(data), "target": loaded.target_name, "unit": loaded.target_unit,
            "n_train": len(train_rows), "n_val": len(val_rows),
            "val_ids": [graphs[i].material_id for i in val_rows]}
    trained = fit([graphs[i] for i in train_rows], [graphs[i] for i in val_rows], out, config,
                  feature_names=builder.space.crystal_names, meta=meta)
    typer.echo(f"trained on {len(train_rows)} materials (validation {len(val_rows)}) to predict "
               f"{loaded.target_name} [{loaded.target_unit}]; model in {out} (model_card.json); "
               f"encoding {trained.model.encoding}")


def predict_command(
    model: ModelDir,
    data: StructuresData,
    out: OutFile,
    limit: Limit = None,
    skip_bad: SkipBad = False,
    threads: Threads = None,
) -> None:
    """Predict the model's target, in its unit, for every structure (labels not needed).

    Writes a CSV with columns id, file, prediction, unit (and target, when the source has the
    model's target)."""
    start(threads)
    import pandas as pd

    trained, loaded, _, graphs = _model_graphs(model, data, limit, skip_bad)
    name, unit = trained.target.get("target") or "target", trained.target.get("unit") or "dimensionless"
    files = dict(zip(loaded.ids, loaded.files))
    table = pd.DataFrame({"id": [g.material_id for g in graphs],
                          "file": [files.get(g.material_id, "") for g in graphs],
                          "prediction": trained.predict(graphs), "unit": unit})
    if loaded.targets is not None and loaded.target_name == name:
        table[f"target_{name}" if name in table.columns else "target"] = [float(g.y) for g in graphs]
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    typer.echo(f"wrote {len(table)} predictions of {name} [{unit}] to {out}")


def screen_command(
    model: ModelDir,
    data: StructuresData,
    out: Out,
    top_k: TopK = 10,
    limit: Limit = None,
    skip_bad: SkipBad = False,
    threads: Threads = None,
) -> None:
    """Rank crystal features by mean importance coefficient on any structures (labels not needed);
    writes importance.csv/.nc/.png and target.json (the model's target and unit)."""
    start(threads)
    import json

    from sagatsr.screening import rank_features, save_importance, top_k as best_features

    trained, _, builder, graphs = _model_graphs(model, data, limit, skip_bad)
    ic = trained.crystal_importance(graphs)
    units = trained.crystal_units or [builder.space.feature(n).unit for n in trained.crystal_names]
    ranking = rank_features(ic, units)
    paths = save_importance(ic, ranking, out)
    target = {"target": trained.target.get("target"), "unit": trained.target.get("unit")}
    (Path(out) / "target.json").write_text(json.dumps(target, indent=2))
    typer.echo(f"top {top_k} features for {target['target']} [{target['unit']}]: "
               + ", ".join(best_features(ranking, top_k)))
    typer.echo(f"wrote {paths['csv']}, {paths['netcdf']}, {paths['png']}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="train")(train_command)
    app.command(name="predict")(predict_command)
    app.command(name="screen")(screen_command)
