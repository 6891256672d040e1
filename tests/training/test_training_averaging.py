"""Weight averaging (SWA): the running mean, the averaging phase of ``fit``, and extending a
finished run with averaging epochs."""

from __future__ import annotations

import json

import lightning as L
import numpy as np
import pandas as pd
import pytest
import torch
from helpers import synthetic_graphs
from hypothesis import given, settings
from hypothesis import strategies as st

from sagatsr.training import TrainConfig, TrainedModel, fit
from sagatsr.training.averaging import WeightAverage
from sagatsr.training.module import lr_factor

TINY = dict(hidden=16, edge_hidden=8, layers=2, heads=2, site_bins=20, crystal_bins=20, batch_size=8, num_threads=1,
            progress=False, warmup_epochs=1, deterministic=True)


@pytest.fixture(scope="module")
def graphs():
    return synthetic_graphs(40, seed=5)


class _WeightsAtEpochEnd(L.Callback):
    """Records the trained (not averaged) weights at the end of every epoch."""

    def __init__(self) -> None:
        self.weights = {}

    def on_train_epoch_end(self, trainer, module) -> None:
        self.weights[trainer.current_epoch] = {k: v.detach().clone() for k, v in module.model.state_dict().items()}


def _mae(trained, graphs) -> float:
    return float(np.abs(trained.predict(graphs) - np.array([float(g.y) for g in graphs])).mean())


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=6), st.floats(-5, 5))
def test_running_mean_equals_the_mean_of_the_weights(values, bias):
    layer = torch.nn.Linear(1, 1)
    average = WeightAverage(layer)
    for value in values:
        with torch.no_grad():
            layer.weight.fill_(value)
            layer.bias.fill_(bias + value)
        average.update(layer)
    assert int(average.count) == len(values)
    assert float(average.average.weight) == pytest.approx(np.mean(values), abs=1e-5)
    assert float(average.average.bias) == pytest.approx(bias + np.mean(values), abs=1e-5)
    assert not any(p.requires_grad for p in average.average.parameters())


def test_schedule_is_constant_in_the_averaging_phase():
    assert lr_factor(99, 10, 100, 3.0, 0.01, 0.2) != 0.2
    assert [lr_factor(step, 10, 100, 3.0, 0.01, 0.2) for step in (100, 150, 10_000)] == [0.2] * 3
    assert lr_factor(150, 10, 100, 3.0, 0.01) == 0.01  # without averaging: the final rate


def test_averaging_phase_validates_and_keeps_the_average(graphs, tmp_path):
    config = TrainConfig(epochs=3, swa_epochs=3, swa_lr_fraction=0.5, seed=2, **TINY)
    record = _WeightsAtEpochEnd()
    trained = fit(graphs[:32], graphs[32:], tmp_path, config, callbacks=[record])
    card = json.loads((tmp_path / "model_card.json").read_text())
    assert card["metrics"]["epochs_run"] == 6 and not card["metrics"]["stopped_early"]
    val = pd.read_csv(tmp_path / "metrics.csv").drop_duplicates("epoch", keep="last").set_index("epoch")["val_mae"]
    best_epoch = int(val.idxmin())
    if best_epoch >= 3:  # the average of epochs 3..best_epoch was kept
        mean = {k: torch.stack([record.weights[e][k].float() for e in range(3, best_epoch + 1)]).mean(0)
                for k in record.weights[3]}
        assert card["metrics"]["weights"] == f"average of epochs 3-{best_epoch} (SWA)"
    else:
        mean = record.weights[best_epoch]
        assert card["metrics"]["weights"] == f"epoch {best_epoch}"
    for key, value in trained.model.state_dict().items():
        torch.testing.assert_close(value.float(), mean[key].float(), rtol=1e-5, atol=1e-6, msg=key)
    # the validation MAE logged in the averaging phase is the average's own, so the kept model's
    # MAE on the validation graphs is the smallest in metrics.csv
    assert _mae(TrainedModel.load(tmp_path), graphs[32:]) == pytest.approx(val.min(), rel=1e-4)


