"""CLI command ``sagatsr featurize``: crystal features of a dataset written to NetCDF."""

from __future__ import annotations

from pathlib import Path

import typer


def featurize_command(
    data: str = typer.Option(..., "--data", help='dataset folder/CSV/json.gz, or "demo"'),
    out: Path = typer.Option(..., "--out", help="output NetCDF file (.nc)"),
    target: str = typer.Option(None, "--target", help="target column to store beside the features"),
    limit: int = typer.Option(None, "--limit", help="use only the first N materials"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip unreadable rows and report them"),
) -> None:
    """Compute the crystal features of every material and write them (with units) to NetCDF."""
    from sagatsr.data import load_dataset
    from sagatsr.features import featurize

    loaded = load_dataset(data, target, limit=limit, on_error="skip" if skip_bad else "raise")
    for skipped in getattr(loaded, "skipped", []) or []:
        typer.echo(f"skipped row {skipped.row} ({skipped.id}): {skipped.reason}", err=True)
    ds = featurize(loaded.structures, ids=loaded.ids)
    if loaded.targets is not None:
        name = loaded.target_name or "target"
        ds[f"target_{name}"] = ("material", loaded.targets,
                                {"units": loaded.target_unit or "dimensionless",
                                 "description": f"target {name}"})
    out.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(out)
    typer.echo(f"wrote {len(ds.material)} materials x {len(ds.data_vars)} variables to {out}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="featurize")(featurize_command)
