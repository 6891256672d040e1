"""``sagatsr featurize`` errors say what is wrong: exit code 2 alone also holds for a misspelled
option, so each case asserts its own message (and that the output file is not written)."""

from __future__ import annotations

from typer.testing import CliRunner

from sagatsr.cli import app


def _error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_missing_data_names_the_path(tmp_path):
    missing = tmp_path / "nope"
    line = _error_line(CliRunner().invoke(app, ["featurize", "--data", str(missing), "--out", str(tmp_path / "x.nc")]))
    assert str(missing) in line and "no such file or folder" in line
    assert not (tmp_path / "x.nc").exists()


def test_misspelled_option_is_a_different_error(tmp_path):
    line = _error_line(CliRunner().invoke(app, ["featurize", "--dta", "demo", "--out", str(tmp_path / "x.nc")]))
    assert "--dta" in line and "no such file" not in line


def test_out_inside_a_file_is_refused_before_featurizing(tmp_path):
    (tmp_path / "file").write_text("")
    line = _error_line(CliRunner().invoke(app, ["featurize", "--data", "demo", "--out", str(tmp_path / "file" / "x.nc")]))
    assert f"{tmp_path / 'file'} is a file" in line
