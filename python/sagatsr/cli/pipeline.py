"""CLI commands: ``sagatsr run`` (the whole pipeline) and ``sagatsr demo`` (it, on built-in data)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer


def _summary(run: Path) -> list[str]:
    """Test-set MAE of the network and of each mode's selected formula, from the run's own files."""
    import json

    from sagatsr.report.writer import collect_metrics

    metrics = collect_metrics(run)
    unit = json.loads((run / "dataset.json").read_text()).get("target_unit", "")
    lines = [f"SA-GAT test MAE: {metrics['gnn_test_mae']:.4g} {unit} "
             f"(mean predictor {metrics['mean_predictor_test_mae']:.4g})"]
    for formula in json.loads((run / "formulas.json").read_text()):
        if formula.get("best") and formula.get("test"):
            lines.append(f"formula ({formula['mode']}, test MAE {formula['test']['mae']:.4g}): "
                         f"{formula['expression']}  [{formula['units']}]")
    return lines


def _report_and_finish(report: Path) -> None:
    for line in _summary(report.parent):
        typer.echo(line)
    typer.echo(f"report: {report}")
    typer.echo(f"formulas: {report.parent / 'formulas.json'}")


def run(
    data: str = typer.Option(..., "--data", help="Dataset: folder with id_prop.csv, CSV with a file column, "
                             "matminer split .json.gz, or 'demo'."),
    target: str = typer.Option(None, "--target", help="Target column (default: the dataset's only/first one)."),
    out: Path = typer.Option(..., "--out", help="Run directory; rerunning resumes finished steps."),
    top_k: int = typer.Option(8, "--top-k", help="Features passed from the IC ranking to symbolic regression."),
    sr_backend: str = typer.Option("auto", "--sr-backend", help="auto | julia | sisso"),
    epochs: int = typer.Option(100, "--epochs", help="Training epochs (early stopping may end sooner)."),
    batch_size: int = typer.Option(32, "--batch-size"),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N rows."),
    oof_folds: int = typer.Option(5, "--oof-folds", help="K-fold cross-fitting for E_p given to SR "
                                  "(0: fit SR on the validation rows only)."),
    seed: int = typer.Option(0, "--seed"),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad row instead of skipping it."),
) -> None:
    """Structures -> features -> SA-GAT -> importance -> formulas -> report, resumable."""
    from sagatsr.pipeline import RunConfig, run_pipeline

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = RunConfig(data=data, target=target, out=out, top_k=top_k, sr_backend=sr_backend, epochs=epochs,
                       batch_size=batch_size, limit=limit, oof_folds=oof_folds, seed=seed, strict=strict)
    _report_and_finish(run_pipeline(config))


def demo(out: Path = typer.Option(Path("sagatsr-demo"), "--out", help="Run directory.")) -> None:
    """The whole pipeline on built-in real data: 71 elemental crystals and their DFT bulk moduli
    (GPa), shipped inside ASE. A few minutes on 2 CPU cores."""
    from sagatsr.pipeline import demo_config, run_pipeline

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    _report_and_finish(run_pipeline(demo_config(out)))


def register(app) -> None:
    app.command(name="run")(run)
    app.command(name="demo")(demo)