def test_averaging_phase_changes_the_logged_validation(graphs, tmp_path):
    """The last epoch's validation row scores the average, not the weights the epoch ended on."""
    config = TrainConfig(epochs=2, swa_epochs=3, swa_lr_fraction=1.0, seed=4, **TINY)
    record = _WeightsAtEpochEnd()
    trained = fit(graphs[:32], graphs[32:], tmp_path, config, callbacks=[record])
    last_val = pd.read_csv(tmp_path / "metrics.csv").drop_duplicates("epoch", keep="last")["val_mae"].iloc[-1]
    mean = {k: torch.stack([record.weights[e][k].float() for e in (2, 3, 4)]).mean(0) for k in record.weights[2]}
    trained.model.load_state_dict(mean)
    assert _mae(trained, graphs[32:]) == pytest.approx(last_val, rel=1e-4)
    trained.model.load_state_dict(record.weights[4])
    assert _mae(trained, graphs[32:]) != pytest.approx(last_val, rel=1e-4)


def test_finished_run_extended_with_averaging_equals_a_straight_run(graphs, tmp_path):
    plain = TrainConfig(epochs=3, seed=6, patience=30, **TINY)
    fit(graphs[:32], graphs[32:], tmp_path / "extended", plain)
    averaged = TrainConfig(epochs=3, swa_epochs=2, swa_lr_fraction=0.3, seed=6, **TINY)
    extended = fit(graphs[:32], graphs[32:], tmp_path / "extended", averaged)
    card = json.loads((tmp_path / "extended" / "model_card.json").read_text())
    assert card["metrics"]["resumed_from"].endswith("last.ckpt") and card["hyperparameters"]["swa_epochs"] == 2
    straight = fit(graphs[:32], graphs[32:], tmp_path / "straight", averaged)
    a = torch.load(tmp_path / "straight" / "last.ckpt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "extended" / "last.ckpt", weights_only=True)["state_dict"]
    assert a.keys() == b.keys() and any(k.startswith("swa.") for k in a)
    for key in a:
        torch.testing.assert_close(b[key], a[key], rtol=0, atol=0, msg=key)
    np.testing.assert_array_equal(extended.predict(graphs[32:]), straight.predict(graphs[32:]))
    assert pd.read_csv(tmp_path / "extended" / "metrics.csv")["epoch"].unique().tolist() == [0, 1, 2, 3, 4]


def test_extension_is_not_cut_short_by_the_stored_runs_early_stopping(graphs, tmp_path):
    """The stored run's EarlyStopping state (patience, epochs without progress, best score) is in
    its last.ckpt; the averaging epochs must all run anyway."""
    fit(graphs[:32], graphs[32:], tmp_path, TrainConfig(epochs=3, seed=1, patience=5, **TINY))
    checkpoint = torch.load(tmp_path / "last.ckpt", weights_only=True)
    (key,) = [k for k in checkpoint["callbacks"] if k.startswith("EarlyStopping")]
    # as after many epochs without progress: one more such epoch stops a run that keeps this state
    checkpoint["callbacks"][key].update(wait_count=4, best_score=torch.tensor(0.0))
    torch.save(checkpoint, tmp_path / "last.ckpt")
    fit(graphs[:32], graphs[32:], tmp_path, TrainConfig(epochs=3, swa_epochs=3, seed=1, patience=5, **TINY))
    card = json.loads((tmp_path / "model_card.json").read_text())["metrics"]
    assert card["epochs_run"] == 6 and not card["stopped_early"], card


def test_fewer_averaging_epochs_or_another_rate_is_a_new_run(graphs, tmp_path):
    import importlib

    fit_module = importlib.import_module("sagatsr.training.fit")
    fit(graphs[:16], graphs[16:20], tmp_path, TrainConfig(epochs=1, swa_epochs=2, seed=0, **TINY))
    stored = json.loads((tmp_path / "run_config.json").read_text())
    for change in ({"swa_epochs": 1}, {"swa_epochs": 3, "swa_lr_fraction": 0.5}, {"swa_epochs": 3, "lr": 0.01}):
        run = {**stored, "config": {**stored["config"], **change}}
        assert not fit_module._extends(stored, run), change
    assert fit_module._extends(stored, {**stored, "config": {**stored["config"], "swa_epochs": 3}})


@pytest.mark.parametrize("bad", [{"swa_epochs": -1}, {"swa_lr_fraction": 0.0}, {"swa_lr_fraction": 1.5}])
def test_config_rejects_bad_averaging_settings(bad):
    with pytest.raises(ValueError, match="swa"):
        TrainConfig(**bad)
