"""Saving and loading a SymbolicRegressor: round trips, and a file that must neither hang nor lie."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import assert_loader_refuses, assert_loader_round_trip
from sagatsr.sr import SymbolicRegressor


def _fitted(units="fit", seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 3, (60, 3))
    y = 1.5 * X[:, 0] * X[:, 1] + rng.normal(0, 0.01, 60)
    model = SymbolicRegressor(backend="sisso", max_terms=2, rung=1, units=units,
                              operators=["add", "sub", "mul", "div", "exp"])
    model.fit(X, y, X_units=["m", "kg", "s"], y_units="m*kg", variable_names=["a", "b", "c"])
    return model, X


@pytest.mark.parametrize("units", ["fit", "strict"])
def test_round_trip_keeps_formulas_predictions_and_verdicts(units, tmp_path):
    model, X = _fitted(units)
    assert_loader_round_trip(model, X)
    model.to_json(tmp_path / "m.json")
    loaded = SymbolicRegressor.from_json(tmp_path / "m.json")
    assert loaded.units == units and loaded.best_.expression == model.best_.expression
    # best_ reads the row-by-row comparison, so it is saved (the residuals themselves are not)
    assert [e.cv_excess_z for e in loaded.pareto_front_] == [e.cv_excess_z for e in model.pareto_front_]
    assert [e.cv_search_penalty for e in loaded.pareto_front_] == [e.cv_search_penalty for e in model.pareto_front_]
    assert all(e.cv_excess_z is not None and e.cv_residuals is None for e in loaded.pareto_front_)


def _saved(**changes):
    model, _ = _fitted()
    data = json.loads(model.to_json())
    for key, value in changes.items():
        if key.startswith("eq_"):
            data["pareto_front"][0][key[3:]] = value
        elif key.startswith("param_"):
            data["params"][key[6:]] = value
        else:
            data[key] = value
    return json.dumps(data)


@pytest.mark.parametrize("changes, match", [
    ({"eq_expression": "9**9**9**9"}, "exponent"),
    ({"eq_expression": "1e999999*a"}, "not finite"),
    ({"eq_expression": " + ".join(["a"] * 200_000)}, "characters"),
    ({"eq_expression": "(" * 3000 + "a" + ")" * 3000}, "deep"),
    ({"eq_expression": "__import__('os').system('true')"}, "parse"),
    ({"eq_expression": "a + Inf"}, "non-finite"),
    ({"eq_expression": "exp(q)"}, "unknown variable"),
    ({"eq_loss": "0.1"}, "loss"),
    ({"eq_cv_excess_z": "small"}, "cv_excess_z"),
    ({"eq_surprise": 1}, "unknown keys"),
    ({"param_julia_options": {"procs": 64}}, "unknown keys"),
    ({"param_rung": 0}, "rung"),
    ({"param_shell": "rm"}, "unknown keys"),
    ({"extra": 1}, "unknown keys"),
    ({"variable_names": ["a", "b", "x·y"]}, "identifiers"),
    ({"X_units": ["m", "degC", "s"]}, "offset"),
    ({"pareto_front": []}, "pareto_front"),
])
def test_a_bad_file_is_one_input_error(changes, match):
    assert_loader_refuses(_saved(**changes), match)


def test_non_finite_json_numbers_and_garbage_are_refused():
    assert_loader_refuses(_saved().replace('"loss": ', '"loss": 1e999999, "x": ', 1), "non-finite")
    assert_loader_refuses('{"params": {}, "variable_names": [], "pareto_front": [NaN]}', "non-finite")
    assert_loader_refuses("{" * 100_000, "JSON")
    assert_loader_refuses("[1, 2]", "object")


def test_stored_verdicts_are_recomputed_not_believed():
    # exp(a) + log(b) with a in metres: the file says consistent and pure; the loader disagrees
    text = _saved(eq_expression="exp(a) + log(b)", eq_dimensionally_consistent=True,
                  eq_pure_number_coefficients=True)
    eq = SymbolicRegressor.from_json(text).pareto_front_[0]
    assert eq.dimensionally_consistent is False and eq.pure_number_coefficients is False
    # a*b in m*kg with y in m*kg has pure-number coefficients whatever the file says
    eq = SymbolicRegressor.from_json(_saved(eq_expression="2.0*a*b", eq_pure_number_coefficients=False)
                                     ).pareto_front_[0]
    assert eq.dimensionally_consistent and eq.pure_number_coefficients


@settings(max_examples=25, deadline=None)
@given(text=st.text(alphabet="ab+-*/^()., 0123456789eE", max_size=60))
def test_any_formula_text_loads_or_is_refused_in_one_line(text):
    try:
        loaded = SymbolicRegressor.from_json(_saved(eq_expression=text))
    except Exception as exc:  # noqa: BLE001 - the property: only InputError, one line
        from sagatsr.errors import InputError

        assert isinstance(exc, InputError) and "\n" not in str(exc), repr(exc)
    else:
        assert loaded.pareto_front_[0].expression == text
