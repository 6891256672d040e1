"""SymbolicRegressor: inputs, bad input errors, predict vs sympy, best_ rule, JSON, CLI."""

import json

import numpy as np
import pandas as pd
import pytest
import sympy
import xarray as xr

from sagatsr.errors import SagatsrError
from sagatsr.sr import SymbolicRegressor


def _data(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.5, 3.0, (n, 3))
    y = 2.0 * X[:, 0] / X[:, 1] + 0.01 * rng.standard_normal(n)
    return X, y, ["eV", "angstrom", "K"], ["a", "b", "c"]


def test_predict_equals_the_sympy_expression_and_json_round_trips(tmp_path):
    X, y, units, names = _data()
    model = SymbolicRegressor(backend="sisso", max_terms=2).fit(X, y, X_units=units,
                                                                 y_units="eV/angstrom", variable_names=names)
    fn = sympy.lambdify([sympy.Symbol(n, real=True) for n in names], model.best_.sympy, "numpy")
    np.testing.assert_allclose(model.predict(X), np.broadcast_to(fn(*X.T), (len(X),)), rtol=1e-12)
    assert model.best_.units == "eV/angstrom" and model.backend_used_ == "sisso"
    assert model.latex() == sympy.latex(model.best_.sympy)
    loaded = SymbolicRegressor.from_json(model.to_json(tmp_path / "m.json") and tmp_path / "m.json")
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-9)
    lowest = min(e.loss for e in model.pareto_front_)
    assert model.best_.loss <= 1.5 * lowest + 1e-12 * np.var(y)


def _front_of(losses_by_complexity):
    from sagatsr.sr.equation import Equation

    model = SymbolicRegressor(backend="sisso")
    model.pareto_front_ = [Equation(expression=f"x{c}", sympy=sympy.Symbol(f"x{c}"), complexity=c, loss=loss,
                                    units="eV", backend="sisso") for c, loss in losses_by_complexity]
    return model


@pytest.mark.parametrize("front, chosen", [
    ([(1, 100.0), (3, 1.0), (5, 0.9), (15, 0.8)], 3),    # 3 buys 100x; 5 and 15 only shave a little
    ([(1, 1.2), (3, 1.1), (9, 1.0)], 1),                 # all near-best: nothing beats the simplest
    ([(1, 100.0), (3, 10.0), (5, 0.5), (7, 0.45)], 5),   # 3 is not near-best, however large its gain
])
def test_best_is_the_largest_gain_per_complexity_among_the_near_best(front, chosen):
    assert _front_of(front).best_.complexity == chosen


def test_dataframe_and_dataset_inputs_take_names_and_units():
    X, y, units, names = _data()
    ds = xr.Dataset({n: ("material", X[:, i], {"units": u}) for i, (n, u) in enumerate(zip(names, units))})
    from_ds = SymbolicRegressor(backend="sisso", max_terms=1).fit(ds, y, y_units="eV/angstrom")
    from_df = SymbolicRegressor(backend="sisso", max_terms=1).fit(pd.DataFrame(X, columns=names), y,
                                                                   X_units=units, y_units="eV/angstrom")
    assert from_ds.best_.expression == from_df.best_.expression
    assert set(from_ds.best_.inputs) == {"a", "b"}
    np.testing.assert_allclose(from_ds.predict(ds), from_df.predict(pd.DataFrame(X, columns=names)))


def test_auto_backend_falls_back_to_sisso_with_a_note():
    X, y, units, names = _data()
    model = SymbolicRegressor(backend="auto", max_terms=1).fit(X, y, X_units=units, variable_names=names)
    if model.backend_used_ == "sisso":
        assert any("sisso" in note for note in model.notes_)


def _bad(kind):
    X, y, units, names = _data(n=30)
    if kind == "nan_x":
        X[4, 1] = np.nan
    elif kind == "inf_y":
        y[2] = np.inf
    elif kind == "constant_y":
        y = np.full_like(y, 3.5)
    elif kind == "few_rows":
        X, y = X[:3], y[:3]
    elif kind == "n_units":
        units = units[:2]
    elif kind == "unit":
        units = ["eV", "furlongs_per_blorp", "K"]
    return X, y, units, names


@pytest.mark.parametrize("kind, match", [("nan_x", "'b'.*row 4|row 4.*b"), ("inf_y", "row 2"),
                                         ("constant_y", "y is constant"), ("few_rows", "too few"),
                                         ("n_units", "2 units"), ("unit", "furlongs")])
def test_bad_input_is_a_clear_error(kind, match):
    X, y, units, names = _bad(kind)
    with pytest.raises(SagatsrError, match=match):
        SymbolicRegressor(backend="sisso", max_terms=3).fit(X, y, X_units=units, variable_names=names)


def test_a_constant_input_is_dropped_by_name_with_a_note():
    X, y, units, names = _data(n=60)
    X[:, 2] = 1e-34  # constant and tiny: dropped because it is constant, not because it is small
    model = SymbolicRegressor(backend="sisso", max_terms=1).fit(X, y, X_units=units, variable_names=names)
    assert any("dropped" in note and "c" in note.split(":")[-1] for note in model.notes_)
    assert "c" not in model.best_.inputs


def test_unknown_backend_or_operator_is_a_clear_error():
    with pytest.raises(SagatsrError, match="backend"):
        SymbolicRegressor(backend="pysr")
    with pytest.raises(SagatsrError, match="operators"):
        SymbolicRegressor(operators=["add", "tan"])


def test_cli_on_a_featurized_netcdf(tmp_path):
    from typer.testing import CliRunner

    from sagatsr.cli import app

    X, y, units, names = _data()
    ds = xr.Dataset({n: ("material", X[:, i], {"units": u}) for i, (n, u) in enumerate(zip(names, units))})
    ds["target"] = ("material", y, {"units": "eV/angstrom"})
    ds.to_netcdf(tmp_path / "f.nc")
    result = CliRunner().invoke(app, ["sr", "--data", str(tmp_path / "f.nc"), "--target", "target",
                                      "--out", str(tmp_path / "out"), "--backend", "sisso",
                                      "--max-terms", "2"])
    assert result.exit_code == 0, result.output
    records = json.loads((tmp_path / "out" / "formulas.json").read_text())
    assert sum(r["best"] for r in records) == 1 and (tmp_path / "out" / "pareto.png").exists()
    bad = CliRunner().invoke(app, ["sr", "--data", str(tmp_path / "f.nc"), "--target", "nope",
                                   "--out", str(tmp_path / "o2")])
    assert bad.exit_code == 2 and "nope" in bad.output
