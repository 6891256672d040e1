"""`sagatsr train / predict / screen` on the built-in demo (1 epoch), through typer's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sagatsr.cli import app

runner = CliRunner()


def _invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_train_predict_screen_on_the_demo(tmp_path):
    model = tmp_path / "model"
    _invoke("train", "--data", "demo", "--out", model, "--epochs", 1, "--batch-size", 16, "--limit", 16, "--seed", 2)
    card = json.loads((model / "model_card.json").read_text())
    assert card["data"]["target"] == "bulk_modulus" and card["data"]["unit"] == "GPa"
    assert card["split"]["n_train"] + card["split"]["n_val"] == 16

    _invoke("predict", "--model", model, "--data", "demo", "--out", tmp_path / "pred.csv", "--limit", 5)
    predictions = pd.read_csv(tmp_path / "pred.csv")
    assert list(predictions.columns) == ["id", "file", "prediction", "unit", "target"] and len(predictions) == 5
    assert (predictions["unit"] == "GPa").all()
    assert np.isfinite(predictions["prediction"]).all()
    one = _invoke("predict", "--model", model, "--data", "demo", "--out", tmp_path / "one.csv", "--limit", 1)
    assert "wrote 1 prediction of bulk_modulus [GPa]" in one.output

    result = _invoke("screen", "--model", model, "--data", "demo", "--out", tmp_path / "screen", "--top-k", 3,
                     "--limit", 6)
    ranking = pd.read_csv(tmp_path / "screen" / "importance.csv")
    assert list(ranking.columns[:5]) == ["feature", "unit", "mean_ic", "std_ic", "rank"]  # names may grow (DESIGN)
    assert abs(ranking["mean_ic"].sum() - 1) < 1e-4  # mean of rows that each sum to 1
    assert ranking.iloc[0]["feature"] in result.output
    for name in ("importance.nc", "importance.png"):
        assert (tmp_path / "screen" / name).stat().st_size > 0
    every = _invoke("screen", "--model", model, "--data", "demo", "--out", tmp_path / "all", "--top-k", 9999,
                    "--limit", 6)
    n_candidates = len(every.output.split("SR candidates for")[1].split(":", 1)[1].split("(all")[0].split(","))
    assert f"top {n_candidates} SR candidates" in every.output and n_candidates < 9999  # says how many there are


def test_bad_model_directory_is_one_line_error(tmp_path):
    result = runner.invoke(app, ["predict", "--model", str(tmp_path), "--data", "demo", "--out",
                                 str(tmp_path / "p.csv")])
    assert result.exit_code == 2
    assert "not a trained sagatsr model directory" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "run_config.json").write_text("{}")  # a training that has not finished
    assert "has not finished: rerun its `sagatsr train`" in runner.invoke(
        app, ["predict", "--model", str(tmp_path), "--data", "demo", "--out", str(tmp_path / "p.csv")]).output
    run = tmp_path / "run"  # a `sagatsr run` folder: the model is in model/
    (run / "model").mkdir(parents=True)
    (run / "model" / "model_config.json").write_text("{}")
    result = runner.invoke(app, ["predict", "--model", str(run), "--data", "demo", "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 2 and f"it is a run folder: its model is {run / 'model'}" in result.output


def test_unknown_encoding_is_rejected(tmp_path):
    result = runner.invoke(app, ["train", "--data", "demo", "--out", str(tmp_path), "--encoding", "bogus"])
    assert result.exit_code == 2 and "--encoding" in result.output and "bogus" in result.output


def test_train_with_weight_averaging_extends_a_finished_model(tmp_path):
    model = tmp_path / "model"
    base = ("train", "--data", "demo", "--out", model, "--epochs", 2, "--batch-size", 16, "--limit", 16)
    _invoke(*base)
    _invoke(*base, "--swa-epochs", 2)
    card = json.loads((model / "model_card.json").read_text())
    assert card["hyperparameters"]["swa_epochs"] == 2 and card["metrics"]["epochs_run"] == 4
    assert card["metrics"]["resumed_from"].endswith("last.ckpt")  # extended, not trained again
    assert pd.read_csv(model / "metrics.csv")["epoch"].unique().tolist() == [0, 1, 2, 3]
    result = runner.invoke(app, [str(a) for a in (*base, "--swa-epochs", -1)])
    assert result.exit_code == 2 and "--swa-epochs" in result.output
