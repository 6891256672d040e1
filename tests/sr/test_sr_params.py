"""SymbolicRegressor parameters, inputs and names: each bad value is one InputError/UnitError line,
raised before any search starts."""

import numpy as np
import pytest

from sagatsr.errors import InputError, SagatsrError, UnitError
from sagatsr.sr import SymbolicRegressor


@pytest.mark.parametrize("kwargs, match", [
    ({"rung": 0}, "rung"), ({"rung": -1}, "rung"), ({"max_terms": 0}, "max_terms"),
    ({"n_sis": 0}, "n_sis"), ({"max_candidates": 0}, "max_candidates"), ({"maxsize": 0}, "maxsize"),
    ({"rung": 2.5}, "rung"), ({"rung": True}, "rung"), ({"max_terms": "3"}, "max_terms"),
    ({"units": "loose"}, "units"), ({"backend": "pysr"}, "backend"), ({"operators": "add"}, "operators"),
    ({"operators": []}, "operators"), ({"operators": ["sqrt"]}, "binary"),
    ({"operators": ["add", "tan"]}, "operators"), ({"best_tolerance": 0.5}, "best_tolerance"),
    ({"best_tolerance": float("nan")}, "best_tolerance"), ({"seed": -1}, "seed"),
    ({"units": "fit", "require_dimensionless_coefficients": True}, "strict"),
    ({"julia_options": "x"}, "julia_options"), ({"rung": 50}, "rung"),
])
def test_bad_parameters_are_refused_at_construction(kwargs, match):
    with pytest.raises(InputError, match=match) as info:
        SymbolicRegressor(**{"backend": "sisso", **kwargs})
    assert "\n" not in str(info.value)


def test_the_old_strict_flag_is_an_alias_of_units_strict():
    model = SymbolicRegressor(backend="sisso", require_dimensionless_coefficients=True)
    assert model.units == "strict" and model.require_dimensionless_coefficients
    assert SymbolicRegressor(backend="sisso").units == "fit"


def _data(n=40, p=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 3, (n, p))
    return X, X[:, 0] * 2 + rng.normal(0, 0.01, n)


@pytest.mark.parametrize("case, error, match", [
    ("mks", InputError, "one unit string per column"),
    ("degC", UnitError, "offset"),
    ("one_row", InputError, "too few"),
    ("six_rows", InputError, "too few"),
    ("zero_columns", InputError, "no columns"),
    ("constant_y", InputError, "constant"),
    ("dot_name", InputError, "identifiers"),
    ("keyword_name", InputError, "identifiers"),
])
def test_bad_fit_inputs_are_one_line_errors(case, error, match):
    X, y = _data()
    kwargs = dict(X_units=["m", "kg"], variable_names=["a", "b"])
    if case == "mks":
        kwargs["X_units"] = "mk"
    elif case == "degC":
        kwargs["X_units"] = ["degC", "kg"]
    elif case == "one_row":
        X, y = X[:1], y[:1]
    elif case == "six_rows":
        X, y = X[:6], np.random.default_rng(1).normal(size=6)
    elif case == "zero_columns":
        X, kwargs = X[:, :0], {}
    elif case == "constant_y":
        y = np.full_like(y, 2.0)
    elif case == "dot_name":
        kwargs["variable_names"] = ["x·y", "b"]
    elif case == "keyword_name":
        kwargs["variable_names"] = ["lambda", "b"]
    with pytest.raises(error, match=match) as info:
        SymbolicRegressor(backend="sisso", max_terms=2, operators=["add", "mul"]).fit(X, y, **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("names", [["nan", "inf"], ["é", "χ_P"], ["E", "I"]])
def test_unusual_identifiers_fit_save_and_load(names):
    X, y = _data()
    model = SymbolicRegressor(backend="sisso", max_terms=1, rung=1, operators=["add", "mul"])
    model.fit(X, y, X_units=["m", "kg"], y_units="m", variable_names=names)
    loaded = SymbolicRegressor.from_json(model.to_json())
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-9)


def test_six_rows_of_noise_do_not_give_a_confident_formula():
    # with max_terms=1 six rows pass the row check; the held-out error then keeps best_ simple
    rng = np.random.default_rng(5)
    X, y = rng.uniform(1, 2, (10, 3)), rng.normal(size=10)
    model = SymbolicRegressor(backend="sisso", max_terms=1, rung=2).fit(X, y)
    assert model.best_.cv_loss > 0.5 * np.var(y)
    with pytest.raises(SagatsrError, match="too few"):
        SymbolicRegressor(backend="sisso").fit(X[:6], y[:6])
