"""The one-descriptor yardstick finds a planted law, fits it on the fitting rows only, and keeps units."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagatsr.report.yardstick import best_one_descriptor
from sagatsr.units import dimension_vector


@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["single", "ratio", "product"]))
def test_planted_one_descriptor_law_is_recovered(seed, kind):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 5.0, size=(80, 5))
    i, j = rng.choice(5, size=2, replace=False)
    descriptor = {"single": X[:, i], "ratio": X[:, i] / X[:, j], "product": X[:, i] * X[:, j]}[kind]
    y = 4.0 - 3.0 * descriptor
    names = ["heat", "vol", "mass", "radius", "chi"]
    units = ["kJ/mol", "Å^3", "amu", "Å", "dimensionless"]
    found = best_one_descriptor(X[:60], y[:60], names, units, X[60:], y[60:], y_unit="GPa")
    expected = {"single": names[i], "ratio": f"{names[i]}/{names[j]}",
                "product": {f"{names[i]}*{names[j]}", f"{names[j]}*{names[i]}"}}[kind]
    assert found.descriptor in (expected if isinstance(expected, set) else {expected})
    assert found.slope == pytest.approx(-3.0, rel=1e-6) and found.intercept == pytest.approx(4.0, rel=1e-6)
    assert found.test_mae == pytest.approx(0.0, abs=1e-8) and found.n_test == 20
    np.testing.assert_allclose(dimension_vector(found.slope_unit) + dimension_vector(found.descriptor_unit),
                               dimension_vector("GPa"), atol=1e-9)


def test_fit_uses_only_the_fitting_rows():
    X = np.arange(1.0, 21.0).reshape(-1, 1)
    y = 2.0 * X[:, 0]
    y_test_shifted = y[15:] + 100.0  # a different law on the test rows must not change the line
    found = best_one_descriptor(X[:15], y[:15], ["x"], ["Å"], X[15:], y_test_shifted)
    assert found.slope == pytest.approx(2.0) and found.test_mae == pytest.approx(100.0)


def test_ratios_never_divide_by_a_feature_that_crosses_zero():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.uniform(1, 2, 50), rng.uniform(-1, 1, 50)])
    found = best_one_descriptor(X, X[:, 0] / X[:, 1], ["a", "b"], ["eV", "eV"])
    assert "/b" not in found.descriptor
