"""The model contract (sagatsr.model.base): any CrystalModel trains, saves and loads by class name;
hyper-parameters are recorded once; model directories and run folders of earlier versions still load."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from helpers import small_model, synthetic_graphs
from torch import nn

from sagatsr.errors import CheckpointError, InputError
from sagatsr.model.base import CrystalModel, build_model, model_hyper_parameters
from sagatsr.training import TrainConfig, TrainedModel, fit

TINY = dict(hidden=16, edge_hidden=8, layers=2, heads=2, batch_size=8, num_threads=1, progress=False)


class MeanPoolMLP(CrystalModel):
    """A model without importance coefficients: mean of an MLP of the site features."""

    def __init__(self, num_site_features, num_crystal_features, num_edge_features, *, width: int = 8) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(num_site_features, width), nn.Tanh(), nn.Linear(width, 1))
        self.register_buffer("scale", torch.ones(num_site_features))

    @property
    def has_importance(self) -> bool:
        return False

    def fit_normalization(self, graphs) -> None:
        self.scale.copy_(torch.cat([g.x for g in graphs]).abs().amax(0).clamp(min=1e-6))
        super().fit_normalization(graphs)

    def encode(self, batch):
        from torch_geometric.utils import scatter

        per_atom = self.net(batch.x.float() / self.scale).squeeze(-1)
        return scatter(per_atom, batch.batch, dim=0, dim_size=batch.num_graphs, reduce="mean"), None, None


@pytest.fixture(scope="module")
def graphs():
    return synthetic_graphs(24, seed=4)


def test_hyper_parameters_are_recorded_from_the_signature(graphs):
    model = small_model(graphs[0], layers=3)
    assert model.config["layers"] == 3 and model.config["num_site_features"] == graphs[0].x.size(1)
    defaults = model_hyper_parameters("SAGAT")
    assert set(model.config) == set(defaults) | {"num_site_features", "num_crystal_features", "num_edge_features"}
    rebuilt = build_model("SAGAT", model.input_widths, model.config)
    assert rebuilt.config == model.config
    with pytest.raises(TypeError, match="colour"):
        build_model("SAGAT", model.input_widths, {"colour": "red"})
    with pytest.raises(ValueError, match="known models"):
        build_model("NoSuchNet", (1, 1, 1))


def test_train_config_holds_model_and_arguments_once():
    config = TrainConfig(hidden=24, angle_layers=1)
    assert config.model == "SAGAT" and config.model_args["hidden"] == 24 and config.hidden == 24
    assert set(config.model_args) == set(model_hyper_parameters("SAGAT"))
    assert TrainConfig.from_dict(config.as_dict()) == config
    flat = {k: v for k, v in config.as_dict().items() if k not in ("model", "model_args")}
    assert TrainConfig.from_dict({**flat, **config.model_args}) == config  # an earlier version's card
    with pytest.raises(TypeError, match="wingspan"):
        TrainConfig(wingspan=3)
    config.encoding = "linear"
    assert config.model_args["encoding"] == "linear"


def test_any_crystal_model_trains_saves_and_loads_by_name(graphs, tmp_path):
    config = TrainConfig(epochs=2, seed=0, model="MeanPoolMLP", model_args={"width": 5}, batch_size=8,
                         num_threads=1, progress=False)
    trained = fit(graphs[:20], graphs[20:], tmp_path, config)
    saved = json.loads((tmp_path / "model_config.json").read_text())
    assert saved["model_class"] == "MeanPoolMLP" and saved["model"]["width"] == 5
    loaded = TrainedModel.load(tmp_path)
    assert isinstance(loaded.model, MeanPoolMLP)
    np.testing.assert_allclose(loaded.predict(graphs[20:]), trained.predict(graphs[20:]), rtol=1e-6)
    with pytest.raises(InputError, match="importance coefficients"):
        loaded.crystal_importance(graphs[20:])


def test_a_model_directory_of_format_1_still_loads(graphs, tmp_path):
    trained = fit(graphs[:20], graphs[20:], tmp_path, TrainConfig(epochs=1, **TINY))
    payload = json.loads((tmp_path / "model_config.json").read_text())
    payload.pop("model_class")
    payload["format_version"] = 1
    for name in ("angle_layers", "angle_basis", "angle_neighbors"):  # an earlier SAGAT had none of these
        payload["model"].pop(name)
    (tmp_path / "model_config.json").write_text(json.dumps(payload))
    np.testing.assert_allclose(TrainedModel.load(tmp_path).predict(graphs[20:]), trained.predict(graphs[20:]),
                               rtol=1e-6)
    payload["model"]["hidden"] = 99  # weights no longer match: one line, naming what to do
    (tmp_path / "model_config.json").write_text(json.dumps(payload))
    with pytest.raises(CheckpointError, match="retrain") as error:
        TrainedModel.load(tmp_path)
    assert "\n" not in str(error.value)


def test_a_finished_run_of_an_earlier_version_is_loaded_not_redone(graphs, tmp_path, monkeypatch):
    config = TrainConfig(epochs=1, **TINY)
    fit(graphs[:20], graphs[20:], tmp_path, config)
    run = json.loads((tmp_path / "run_config.json").read_text())
    model_args = run["config"].pop("model_args")
    run["config"].pop("model")
    run["config"].update(model_args)  # the flat layout of earlier versions
    run.pop("target")  # and before the target was part of a run's description
    (tmp_path / "run_config.json").write_text(json.dumps(run))
    import importlib

    before = (tmp_path / "model.pt").read_bytes()

    def no_training(*args, **kwargs):  # proof by forbidding training, not by mtimes
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(importlib.import_module("sagatsr.training.fit"), "_train", no_training)
    fit(graphs[:20], graphs[20:], tmp_path, config)
    assert (tmp_path / "model.pt").read_bytes() == before


def test_a_finished_model_under_another_target_unit_is_trained_anew_and_says_why(graphs, tmp_path, caplog):
    """The same numbers labelled with another unit (a typo fixed: eV/atm → eV/atom) must not reuse
    the card that names the old unit."""
    config = TrainConfig(epochs=1, **TINY)
    fit(graphs[:20], graphs[20:], tmp_path, config, meta={"target": "gap", "unit": "eV/atm"})
    with caplog.at_level("WARNING", logger="sagatsr"):
        fit(graphs[:20], graphs[20:], tmp_path, config, meta={"target": "gap", "unit": "eV/atom"})
    card = json.loads((tmp_path / "model_card.json").read_text())
    assert card["data"] == {"target": "gap", "unit": "eV/atom"}
    assert TrainedModel.load(tmp_path).target == {"target": "gap", "unit": "eV/atom"}
    assert any("holds a finished model of other settings" in r.message and "eV/atm" in r.message
               and "eV/atom" in r.message for r in caplog.records), caplog.text
