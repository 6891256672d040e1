"""`sagatsr sr` offers the engine's own defaults and ranges (sagatsr.sr.params), so what the CLI
accepts is what SymbolicRegressor accepts, and a value the engine would refuse fails at the door."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import typer
import xarray as xr
from typer.testing import CliRunner

from sagatsr.cli import app
from sagatsr.errors import InputError
from sagatsr.sr import SymbolicRegressor
from sagatsr.sr.params import DEFAULTS, MAXIMUM, MINIMUM
from test_cli_settings import assert_one_line_error

#: CLI option -> SymbolicRegressor parameter
ENGINE_NAMES = {"max_terms": "max_terms", "rung": "rung", "maxsize": "maxsize",
                "strict_units": "require_dimensionless_coefficients"}


def _sr_options() -> dict:
    command = typer.main.get_command(app).commands["sr"]
    return {param.name: param for param in command.params}


def test_sr_defaults_are_the_engines():
    engine = inspect.signature(SymbolicRegressor).parameters
    options = _sr_options()
    for cli_name, engine_name in ENGINE_NAMES.items():
        assert options[cli_name].default == engine[engine_name].default, cli_name
    assert options["rung"].default == DEFAULTS["rung"] == 3


@pytest.mark.parametrize("name", ["max_terms", "rung", "maxsize"])
def test_sr_ranges_are_the_engines(name):
    option = _sr_options()[name]
    limits = option if hasattr(option, "min") else option.type  # typer's own option, or click's IntRange
    assert limits.min == MINIMUM[name] and limits.max == MAXIMUM.get(name)
    SymbolicRegressor(backend="sisso", **{name: MINIMUM[name]})  # the CLI's bounds are accepted by the engine
    with pytest.raises(InputError, match=name):
        SymbolicRegressor(backend="sisso", **{name: MINIMUM[name] - 1})
    if name in MAXIMUM:
        SymbolicRegressor(backend="sisso", **{name: MAXIMUM[name]})
        with pytest.raises(InputError, match=name):
            SymbolicRegressor(backend="sisso", **{name: MAXIMUM[name] + 1})


@pytest.fixture
def features_nc(tmp_path):
    from sagatsr.data.feature_table import attach_target

    rng = np.random.default_rng(0)
    ds = xr.Dataset({"a": ("material", rng.uniform(1, 2, 12), {"units": "m"}),
                     "b": ("material", rng.uniform(1, 2, 12), {"units": "s"})})
    path = tmp_path / "f.nc"
    attach_target(ds, "v", ds["a"].values / ds["b"].values, "m/s").to_netcdf(path)
    return path


def test_sr_passes_the_engines_defaults_when_no_option_is_given(features_nc, tmp_path, monkeypatch):
    seen = {}

    def recording(**kwargs):
        seen.update(kwargs)
        raise InputError("stopped by the test")

    monkeypatch.setattr("sagatsr.sr.regressor.SymbolicRegressor", recording)
    result = CliRunner().invoke(app, ["sr", "--data", str(features_nc), "--out", str(tmp_path / "s")])
    assert_one_line_error(result, "stopped by the test")
    assert {name: seen[name] for name in ("max_terms", "rung", "maxsize")} == \
        {name: DEFAULTS[name] for name in ("max_terms", "rung", "maxsize")}


@pytest.mark.parametrize("args, fragment", [(["--rung", "0"], "--rung"), (["--rung", "7"], "--rung"),
                                            (["--max-terms", "9"], "--max-terms"), (["--maxsize", "0"], "--maxsize")])
def test_values_the_engine_refuses_fail_before_writing(args, fragment, features_nc, tmp_path):
    out = tmp_path / "s"
    result = CliRunner().invoke(app, ["sr", "--data", str(features_nc), "--out", str(out), *args])
    assert_one_line_error(result, fragment)
    assert not out.exists()
