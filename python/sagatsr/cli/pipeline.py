"""CLI commands: ``sagatsr run`` (the whole pipeline) and ``sagatsr demo`` (it, on built-in data).

Every setting is checked when the :class:`~sagatsr.pipeline.RunConfig` is built and the target's
column and unit when the run starts — before the run directory is created."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sagatsr.cli.options import (AllowOutside, AngleBasis, AngleLayers, AngleNeighbors, Backend, BatchSize, Cutoff,
                                 Data, EncodingChoice, Epochs, Limit, Out, Seed, SkipBad, SRMaxsize, SRMaxTerms,
                                 SRNiterations, SwaEpochs, Target, TargetUnit, Threads, TopK, angle_args, start)
from sagatsr.pipeline.config import Encoding, SRBackend, SRSettings


def _summary(run: Path) -> list[str]:
    """Test-set MAE of the network and of each mode's selected formula, from the run's own files."""
    import json

    from sagatsr.report.formula_render import short_formula
    from sagatsr.report.writer import collect_metrics
    from sagatsr.units import pretty_unit

    def shown_unit(text):
        return pretty_unit(text) or text

    metrics = collect_metrics(run)
    unit = json.loads((run / "dataset.json").read_text()).get("target_unit", "")
    lines = [f"SA-GAT test MAE: {metrics['gnn_test_mae']:.4g} {shown_unit(unit)} "
             f"(mean predictor {metrics['mean_predictor_test_mae']:.4g})"]
    for formula in json.loads((run / "formulas.json").read_text()):
        if formula.get("best") and formula.get("test"):
            lines.append(f"formula ({formula['mode']}, test MAE {formula['test']['mae']:.4g}): "
                         f"{short_formula(formula['expression'], formula['offered'])}  [{shown_unit(formula['units'])}]")
    return lines


def _report_and_finish(report: Path) -> None:
    for line in _summary(report.parent):
        typer.echo(line)
    typer.echo(f"report: {report}")
    typer.echo(f"formulas: {report.parent / 'formulas.json'}")


def run(
    data: Data,
    out: Annotated[Path, typer.Option("--out", help="Run directory; rerunning resumes finished steps.")],
    target: Target = None,
    target_unit: TargetUnit = None,
    top_k: TopK = 8,
    sr_backend: Backend = SRBackend.auto,
    sr_max_terms: SRMaxTerms = SRSettings.max_terms,
    sr_maxsize: SRMaxsize = SRSettings.maxsize,
    sr_niterations: SRNiterations = SRSettings.niterations,
    epochs: Epochs = 100,
    batch_size: BatchSize = 32,
    encoding: EncodingChoice = Encoding.sae,
    limit: Limit = None,
    oof_folds: Annotated[int, typer.Option("--oof-folds", min=0, help="K-fold cross-fitting for the E_p given "
                                           "to SR (K ≥ 2; 0: fit SR on the validation rows only).")] = 5,
    seed: Seed = 0,
    skip_bad: SkipBad = False,
    strict: Annotated[Optional[bool], typer.Option(
        "--strict/--no-strict", hidden=True, help="earlier spelling: --no-strict is --skip-bad")] = None,
    cutoff: Cutoff = 12.0,
    allow_outside: AllowOutside = False,
    threads: Threads = None,
    seeds: Annotated[Optional[str], typer.Option(
        "--seeds", help="main model as an ensemble: one model per seed (e.g. 0,1,2), mean prediction")] = None,
    angle_layers: AngleLayers = None,
    angle_neighbors: AngleNeighbors = None,
    angle_basis: AngleBasis = None,
    swa_epochs: SwaEpochs = 0,
) -> None:
    """Structures -> features -> SA-GAT -> importance -> formulas -> report, resumable (skipped.csv
    lists the rows left out under --skip-bad)."""
    threads = start(threads)  # before torch is imported
    from sagatsr.pipeline.config import RunConfig

    config = RunConfig(data=data, target=target, target_unit=target_unit, out=out, top_k=top_k, limit=limit,
                       oof_folds=oof_folds, strict=not skip_bad and strict is not False, cutoff=cutoff,
                       allow_outside=allow_outside,
                       threads=threads, seeds=seeds,
                       train=dict(epochs=epochs, batch_size=batch_size, seed=seed, encoding=encoding.value,
                                  swa_epochs=swa_epochs, **angle_args(angle_layers, angle_neighbors, angle_basis)),
                       sr=SRSettings(backend=sr_backend, max_terms=sr_max_terms, maxsize=sr_maxsize,
                                     niterations=sr_niterations))
    from sagatsr.pipeline.run import run_pipeline

    _report_and_finish(run_pipeline(config))


def demo(out: Annotated[Path, typer.Option("--out", help="Run directory.")] = Path("sagatsr-demo"),
         threads: Threads = None) -> None:
    """The whole pipeline on built-in real data: 71 elemental crystals and their DFT bulk moduli
    (GPa), shipped inside ASE. About half a minute on 2 idle CPU cores."""
    from sagatsr.pipeline.config import demo_config

    config = demo_config(out, start(threads))
    from sagatsr.pipeline.run import run_pipeline

    _report_and_finish(run_pipeline(config))


def register(app) -> None:
    app.command(name="run")(run)
    app.command(name="demo")(demo)
