"""Ranking of importance coefficients with units, top-k, and the exported files."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from sagatsr.errors import InputError
from sagatsr.screening import rank_features, save_importance, top_k


def _ic(values, names=None):
    values = np.asarray(values, dtype=float)
    names = names or [f"f{k}" for k in range(values.shape[1])]
    return xr.DataArray(values, dims=("material", "feature"),
                        coords={"material": [f"m{k}" for k in range(len(values))], "feature": names})


@given(seed=st.integers(0, 10_000), n_materials=st.integers(1, 12), n_features=st.integers(1, 30))
def test_ranking_orders_by_mean_and_keeps_units(seed, n_materials, n_features):
    raw = np.random.default_rng(seed).dirichlet(np.ones(n_features), size=n_materials)
    names = [f"feat_{k}" for k in range(n_features)]
    units = {name: ["eV", "Å", "GPa", "dimensionless"][k % 4] for k, name in enumerate(names)}
    table = rank_features(_ic(raw, names), units)
    assert list(table.columns) == ["feature", "unit", "mean_ic", "std_ic", "rank"]
    assert sorted(table["feature"]) == sorted(names)
    assert all(units[f] == u for f, u in zip(table["feature"], table["unit"]))
    means = dict(zip(names, raw.mean(axis=0)))
    np.testing.assert_allclose(table["mean_ic"], [means[f] for f in table["feature"]])
    assert (np.diff(table["mean_ic"]) <= 1e-15).all()
    assert table["rank"].iloc[0] == 1 and (np.diff(table["rank"]) >= 0).all()
    assert table["mean_ic"].sum() == pytest.approx(1.0)
    k = min(3, n_features)
    assert top_k(table, k) == table["feature"].head(k).tolist()


def test_ties_share_a_rank_and_std_is_over_materials():
    table = rank_features(_ic([[0.4, 0.25, 0.35], [0.4, 0.35, 0.25]]), ["eV", "Å", "K"])
    assert table["rank"].tolist() == [1, 2, 2]
    row = table.set_index("feature").loc["f1"]
    assert row["std_ic"] == pytest.approx(0.05)


def test_missing_units_are_named():
    with pytest.raises(InputError, match="f1"):
        rank_features(_ic([[0.5, 0.5]]), {"f0": "eV"})
    with pytest.raises(InputError, match="top-k"):
        top_k(rank_features(_ic([[1.0]]), ["eV"]), 0)


def test_save_importance_writes_csv_netcdf_and_png(tmp_path):
    ic = _ic([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2]], ["band_center", "volume_per_atom", "tolerance_factor"])
    table = rank_features(ic, ["eV", "Å^3", "dimensionless"])
    paths = save_importance(ic, table, tmp_path)
    assert (tmp_path / "importance.csv").read_text().splitlines()[0] == "feature,unit,mean_ic,std_ic,rank"
    with xr.open_dataset(paths["netcdf"]) as opened:
        np.testing.assert_allclose(opened[ic.name or "ic"].values, ic.values)
        assert opened["material"].values.tolist() == ["m0", "m1"]
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
