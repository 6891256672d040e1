"""Ensembles over seeds: mean prediction, per-material spread, ICs still a simplex, resumable,
and ``sagatsr train --seeds`` / ``predict`` (std column)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import assert_importance_simplex, synthetic_graphs
from typer.testing import CliRunner

from sagatsr.training import TrainConfig, TrainedEnsemble, TrainedModel, fit_ensemble
from sagatsr.training.ensemble import parse_seeds

TINY = dict(epochs=2, hidden=16, edge_hidden=8, layers=2, heads=2, batch_size=8, num_threads=1, progress=False)


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    graphs = synthetic_graphs(28, seed=8)
    out = tmp_path_factory.mktemp("ensemble")
    fit_ensemble(graphs[:20], graphs[20:24], out, TrainConfig(**TINY), [3, 1])
    return out, graphs


def test_the_ensemble_predicts_the_members_mean_and_spread(ensemble):
    out, graphs = ensemble
    loaded = TrainedModel.load(out)
    assert isinstance(loaded, TrainedEnsemble) and loaded.seeds == [3, 1]
    members = np.stack([TrainedModel.load(out / f"seed{s}").predict(graphs[24:]) for s in (3, 1)])
    assert not np.allclose(members[0], members[1])  # different seeds, different models
    mean, spread = loaded.predict_with_spread(graphs[24:])
    np.testing.assert_allclose(mean, members.mean(0), rtol=1e-6)
    np.testing.assert_allclose(spread, np.abs(members[0] - members[1]) / 2, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(loaded.predict(graphs[24:]), mean, rtol=1e-6)
    assert_importance_simplex(loaded.crystal_importance(graphs[24:]).values)


def test_a_finished_ensemble_is_loaded_not_retrained(ensemble, monkeypatch):
    import importlib

    out, graphs = ensemble
    weights = [(out / f"seed{s}" / "model.pt").read_bytes() for s in (3, 1)]

    def no_training(*args, **kwargs):  # proof by contents and by forbidding training, not by mtimes
        raise AssertionError("a finished member was trained again")

    monkeypatch.setattr(importlib.import_module("sagatsr.training.fit"), "_train", no_training)
    again = fit_ensemble(graphs[:20], graphs[20:24], out, TrainConfig(**TINY), "3,1")
    assert [(out / f"seed{s}" / "model.pt").read_bytes() for s in (3, 1)] == weights
    np.testing.assert_allclose(again.predict(graphs[24:]), TrainedModel.load(out).predict(graphs[24:]))


def test_seed_lists_are_checked():
    assert parse_seeds("0, 1,2") == [0, 1, 2]
    assert parse_seeds([2, 0]) == [2, 0]
    for bad in ("", "0,0", "a,b", "0,x", "1,-2", [-1], "1,", "0,,1"):
        with pytest.raises(ValueError):
            parse_seeds(bad)


def test_cli_train_with_seeds_and_predict_with_spread(tmp_path):
    from sagatsr.cli import app

    runner = CliRunner()
    model = tmp_path / "model"
    result = runner.invoke(app, ["train", "--data", "demo", "--out", str(model), "--epochs", "1", "--batch-size", "8",
                                 "--limit", "12", "--seeds", "0,1", "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert (model / "ensemble.json").is_file() and (model / "seed1" / "model.pt").is_file()
    assert f"an ensemble of 2 models in {model} (ensemble.json; members seed0/, seed1/)" in result.output
    assert "model_card.json" not in result.output  # the folder has none: the members do
    out = tmp_path / "pred.csv"
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", "demo", "--out", str(out), "--limit", "5"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert {"prediction", "std"} <= set(table.columns) and len(table) == 5
    assert (table["std"] >= 0).all() and (table["std"] > 0).any()
    bad = runner.invoke(app, ["train", "--data", "demo", "--out", str(tmp_path / "m2"), "--epochs", "1",
                              "--limit", "6", "--seeds", "1,1"])
    assert bad.exit_code == 2 and "--seeds" in bad.output


def test_run_config_takes_a_seed_list(tmp_path):
    from sagatsr.errors import InputError
    from sagatsr.pipeline.config import RunConfig

    config = RunConfig(data="demo", target=None, out=tmp_path, seeds="2,0")
    assert config.seeds == [2, 0] and RunConfig.from_dict(config.as_dict()).seeds == [2, 0]
    with pytest.raises(InputError, match="--seeds"):
        RunConfig(data="demo", target=None, out=tmp_path, seeds="1,1")
