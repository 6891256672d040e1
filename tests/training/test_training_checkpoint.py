"""Saved models load safely; corrupt, foreign or mismatched files give one clear CheckpointError."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from helpers import small_model, synthetic_graphs

from sagatsr.errors import CheckpointError, InputError
from sagatsr.training import TrainedModel


@pytest.fixture()
def saved(tmp_path):
    graphs = synthetic_graphs(6)
    model = small_model(graphs[0])
    model.fit_normalization(graphs)
    names = [f"f{k}" for k in range(graphs[0].u.size(1))]
    TrainedModel(model, crystal_names=names, target={"unit": "eV"}).save(tmp_path / "model")
    return tmp_path / "model", graphs


@pytest.fixture()
def saved_with_original(tmp_path):
    """A saved model together with the in-memory model that was saved (and its feature names)."""
    graphs = synthetic_graphs(6)
    model = small_model(graphs[0], seed=3)
    model.fit_normalization(graphs)
    names = [f"f{k}" for k in range(graphs[0].u.size(1))]
    original = TrainedModel(model, crystal_names=names, target={"unit": "eV"})
    original.save(tmp_path / "model")
    return tmp_path / "model", graphs, original


def test_round_trip_gives_back_the_saved_model(saved_with_original):
    directory, graphs, original = saved_with_original
    loaded = TrainedModel.load(directory)
    saved_state, loaded_state = original.model.state_dict(), loaded.model.state_dict()
    assert saved_state.keys() == loaded_state.keys()
    for key, value in saved_state.items():
        torch.testing.assert_close(loaded_state[key], value, rtol=0, atol=0, msg=key)
    np.testing.assert_array_equal(loaded.predict(graphs), original.predict(graphs))
    np.testing.assert_array_equal(loaded.crystal_importance(graphs).values, original.crystal_importance(graphs).values)
    assert loaded.crystal_names == original.crystal_names and loaded.target == {"unit": "eV"}


def test_round_trip_keeps_predictions_and_importance(saved):
    directory, graphs = saved
    loaded = TrainedModel.load(directory)
    ic = loaded.crystal_importance(graphs)
    assert ic.dims == ("material", "feature")
    assert ic.coords["material"].values.tolist() == [g.material_id for g in graphs]
    np.testing.assert_allclose(ic.sum("feature"), 1.0, rtol=1e-5)
    sites = loaded.site_importance(graphs)
    assert sites.sizes["site"] == sum(g.num_nodes for g in graphs)
    np.testing.assert_allclose(sites.sum("feature"), 1.0, rtol=1e-5)


def test_corrupt_weights(saved):
    directory, _ = saved
    (directory / "model.pt").write_bytes(b"\x00garbage, not a torch file")
    with pytest.raises(CheckpointError, match="corrupt"):
        TrainedModel.load(directory)


def test_foreign_pickle_is_refused_not_executed(saved, tmp_path):
    directory, _ = saved
    marker = tmp_path / "executed"
    torch.save({"payload": _Evil(str(marker))}, directory / "model.pt")
    with pytest.raises(CheckpointError):
        TrainedModel.load(directory)
    assert not marker.exists()


def test_weights_of_another_architecture(saved, tmp_path):
    directory, graphs = saved
    other = small_model(graphs[0], hidden=8, heads=2)
    torch.save(other.state_dict(), directory / "model.pt")
    with pytest.raises(CheckpointError, match="does not match|cannot be rebuilt"):
        TrainedModel.load(directory)


def test_foreign_or_missing_description(saved, tmp_path):
    directory, _ = saved
    (directory / "model_config.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(CheckpointError, match="not a sagatsr model"):
        TrainedModel.load(directory)
    (directory / "model_config.json").write_text("{ not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        TrainedModel.load(directory)
    shutil.rmtree(directory)
    with pytest.raises(CheckpointError, match="not found"):
        TrainedModel.load(directory)


def test_graphs_of_another_feature_space_are_named(saved):
    directory, _ = saved
    wrong = synthetic_graphs(2, n_crystal=7, seed=5)
    with pytest.raises(InputError, match="syn-5.*7 crystal features"):
        TrainedModel.load(directory).predict(wrong)


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))
