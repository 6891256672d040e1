"""fit(): model card, metrics, safe round trip, and interrupt-and-resume equal to an uninterrupted run."""

from __future__ import annotations

import json

import lightning as L
import numpy as np
import pandas as pd
import pytest
import torch
from helpers import synthetic_graphs

from sagatsr.training import TrainConfig, TrainedModel, fit
from sagatsr.training.module import adamw, lr_factor

TINY = dict(hidden=16, edge_hidden=8, layers=2, heads=2, site_bins=20, crystal_bins=20, batch_size=8, num_threads=1,
            progress=False)


class _Interrupted(Exception):
    pass


class _InterruptAtEpoch(L.Callback):
    """Stands in for Ctrl-C / a killed job at the start of epoch ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_train_epoch_start(self, trainer, module) -> None:
        if trainer.current_epoch == self.epoch:
            raise _Interrupted


@pytest.fixture(scope="module")
def graphs():
    return synthetic_graphs(40, seed=11)


def test_fit_writes_card_metrics_and_a_loadable_model(graphs, tmp_path):
    config = TrainConfig(epochs=3, seed=1, **TINY)
    trained = fit(graphs[:32], graphs[32:], tmp_path, config, meta={"data": "synthetic", "unit": "eV"})
    card = json.loads((tmp_path / "model_card.json").read_text())
    assert card["status"] == "complete"
    assert card["split"] == {"n_train": 32, "n_val": 8}
    assert card["hyperparameters"]["epochs"] == 3 and card["data"]["unit"] == "eV"
    from importlib.metadata import version

    assert card["packages"]["torch"] == version("torch")  # the installed distribution, read independently
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    val = metrics["val_mae"].dropna()
    assert len(val) == 3 and card["metrics"]["best_val_mae"] == pytest.approx(val.min(), rel=1e-5)
    loaded = TrainedModel.load(tmp_path)
    np.testing.assert_allclose(loaded.predict(graphs[32:]), trained.predict(graphs[32:]), rtol=1e-6)
    # the kept model is the best epoch: its validation MAE is the card's
    mae = np.abs(loaded.predict(graphs[32:]) - np.array([float(g.y) for g in graphs[32:]])).mean()
    assert mae == pytest.approx(card["metrics"]["best_val_mae"], rel=1e-4)


def test_interrupt_and_resume_equals_uninterrupted_run(graphs, tmp_path):
    config = TrainConfig(epochs=4, seed=3, deterministic=True, dropout=0.2, warmup_epochs=1, **TINY)
    straight = fit(graphs[:32], graphs[32:], tmp_path / "straight", config)
    with pytest.raises(_Interrupted):
        fit(graphs[:32], graphs[32:], tmp_path / "resumed", config, callbacks=[_InterruptAtEpoch(2)])
    assert not (tmp_path / "resumed" / "model_card.json").exists()
    resumed = fit(graphs[:32], graphs[32:], tmp_path / "resumed", config)
    card = json.loads((tmp_path / "resumed" / "model_card.json").read_text())
    assert card["metrics"]["resumed_from"].endswith("last.ckpt")
    for name in ("last.ckpt",):
        a = torch.load(tmp_path / "straight" / name, weights_only=True)["state_dict"]
        b = torch.load(tmp_path / "resumed" / name, weights_only=True)["state_dict"]
        assert a.keys() == b.keys()
        for key in a:
            torch.testing.assert_close(b[key], a[key], rtol=0, atol=0, msg=key)
    for key, value in straight.model.state_dict().items():
        torch.testing.assert_close(resumed.model.state_dict()[key], value, rtol=0, atol=0, msg=key)
    epochs = pd.read_csv(tmp_path / "resumed" / "metrics.csv")["epoch"].unique().tolist()
    assert epochs == [0, 1, 2, 3]  # the epochs before the interruption are kept in metrics.csv


def test_finished_run_is_loaded_not_repeated(graphs, tmp_path, monkeypatch):
    import importlib

    fit_module = importlib.import_module("sagatsr.training.fit")  # the module, not the function it exports

    config = TrainConfig(epochs=1, seed=0, **TINY)
    first = fit(graphs[:16], graphs[16:20], tmp_path, config)
    weights = (tmp_path / "model.pt").read_bytes()
    real_train = fit_module._train

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(fit_module, "_train", no_training)
    again = fit(graphs[:16], graphs[16:20], tmp_path, config)
    assert isinstance(again, TrainedModel) and (tmp_path / "model.pt").read_bytes() == weights
    np.testing.assert_array_equal(again.predict(graphs[16:20]), first.predict(graphs[16:20]))
    # how it runs (threads, progress bars, loader workers) is not what it computes: loaded too
    fit(graphs[:16], graphs[16:20], tmp_path,
        TrainConfig(epochs=1, seed=0, **{**TINY, "num_threads": 2, "progress": True, "num_workers": 1}))
    assert (tmp_path / "model.pt").read_bytes() == weights
    calls = []
    monkeypatch.setattr(fit_module, "_train", lambda *a, **k: calls.append(1) or real_train(*a, **k))
    fit(graphs[20:36], graphs[16:20], tmp_path, config)  # same sizes, other data: trained anew
    assert calls == [1] and (tmp_path / "model.pt").read_bytes() != weights


def test_schedule_warms_up_then_decays_polynomially():
    factors = [lr_factor(step, 10, 100, 3.0, 0.01) for step in range(100)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(factors[10:], factors[11:]))
    assert lr_factor(100, 10, 100, 3.0, 0.01) == pytest.approx(0.01)
    assert lr_factor(55, 10, 100, 3.0, 0.0) == pytest.approx(0.5 ** 3)


def test_adamw_is_fused_on_cpu_and_steps_like_torchs_default():
    torch.manual_seed(0)
    fused_model, plain_model = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    plain_model.load_state_dict(fused_model.state_dict())
    start = fused_model.weight.detach().clone()
    fused = adamw(fused_model.parameters(), lr=0.01, weight_decay=0.1)
    plain = torch.optim.AdamW(plain_model.parameters(), lr=0.01, weight_decay=0.1)
    assert fused.defaults["fused"] and not plain.defaults["fused"]
    inputs = torch.randn(8, 5)
    for _ in range(20):
        for model, optimizer in ((fused_model, fused), (plain_model, plain)):
            optimizer.zero_grad()
            model(inputs).pow(2).sum().backward()
            optimizer.step()
    for got, expected in zip(fused_model.parameters(), plain_model.parameters()):
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert (fused_model.weight - start).abs().max() > 0.05  # the steps did move the weights


def test_config_rejects_nonsense():
    with pytest.raises(ValueError):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="encoding"):
        TrainConfig(encoding="bag-of-words")
