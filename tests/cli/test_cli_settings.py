"""Every bad setting fails at the door: one line on stderr, exit code 2, nothing written to --out."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sagatsr.cli import app

BAD_RUN_SETTINGS = {
    "epochs 0": ["--epochs", "0"],
    "top-k 0": ["--top-k", "0"],
    "one out-of-fold fold": ["--oof-folds", "1"],
    "negative limit": ["--limit", "-1"],
    "unknown SR backend": ["--sr-backend", "pysr"],
    "unknown encoding": ["--encoding", "bogus"],
    "zero threads": ["--threads", "0"],
    "unparsable target unit": ["--target-unit", "furlongs per fortnightz"],
    "demo relabelled in eV": ["--target-unit", "eV"],
    "boolean with a value": ["--strict", "true"],
    "seed list with a word": ["--seeds", "0,x"],
    "repeated seeds": ["--seeds", "1,1"],
    "negative seed": ["--seed", "-1"],
    "SR max terms 0": ["--sr-max-terms", "0"],
    "SR max terms above the engine's maximum": ["--sr-max-terms", "9"],
    "SR maxsize 0": ["--sr-maxsize", "0"],
    "SR iterations 0": ["--sr-niterations", "0"],
}


def _invoke(args):
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_one_line_error(result, *fragments):
    """Exit 2, exactly one non-empty output line starting with 'error:', mentioning each fragment."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.mark.parametrize("case", sorted(BAD_RUN_SETTINGS))
def test_bad_run_setting_fails_in_one_line_before_writing(case, tmp_path):
    out = tmp_path / "run"
    result = _invoke(["run", "--data", "demo", "--out", out, *BAD_RUN_SETTINGS[case]])
    assert_one_line_error(result)
    assert not out.exists()


def test_bad_data_path_creates_nothing(tmp_path):
    out = tmp_path / "run"
    result = _invoke(["run", "--data", tmp_path / "missing", "--out", out])
    assert_one_line_error(result, "missing", "no such file")
    assert not out.exists()


def test_unknown_target_unit_is_an_error_that_says_how_to_give_it(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "id_prop.csv").write_text("a.cif,1.0\n")
    out = tmp_path / "run"
    result = _invoke(["run", "--data", folder, "--target", "bandgap", "--out", out])
    assert_one_line_error(result, "--target-unit", "bandgap")
    assert not out.exists()


@pytest.mark.parametrize("command", ["train", "featurize", "sr"])
def test_other_commands_check_their_settings_too(command, tmp_path):
    args = {"train": ["train", "--data", "demo", "--out", tmp_path / "m", "--epochs", "0"],
            "featurize": ["featurize", "--data", tmp_path / "nope", "--out", tmp_path / "f.nc"],
            "sr": ["sr", "--data", "demo", "--out", tmp_path / "s", "--backend", "gplearn"]}[command]
    assert_one_line_error(_invoke(args))
    assert not (tmp_path / "m").exists() and not (tmp_path / "s").exists()


@pytest.mark.parametrize("seeds, fragment", [("0,x", "0,x"), ("2,-1", "-1"), ("0,0", "0,0")])
def test_train_checks_seeds_before_reading_or_writing(seeds, fragment, tmp_path):
    # a folder whose target has no unit: had the data been looked at first, the error would name the unit
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "id_prop.csv").write_text("a.cif,1.0\n")
    out = tmp_path / "model"
    result = _invoke(["train", "--data", folder, "--out", out, "--seeds", seeds])
    assert_one_line_error(result, "--seeds", fragment)
    assert not out.exists()


def test_version():
    from sagatsr import __version__

    result = _invoke(["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"sagatsr {__version__}"


def test_help_shows_choices_and_boolean_pairs():
    # a wide terminal, so that rich does not wrap the choices inside the option table
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for shown in ("auto|julia|sisso", "sae|linear|onehot", "--skip-bad", "--no-skip-bad", "--cutoff", "--allow-outside", "--target-unit", "--threads"):
        assert shown in text, shown


def test_julia_notice_is_logged_in_plain_words(caplog):
    import logging

    from sagatsr.cli.options import _PlainJuliaNotice

    record = logging.LogRecord("sagatsr.sr", logging.WARNING, __file__, 1,
                               "julia unavailable (Julia cannot start: %s); used the sisso backend",
                               ("urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>",), None)
    assert _PlainJuliaNotice().filter(record)
    message = record.getMessage()
    assert message.startswith("The Julia engine") and "URLError" not in message and "sagatsr doctor" in message


def test_run_passes_its_sr_settings_to_the_pipeline(monkeypatch, tmp_path):
    """--sr-max-terms, --sr-maxsize and --sr-niterations reach the run's SRSettings (and so its
    config.json); left out, they are SRSettings' defaults."""
    import sagatsr.cli.pipeline as cli_pipeline
    import sagatsr.pipeline.run as pipeline_run
    from sagatsr.pipeline.config import SRSettings

    seen = []
    monkeypatch.setattr(pipeline_run, "run_pipeline", lambda config: seen.append(config.sr) or tmp_path / "report.html")
    monkeypatch.setattr(cli_pipeline, "_report_and_finish", lambda report: None)
    for extra in ([], ["--sr-max-terms", "2", "--sr-maxsize", "12", "--sr-niterations", "7"]):
        result = _invoke(["run", "--data", "demo", "--out", tmp_path / "run", *extra])
        assert result.exit_code == 0, result.output
    default, given = seen
    assert (default.max_terms, default.maxsize, default.niterations) == (SRSettings().max_terms, SRSettings().maxsize,
                                                                         SRSettings().niterations)
    assert (given.max_terms, given.maxsize, given.niterations) == (2, 12, 7)
