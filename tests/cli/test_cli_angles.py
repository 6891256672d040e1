"""SA-GAT's bond-angle option on the command line: `train` and `run` take --angle-layers,
--angle-neighbors and --angle-basis, record them with the model, and refuse bad values at the door."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sagatsr.cli import app
from test_cli_settings import assert_one_line_error

ANGLES = ["--angle-layers", 1, "--angle-neighbors", 4, "--angle-basis", 5]
ANGLE_ARGS = {"angle_layers": 1, "angle_neighbors": 4, "angle_basis": 5}


def _invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_train_with_angles_records_them_and_builds_the_angle_model(tmp_path):
    from sagatsr.training import TrainedModel

    out = tmp_path / "model"
    result = _invoke("train", "--data", "demo", "--out", out, "--epochs", 1, "--batch-size", 16, "--limit", 12,
                     "--threads", 1, *ANGLES)
    assert result.exit_code == 0, result.output
    card = json.loads((out / "model_card.json").read_text())
    for name, value in ANGLE_ARGS.items():
        assert card["hyperparameters"]["model_args"][name] == value, name
        assert card["model"][name] == value, name
    trained = TrainedModel.load(out)
    assert len(trained.model.angle_updates) == 1  # the saved network really has the angle update


def test_train_without_angles_keeps_the_models_default(tmp_path, monkeypatch):
    """No flag given: the model's own default (no angles) applies, not a number written in the CLI."""
    from sagatsr.training import TrainConfig

    seen = {}
    monkeypatch.setattr("sagatsr.cli.model._train", lambda *args: seen.update(config=args[5]))
    result = _invoke("train", "--data", "demo", "--out", tmp_path / "m", "--angle-basis", 3)
    assert result.exit_code == 0, result.output
    args = seen["config"].model_args
    assert args["angle_basis"] == 3
    assert args["angle_layers"] == TrainConfig().angle_layers == 0
    assert args["angle_neighbors"] == TrainConfig().angle_neighbors


def test_run_routes_angles_into_its_training_settings(tmp_path, monkeypatch):
    seen = {}

    def capture(config):
        seen["config"] = config
        return tmp_path / "report.md"

    monkeypatch.setattr("sagatsr.pipeline.run.run_pipeline", capture)
    monkeypatch.setattr("sagatsr.cli.pipeline._report_and_finish", lambda report: None)
    result = _invoke("run", "--data", "demo", "--out", tmp_path / "run", *ANGLES)
    assert result.exit_code == 0, result.output
    config = seen["config"]
    for name, value in ANGLE_ARGS.items():
        assert config.train.model_args[name] == value, name
    assert config.as_dict()["train"]["model_args"]["angle_layers"] == 1  # what config.json will hold
    model = config.train_config().build_model((4, 5, 6))
    assert len(model.angle_updates) == 1


BAD_ANGLES = {
    "negative layers": (["--angle-layers", "-1"], "--angle-layers"),
    "more angle layers than layers": (["--angle-layers", "9"], "angle_layers"),
    "one neighbour": (["--angle-neighbors", "1"], "--angle-neighbors"),
    "negative neighbours": (["--angle-neighbors", "-3"], "--angle-neighbors"),
    "no basis": (["--angle-basis", "0"], "--angle-basis"),
}


@pytest.mark.parametrize("command", ["train", "run"])
@pytest.mark.parametrize("case", sorted(BAD_ANGLES))
def test_bad_angle_settings_fail_in_one_line_before_writing(command, case, tmp_path):
    args, fragment = BAD_ANGLES[case]
    out = tmp_path / "out"
    result = _invoke(command, "--data", "demo", "--out", out, *args)
    assert_one_line_error(result, fragment)
    assert not out.exists()
