"""CLI commands of the model: ``sagatsr train``, ``sagatsr predict``, ``sagatsr screen``.

``train`` needs labels and the target's unit; ``predict`` and ``screen`` read any structures
(labelled or not) and use the model's own target and unit (:func:`sagatsr.data.load_for_model`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sagatsr.cli.options import (AllowOutside, AngleBasis, AngleLayers, AngleNeighbors, BatchSize, Cutoff, Data,
                                 EncodingChoice, Epochs, Limit, ModelDir, Out, OutFile, Seed, SkipBad, StructuresData,
                                 SwaEpochs, Target, TargetUnit, Threads, TopK, angle_args, report_skipped, start)
from sagatsr.pipeline.config import Encoding, checked_train_config


def _build_graphs(loaded, skip_bad: bool, cutoff: float, out: Path):
    """(builder, graphs) of ``loaded``; rows left out by loading or graph building go to the
    skipped file of ``out`` (:mod:`sagatsr.data.badrows`) and are reported in one line."""
    from sagatsr.data.badrows import build_graphs
    from sagatsr.graphs import CrystalGraphBuilder

    builder = CrystalGraphBuilder(cutoff=cutoff)
    built = build_graphs(loaded, builder, skip=skip_bad)
    report_skipped(built, out)
    return builder, built


def _model_graphs(model: Path, data: str, limit, skip_bad: bool, out: Path, allow_outside: bool = False):
    """(trained model, loaded structures, builder, :class:`~sagatsr.data.badrows.GraphSet`) for
    predicting with / screening by ``model``, with the graph cutoff the model was trained with."""
    from sagatsr.data import load_for_model
    from sagatsr.training import TrainedModel

    trained = TrainedModel.load(model)
    on_error = "skip" if skip_bad else "raise"
    loaded = load_for_model(data, trained.target.get("target"), trained.target.get("unit"), limit=limit,
                            on_error=on_error, allow_outside=allow_outside)
    cutoff = float((trained.target.get("graph") or {}).get("cutoff", 12.0))
    builder, built = _build_graphs(loaded, skip_bad, cutoff, out)
    return trained, loaded, builder, built


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
    cutoff: Cutoff = 12.0,
    allow_outside: AllowOutside = False,
    threads: Threads = None,
    seeds: Annotated[Optional[str], typer.Option(
        "--seeds", help="an ensemble: one model per seed (e.g. 0,1,2), same split (from --seed); predict "
                        "reports their mean and spread")] = None,
    angle_layers: AngleLayers = None,
    angle_neighbors: AngleNeighbors = None,
    angle_basis: AngleBasis = None,
    swa_epochs: SwaEpochs = 0,
) -> None:
    """Train SA-GAT; writes model.pt, model_card.json (target and unit), metrics.csv, checkpoints and
    skipped.csv into OUT (locked while training; rerun the same command to resume)."""
    from sagatsr.data import peek_target
    from sagatsr.io import OutputLock, prepare_output_dir

    threads = start(threads)  # before torch is imported
    # every setting is checked before anything is read or written
    seed_list = _seed_list(seeds)
    config = checked_train_config(epochs=epochs, batch_size=batch_size, seed=seed, encoding=encoding.value,
                                  num_threads=threads, swa_epochs=swa_epochs,
                                  **angle_args(angle_layers, angle_neighbors, angle_basis))
    peek_target(data, target, target_unit)  # no unit, no column: refuse before any work
    prepare_output_dir(out)  # --out a file, or not writable: refuse before any work
    with OutputLock(out):
        _train(data, out, target, target_unit, limit, config, val_fraction, skip_bad, cutoff, allow_outside,
               seed_list)


def _seed_list(seeds: Optional[str]) -> Optional[list[int]]:
    """The ``--seeds`` list (``None``: one model), or a one-line InputError naming the option."""
    if seeds is None:
        return None
    from sagatsr.errors import InputError
    from sagatsr.training.ensemble import parse_seeds

    try:
        return parse_seeds(seeds)
    except ValueError as exc:
        raise InputError(f"--seeds: {exc}") from None


def _train(data, out, target, target_unit, limit, config, val_fraction, skip_bad, cutoff, allow_outside,
           seed_list=None) -> None:
    import numpy as np

    from sagatsr.data import load_dataset
    from sagatsr.errors import InputError
    from sagatsr.training import fit

    on_error = "skip" if skip_bad else "raise"
    loaded = load_dataset(data, target, limit=limit, on_error=on_error, target_unit=target_unit,
                          allow_outside=allow_outside)
    builder, built = _build_graphs(loaded, skip_bad, cutoff, out)
    graphs = built.graphs
    if len(graphs) < 3:
        raise InputError(f"only {len(graphs)} usable materials; training needs at least 3", source=data)
    order = np.random.default_rng(config.seed).permutation(len(graphs))
    n_val = max(1, int(round(val_fraction * len(graphs))))
    val_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
    meta = {"data": str(data), "target": loaded.target_name, "unit": loaded.target_unit,
            "n_train": len(train_rows), "n_val": len(val_rows),
            "val_ids": [graphs[i].material_id for i in val_rows], "graph": {"cutoff": cutoff}}
    train_graphs, val_graphs = [graphs[i] for i in train_rows], [graphs[i] for i in val_rows]
    if seed_list:
        from sagatsr.training import fit_ensemble

        trained = fit_ensemble(train_graphs, val_graphs, out, config, seed_list,
                               feature_names=builder.space.crystal_names, meta=meta)
        members = ", ".join(f"seed{s}/" for s in seed_list)
        what = (f"an ensemble of {len(seed_list)} model{'s' * (len(seed_list) != 1)} in {out} "
                f"(ensemble.json; members {members})")
    else:
        trained = fit(train_graphs, val_graphs, out, config, feature_names=builder.space.crystal_names, meta=meta)
        what = f"model in {out} (model_card.json)"
    typer.echo(f"trained on {len(train_rows)} materials (validation {len(val_rows)}) to predict "
               f"{loaded.target_name} [{loaded.target_unit}]; {what}; encoding {trained.model.encoding}")


def predict_command(
    model: ModelDir,
    data: StructuresData,
    out: OutFile,
    limit: Limit = None,
    skip_bad: SkipBad = False,
    allow_outside: AllowOutside = False,
    threads: Threads = None,
) -> None:
    """Predict the model's target, in its unit, for every structure (labels not needed).

    Writes a CSV with columns id, file, prediction, unit (for an ensemble trained with --seeds also
    std, the spread of its members; and target, when the source has the model's target), and beside it ``<name>.skipped.csv`` listing the rows left out."""
    from sagatsr.io import atomic_target, prepare_output_file

    start(threads)
    import pandas as pd

    prepare_output_file(out, (".csv",))
    trained, loaded, _, built = _model_graphs(model, data, limit, skip_bad, out, allow_outside)
    graphs = built.graphs
    name, unit = trained.target.get("target") or "target", trained.target.get("unit") or "dimensionless"
    files = dict(zip(loaded.ids, loaded.files))
    # an ensemble (train --seeds): the members' mean and their spread
    spread = trained.predict_with_spread(graphs) if hasattr(trained, "predict_with_spread") else None
    table = pd.DataFrame({"id": [g.material_id for g in graphs],
                          "file": [files.get(g.material_id, "") for g in graphs],
                          "prediction": spread[0] if spread else trained.predict(graphs), "unit": unit})
    if spread:
        table.insert(3, "std", spread[1])
    if loaded.targets is not None and loaded.target_name == name:
        table[f"target_{name}" if name in table.columns else "target"] = [float(g.y) for g in graphs]
    with atomic_target(out) as tmp:
        table.to_csv(tmp, index=False)
    from sagatsr.data.badrows import skipped_path

    note = (f" for {built.n_rows} rows: {len(built.skipped)} skipped, listed in {skipped_path(out)}"
            if built.skipped else "")
    typer.echo(f"wrote {len(table)} prediction{'s' * (len(table) != 1)} of {name} [{unit}] to {out}{note}")


def screen_command(
    model: ModelDir,
    data: StructuresData,
    out: Out,
    top_k: TopK = 10,
    limit: Limit = None,
    skip_bad: SkipBad = False,
    allow_outside: AllowOutside = False,
    threads: Threads = None,
) -> None:
    """Rank crystal features by mean importance coefficient on any structures (labels not needed);
    writes importance.csv/.nc/.png, target.json (the model's target and unit) and skipped.csv."""
    from sagatsr.io import OutputLock, prepare_output_dir

    start(threads)
    prepare_output_dir(out)
    with OutputLock(out):
        _screen(model, data, out, top_k, limit, skip_bad, allow_outside)


def _screen(model, data, out, top_k, limit, skip_bad, allow_outside) -> None:
    from sagatsr.io import write_json
    from sagatsr.screening import rank_features, save_importance

    trained, _, builder, built = _model_graphs(model, data, limit, skip_bad, out, allow_outside)
    graphs = built.graphs
    ic = trained.crystal_importance(graphs)
    units = trained.crystal_units or [builder.space.feature(n).unit for n in trained.crystal_names]
    ranking = rank_features(ic, units)
    paths = save_importance(ic, ranking, out)
    from sagatsr.screening.diagnostics import write_ic_diagnostics

    check = write_ic_diagnostics([trained], graphs, out, ranking=ranking, target_unit=trained.target.get("unit"),
                                 intensive={f.name: f.intensive for f in builder.space.crystal_features})
    typer.echo(f"ICs vs permutation importance ({check['permutation']['rows']} materials): Spearman "
               f"{check['permutation']['spearman']:.2f}, top-10 overlap {check['permutation']['top10_overlap']:.0%} "
               "(importance_stability.json, permutation_importance.csv)")
    target = {"target": trained.target.get("target"), "unit": trained.target.get("unit")}
    write_json(Path(out) / "target.json", target)
    top_k = min(top_k, len(check["candidates_by_ic"]))
    typer.echo(f"top {top_k} SR candidates for {target['target']} [{target['unit']}]: "
               + ", ".join(check["candidates_by_ic"][:top_k]) + " (all features: importance.csv)")
    typer.echo(f"wrote {paths['csv']}, {paths['netcdf']}, {paths['png']}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="train")(train_command)
    app.command(name="predict")(predict_command)
    app.command(name="screen")(screen_command)
