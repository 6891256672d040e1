"""CLI command ``sagatsr featurize``: crystal features of a dataset written to NetCDF, with the
target (under its own name, with its unit) when the source has one."""

from __future__ import annotations

import typer

from sagatsr.cli.options import (AllowOutside, Limit, OutFile, SkipBad, StructuresData, Target, TargetUnit, Threads,
                                 report_skipped, start)


def _load(data: str, target, target_unit, limit, on_error, allow_outside=False):
    """Labelled when the source has a target whose unit is known or given; structures only otherwise
    (a bare folder, or a source whose unit nobody gave: then a note says how to include it)."""
    from sagatsr.data import load_dataset, load_structures, peek_target
    from sagatsr.errors import UnitError

    if data != "demo" and _is_bare(data):
        if target is not None or target_unit is not None:
            typer.echo(f"note: {data} holds structures only; --target/--target-unit ignored", err=True)
        return load_structures(data, limit=limit, on_error=on_error, allow_outside=allow_outside)
    if target is None and target_unit is None:
        try:
            peek_target(data, None, None)
        except UnitError as exc:
            typer.echo(f"note: features only, no target stored ({exc})", err=True)
            return load_structures(data, limit=limit, on_error=on_error, allow_outside=allow_outside)
    return load_dataset(data, target, limit=limit, on_error=on_error, target_unit=target_unit,
                        allow_outside=allow_outside)


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
    allow_outside: AllowOutside = False,
    threads: Threads = None,
) -> None:
    """Compute the crystal features of every material and write them (with units) to NetCDF; rows
    left out are listed in ``<name>.skipped.csv`` beside it."""
    start(threads)
    from sagatsr.data.badrows import GraphSet
    from sagatsr.data.feature_table import attach_target
    from sagatsr.features import featurize
    from sagatsr.io import atomic_target, prepare_output_file

    prepare_output_file(out, (".nc",))  # before hours of featurizing
    loaded = _load(data, target, target_unit, limit, "skip" if skip_bad else "raise", allow_outside)
    report_skipped(GraphSet(loaded, loaded.structures,
                            [{"row": s.row, "id": s.id, "file": s.file, "reason": s.reason} for s in loaded.skipped]),
                   out)
    ds = featurize(loaded.structures, ids=loaded.ids)
    if loaded.targets is not None:
        ds = attach_target(ds, loaded.target_name, loaded.targets, loaded.target_unit)
    with atomic_target(out) as tmp:
        ds.to_netcdf(tmp)
    stored = f"; target {loaded.target_name} [{loaded.target_unit}]" if loaded.targets is not None else ""
    typer.echo(f"wrote {len(ds.material)} materials x {len(ds.data_vars)} variables to {out}{stored}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="featurize")(featurize_command)
