"""CLI command ``sagatsr sr``: symbolic regression on a featurized NetCDF or a dataset source."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

import typer

from sagatsr.cli.options import (AllowOutside, Limit, Out, SkipBad, TargetUnit, Threads, _existing_source,
                                 report_skipped, start)
from sagatsr.errors import InputError
from sagatsr.pipeline.config import SRBackend
# the engine's own defaults and ranges (a light module: no numpy, sympy or juliacall)
from sagatsr.sr.params import DEFAULTS, MAXIMUM, MINIMUM


def _load_table(data: str, target, target_unit, limit, out: Path, skip_bad: bool = False, allow_outside: bool = False,
                feature_units=None):
    """(features Dataset, y, target name, y unit) from ``FILE.nc``, a feature table (a CSV without a
    ``file`` column: :mod:`sagatsr.data.feature_csv`) or a ``load_dataset`` source; the rows left out
    go to ``out/skipped.csv`` (empty for a NetCDF, filtered when made)."""
    import numpy as np

    from sagatsr.data.badrows import GraphSet
    from sagatsr.data.feature_csv import is_feature_table, parse_feature_units, read_feature_table
    from sagatsr.data.feature_table import split_target

    units = parse_feature_units(feature_units)
    if units is not None and not is_feature_table(data):
        raise InputError("--feature-units is for a feature table (a CSV of numbers without a 'file' column); "
                         "features computed here carry their own units", source=data)
    if is_feature_table(data):
        ds, y, skipped = read_feature_table(data, target, target_unit, units, limit=limit, skip_bad=skip_bad)
        from types import SimpleNamespace

        report_skipped(GraphSet(SimpleNamespace(numbering="line"), list(range(len(y))), skipped), out)
        return ds, y, target, target_unit
    if data.endswith(".nc"):
        import xarray as xr

        ds, y, name, y_unit = split_target(xr.load_dataset(data), target, source=data)
        report_skipped(GraphSet(None, list(range(len(y))), []), out)
        if target_unit is not None:
            from sagatsr.units import parse_unit

            if parse_unit(target_unit) != parse_unit(y_unit):
                raise InputError(f"the NetCDF stores {name} in {y_unit}, not {target_unit}", source=data)
    else:
        from sagatsr import featurize
        from sagatsr.data import load_dataset

        loaded = load_dataset(data, target, limit=limit, target_unit=target_unit,
                              on_error="skip" if skip_bad else "raise", allow_outside=allow_outside)
        report_skipped(GraphSet(loaded, loaded.structures, [{"row": s.row, "id": s.id, "file": s.file,
                                                             "reason": s.reason} for s in loaded.skipped]), out)
        ds = featurize(loaded.structures, ids=loaded.ids)
        y, name, y_unit = np.asarray(loaded.targets, dtype=float), loaded.target_name, loaded.target_unit
    if limit:
        ds, y = ds.isel(material=slice(0, limit)), y[:limit]
    return ds, y, name, y_unit


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
    from sagatsr.io import atomic_target

    with atomic_target(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)


def sr(
    data: Annotated[str, typer.Option("--data", callback=_existing_source, help="Featurized NetCDF (from `sagatsr featurize` or a run's "
                                      "features.nc) holding the target, or a dataset source for load_dataset.")],
    out: Out,
    target: Annotated[Optional[str], typer.Option("--target", help="Target name (default: the NetCDF's "
                                                  "own target).")] = None,
    target_unit: TargetUnit = None,
    backend: Annotated[SRBackend, typer.Option("--backend", help="symbolic-regression engine")] = SRBackend.auto,
    features: Annotated[Optional[str], typer.Option("--features", help="Comma-separated feature names "
                                                    "(default: all that vary).")] = None,
    max_terms: Annotated[int, typer.Option("--max-terms", min=MINIMUM["max_terms"], max=MAXIMUM["max_terms"],
                                           help="sisso: descriptors besides the intercept.")] = DEFAULTS["max_terms"],
    rung: Annotated[int, typer.Option("--rung", min=MINIMUM["rung"], max=MAXIMUM["rung"],
                                      help="sisso: feature-construction depth.")] = DEFAULTS["rung"],
    operators: Annotated[Optional[str], typer.Option("--operators", help="Comma-separated catalog names.")] = None,
    maxsize: Annotated[int, typer.Option("--maxsize", min=MINIMUM["maxsize"],
                                         help="Largest formula complexity kept.")] = DEFAULTS["maxsize"],
    strict_units: Annotated[bool, typer.Option("--strict-units/--no-strict-units", help="Only descriptors "
                                               "with y's unit (dimensionless coefficients).")] = False,
    feature_units: Annotated[Optional[str], typer.Option("--feature-units", help="For a feature table (a CSV "
                                                         "of numbers): each column's unit, e.g. "
                                                         "'a=eV,b=angstrom' (none: pure numbers).")] = None,
    limit: Limit = None,
    skip_bad: SkipBad = False,
    allow_outside: AllowOutside = False,
    threads: Threads = None,
) -> None:
    """Fit a Pareto front of dimensionally consistent formulas target ≈ f(features)."""
    from sagatsr.io import OutputLock, prepare_output_dir

    start(threads)
    prepare_output_dir(out)  # before the search, not after it
    with OutputLock(out):
        _search(data, out, target, target_unit, backend, features, max_terms, rung, operators, maxsize,
                strict_units, limit, skip_bad, allow_outside, feature_units)


def _search(data, out, target, target_unit, backend, features, max_terms, rung, operators, maxsize, strict_units,
            limit, skip_bad, allow_outside, feature_units=None) -> None:
    from sagatsr.data.feature_table import drop_uninformative, feature_names
    from sagatsr.io import write_json
    from sagatsr.sr import SymbolicRegressor
    from sagatsr.sr.constant_units import coefficients_with_units

    ds, y, target, y_unit = _load_table(data, target, target_unit, limit, out, skip_bad, allow_outside, feature_units)
    if ds.attrs.get("source") == str(data) and not feature_units:
        typer.echo("note: no --feature-units: every feature is treated as a pure number (no dimensional "
                   "analysis between them)", err=True)
    renamed = ds.attrs.get("renamed") or {}
    if renamed:
        typer.echo("note: column names made formula variables: "
                   + ", ".join(f"{old!r} -> {new}" for old, new in renamed.items()), err=True)
    if features:
        names = [renamed.get(n.strip(), n.strip()) for n in features.split(",")]
        missing = [n for n in names if n not in ds.data_vars]
        if missing:
            raise InputError(f"unknown features {missing}", source=data)
    else:
        names, dropped = drop_uninformative(ds, feature_names(ds))
        if dropped:
            typer.echo(f"note: left out {len(dropped)} features that are constant or not finite on these "
                       f"rows (e.g. {', '.join(dropped[:4])})", err=True)
    model = SymbolicRegressor(backend=backend.value, max_terms=max_terms, rung=rung, maxsize=maxsize,
                              operators=operators.split(",") if operators else None,
                              require_dimensionless_coefficients=strict_units, progress=True)
    model.fit(ds[names], y, y_units=y_unit, variable_names=names)
    best = model.best_
    units = {n: str(ds[n].attrs.get("units", "dimensionless")) for n in names}
    columns = {new: old for old, new in renamed.items() if new in names}  # which column each variable is
    records = [{**eq.to_dict(), "target": target, "best": eq is best, "notes": model.notes_,
                "coefficients": coefficients_with_units(eq, units, y_unit),
                **({"columns": columns} if columns else {})} for eq in model.pareto_front_]
    write_json(out / "formulas.json", records)
    model.to_json(out / "sr.json")
    _pareto_png(model.pareto_front_, out / "pareto.png", y_unit)
    from sagatsr.report.formula_render import short_formula

    for note in model.notes_:
        if "julia unavailable" not in note.lower():  # that one was logged once, in plain words
            typer.echo(f"note: {note}")
    typer.echo(f"best ({model.backend_used_}): {target} = {short_formula(best.expression, names)}  [{y_unit}]")
    typer.echo(f"formulas: {out / 'formulas.json'}")


def register(app) -> None:
    """Add this module's commands to the typer app."""
    app.command(name="sr")(sr)
