"""CLI command ``sagatsr sr``: symbolic regression on a featurized NetCDF or a dataset source."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Optional

import typer


def _load_table(data: str, target: str, limit):
    """(xarray Dataset of features, y, y unit) from ``FILE.nc`` or a ``load_dataset`` source."""
    import numpy as np

    from sagatsr.errors import InputError

    if data.endswith(".nc"):
        import xarray as xr

        path = Path(data)
        if not path.exists():
            raise InputError("file not found", source=data)
        ds = xr.load_dataset(path)
        if target not in ds.data_vars:
            raise InputError(f"target {target!r} is not a variable of the NetCDF "
                             f"(variables: {', '.join(map(str, ds.data_vars))})", source=data)
        y = np.asarray(ds[target].values, dtype=float)
        y_unit = str(ds[target].attrs.get("units", "dimensionless"))
        ds = ds.drop_vars(target)
    else:
        from sagatsr import featurize
        from sagatsr.data import load_dataset

        loaded = load_dataset(data, target, limit=limit)
        if loaded.targets is None:
            raise InputError(f"dataset has no target column {target!r}", source=data)
        ds = featurize(loaded.structures, ids=loaded.ids)
        y, y_unit = np.asarray(loaded.targets, dtype=float), loaded.target_unit
    if limit:
        ds, y = ds.isel({next(iter(ds.dims)): slice(0, limit)}), y[:limit]
    return ds, y, y_unit


def _pareto_png(front, path: Path, unit: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(5.4, 3.8))
    ax.plot([e.complexity for e in front], [np.sqrt(e.loss) for e in front], "o-")
    ax.set_xlabel("complexity")
    ax.set_ylabel(f"training RMSE ({unit})")
    ax.set_yscale("symlog", linthresh=1e-6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def sr(
    data: str = typer.Option(..., "--data", help="Featurized NetCDF (from `sagatsr featurize`) holding "
                             "the target as a variable, or a dataset source for load_dataset."),
    target: str = typer.Option(..., "--target", help="Target column / variable."),
    out: Path = typer.Option(..., "--out", help="Output directory (formulas.json, pareto.png, sr.json)."),
    backend: str = typer.Option("auto", "--backend", help="auto | julia | sisso"),
    features: Optional[str] = typer.Option(None, "--features", help="Comma-separated feature names."),
    max_terms: int = typer.Option(3, "--max-terms", help="sisso: descriptors besides the intercept."),
    rung: int = typer.Option(2, "--rung", help="sisso: feature-construction depth."),
    operators: Optional[str] = typer.Option(None, "--operators", help="Comma-separated catalog names."),
    maxsize: int = typer.Option(30, "--maxsize", help="Largest formula complexity kept."),
    strict_units: bool = typer.Option(False, "--strict-units", help="Only descriptors with y's unit "
                                      "(dimensionless coefficients)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N rows."),
) -> None:
    """Fit a Pareto front of dimensionally consistent formulas target ≈ f(features)."""
    from sagatsr.errors import InputError
    from sagatsr.sr import SymbolicRegressor

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ds, y, y_unit = _load_table(data, target, limit)
    names = [n.strip() for n in features.split(",")] if features else list(map(str, ds.data_vars))
    missing = [n for n in names if n not in ds.data_vars]
    if missing:
        raise InputError(f"unknown features {missing}", source=data)
    model = SymbolicRegressor(backend=backend, max_terms=max_terms, rung=rung, maxsize=maxsize,
                              operators=operators.split(",") if operators else None,
                              require_dimensionless_coefficients=strict_units,
                              progress=True)
    model.fit(ds[names], y, y_units=y_unit, variable_names=names)
    out.mkdir(parents=True, exist_ok=True)
    best = model.best_
    records = [{**eq.to_dict(), "target": target, "best": eq is best, "notes": model.notes_}
               for eq in model.pareto_front_]
    (out / "formulas.json").write_text(json.dumps(records, indent=2))
    model.to_json(out / "sr.json")
    _pareto_png(model.pareto_front_, out / "pareto.png", y_unit)
    for note in model.notes_:
        typer.echo(f"note: {note}")
    typer.echo(f"best ({model.backend_used_}): {target} = {best.expression}  [{y_unit}]")
    typer.echo(f"formulas: {out / 'formulas.json'}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="sr")(sr)
