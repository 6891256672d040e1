"""CLI command ``sagatsr featurize``: crystal features of a dataset written to NetCDF, with the
target (under its own name, with its unit) when the source has one."""

from __future__ import annotations

import typer

from sagatsr.cli.options import Limit, OutFile, SkipBad, StructuresData, Target, TargetUnit, Threads, echo_skipped, start


def _load(data: str, target, target_unit, limit, on_error):
    """Labelled when the source has a target whose unit is known or given; structures only otherwise
    (a bare folder, or a source whose unit nobody gave: then a note says how to include it)."""
    from sagatsr.data import load_dataset, load_structures, peek_target
    from sagatsr.errors import UnitError

    if data != "demo" and _is_bare(data):
        if target is not None or target_unit is not None:
            typer.echo(f"note: {data} holds structures only; --target/--target-unit ignored", err=True)
        return load_structures(data, limit=limit, on_error=on_error)
    if target is None and target_unit is None:
        try:
            peek_target(data, None, None)
        except UnitError as exc:
            typer.echo(f"note: features only, no target stored ({exc})", err=True)
            return load_structures(data, limit=limit, on_error=on_error)
    return load_dataset(data, target, limit=limit, on_error=on_error, target_unit=target_unit)


def _is_bare(data: str) -> bool:
    from pathlib import Path

    path = Path(data)
    if path.is_dir():
        return not (path / "id_prop.csv").exists()
    return not path.name.endswith((".csv", ".json", ".json.gz"))


def featurize_command(
    data: StructuresData,
    out: OutFile,
    target: Target = None,
    target_unit: TargetUnit = None,
    limit: Limit = None,
    skip_bad: SkipBad = False,
    threads: Threads = None,
) -> None:
    """Compute the crystal features of every material and write them (with units) to NetCDF."""
    start(threads)
    from sagatsr.data.feature_table import attach_target
    from sagatsr.features import featurize

    loaded = _load(data, target, target_unit, limit, "skip" if skip_bad else "raise")
    echo_skipped(loaded)
    ds = featurize(loaded.structures, ids=loaded.ids)
    if loaded.targets is not None:
        ds = attach_target(ds, loaded.target_name, loaded.targets, loaded.target_unit)
    out.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(out)
    stored = f"; target {loaded.target_name} [{loaded.target_unit}]" if loaded.targets is not None else ""
    typer.echo(f"wrote {len(ds.material)} materials x {len(ds.data_vars)} variables to {out}{stored}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="featurize")(featurize_command)
