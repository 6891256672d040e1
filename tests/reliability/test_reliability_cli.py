"""The CLI's side of issue 15: one line and exit 2 for every bad input or unwritable output,
skipped.csv from every command that reads data (rows = file lines, real reasons), exit 130 with
what was kept and how to resume after Ctrl-C."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure
from typer.testing import CliRunner

from sagatsr.cli import app

runner = CliRunner()


def _nacl(a: float) -> str:
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(a), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]).to(fmt="cif")


COINCIDENT = Structure(Lattice.cubic(4.0), ["Na", "Cl", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]).to(fmt="poscar")
SPARSE = Structure(Lattice.cubic(30.0), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]).to(fmt="cif")


def _dataset(folder, extra: dict[str, str] | None = None, n: int = 6):
    """``n`` NaCl cells (lines 1-n of id_prop.csv), then ``extra`` files in order (lines n+1, ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"nacl{k}.cif": _nacl(5.4 + 0.05 * k) for k in range(n)} | dict(extra or {})
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "id_prop.csv").write_text("".join(f"{name},{1.0 + k}\n" for k, name in enumerate(files)))
    return folder


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(result, *fragments):
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert "Traceback" not in result.output


TRAIN = ("--target-unit", "eV", "--epochs", 1, "--batch-size", 4)


def test_coincident_atoms_stop_train_naming_the_line_or_are_skipped_and_listed(tmp_path):
    data = _dataset(tmp_path / "d", {"double.vasp": COINCIDENT})
    result = _invoke("train", "--data", data, "--out", tmp_path / "m", *TRAIN)
    _one_line_error(result, "id_prop.csv: line 7", "double.vasp", "coincident atoms", "--skip-bad")
    result = _invoke("train", "--data", data, "--out", tmp_path / "m", "--skip-bad", *TRAIN)
    assert result.exit_code == 0, result.output
    skipped = pd.read_csv(tmp_path / "m" / "skipped.csv")
    assert skipped["row"].tolist() == [7] and skipped["reason"].str.contains("coincident atoms").all()
    assert "skipped 1 of 7 rows" in result.output


def test_isolated_atom_names_the_cutoff_option_that_exists(tmp_path):
    data = _dataset(tmp_path / "d", {"sparse.cif": SPARSE})
    result = _invoke("train", "--data", data, "--out", tmp_path / "m", *TRAIN)
    _one_line_error(result, "line 7", "sparse.cif", "no neighbour within 12.0 Å; raise --cutoff")
    result = _invoke("train", "--data", data, "--out", tmp_path / "m", "--cutoff", 30, *TRAIN)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "m" / "skipped.csv").empty


def test_predict_never_writes_fewer_rows_without_saying_so(tmp_path):
    data = _dataset(tmp_path / "d")
    assert _invoke("train", "--data", data, "--out", tmp_path / "m", *TRAIN).exit_code == 0
    new = _dataset(tmp_path / "new", {"zz-broken.cif": "data_x\n_cell_length_a oops\n"})
    result = _invoke("predict", "--model", tmp_path / "m", "--data", new, "--out", tmp_path / "p.csv")
    _one_line_error(result, "line 7", "zz-broken.cif")
    assert not (tmp_path / "p.csv").exists()
    result = _invoke("predict", "--model", tmp_path / "m", "--data", new, "--out", tmp_path / "p.csv", "--skip-bad")
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "p.csv")) == 6
    assert "wrote 6 predictions" in result.output and "for 7 rows: 1 skipped" in result.output
    assert pd.read_csv(tmp_path / "p.skipped.csv")["row"].tolist() == [7]


@pytest.mark.parametrize("command", ["train", "featurize", "screen", "run"])
def test_out_that_is_a_file_is_refused_before_any_work(tmp_path, command):
    taken = tmp_path / "taken.nc"
    taken.write_text("keep me")
    args = {"train": ("train", "--data", "demo", *TRAIN[2:]), "featurize": ("featurize", "--data", "demo"),
            "screen": ("screen", "--model", tmp_path, "--data", "demo"), "run": ("run", "--data", "demo")}[command]
    out = taken / "sub" if command == "featurize" else taken
    result = _invoke(*args, "--out", out)
    _one_line_error(result, str(taken))
    assert taken.read_text() == "keep me"


@pytest.mark.parametrize("command", ["train", "featurize", "predict", "run"])
def test_negative_limit_is_refused(tmp_path, command):
    args = {"train": ("train", "--out", tmp_path / "m"), "featurize": ("featurize", "--out", tmp_path / "f.nc"),
            "predict": ("predict", "--model", tmp_path, "--out", tmp_path / "p.csv"),
            "run": ("run", "--out", tmp_path / "r")}[command]
    result = _invoke(*args, "--data", "demo", "--limit", -1)
    _one_line_error(result, "--limit")


def test_paths_outside_the_dataset_need_allow_outside(tmp_path):
    (tmp_path / "outside.cif").write_text(_nacl(5.6))
    data = _dataset(tmp_path / "d")
    with open(data / "id_prop.csv", "a") as handle:
        handle.write("../outside.cif,9\n")
    result = _invoke("featurize", "--data", data, "--target-unit", "eV", "--out", tmp_path / "f.nc")
    _one_line_error(result, "line 7", "outside the dataset folder", "--allow-outside")
    result = _invoke("featurize", "--data", data, "--target-unit", "eV", "--out", tmp_path / "f.nc", "--allow-outside")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "f.skipped.csv").empty


def test_ctrl_c_in_train_exits_130_saying_what_was_kept_and_how_to_resume(tmp_path, monkeypatch):
    from sagatsr.errors import TrainingInterrupted

    def interrupted(*args, **kwargs):
        raise TrainingInterrupted(f"training in {tmp_path / 'm'} was interrupted; kept last.ckpt after epoch 4 "
                                  "(5 epochs done) and their history in metrics.csv")

    monkeypatch.setattr("sagatsr.training.fit", interrupted)
    result = _invoke("train", "--data", _dataset(tmp_path / "d"), "--out", tmp_path / "m", *TRAIN)
    assert result.exit_code == 130
    (line,) = [line for line in result.output.splitlines() if line.startswith("interrupted")]
    assert "kept last.ckpt after epoch 4" in line
    assert line.endswith(f"resume with: sagatsr train --data {tmp_path / 'd'} --out {tmp_path / 'm'} "
                         "--target-unit eV --epochs 1 --batch-size 4")


def test_second_writer_gets_one_line_naming_the_holder(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from sagatsr.io import OutputLock
        with OutputLock(sys.argv[1], command="sagatsr train --out first"):
            print("locked", flush=True)
            time.sleep(120)
        """), str(tmp_path / "m")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = _invoke("train", "--data", _dataset(tmp_path / "d"), "--out", tmp_path / "m", *TRAIN)
        _one_line_error(result, f"in use by PID {holder.pid}", "sagatsr train --out first")
    finally:
        holder.kill()
        holder.wait()


def test_sr_follows_the_same_bad_row_policy(tmp_path):
    data = _dataset(tmp_path / "d", {"zz-broken.cif": "data_x\n_cell_length_a oops\n"}, n=12)
    args = ("sr", "--data", data, "--target-unit", "eV", "--backend", "sisso", "--max-terms", 1, "--rung", 1)
    result = _invoke(*args, "--out", tmp_path / "s")
    _one_line_error(result, "line 13", "zz-broken.cif", "--skip-bad")
    assert not (tmp_path / "s" / "formulas.json").exists()
    result = _invoke(*args, "--out", tmp_path / "s", "--skip-bad")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "s" / "skipped.csv")["row"].tolist() == [13]
    assert "skipped 1 of 13 rows" in result.output


def test_ctrl_c_in_runs_cross_fitting_exits_130_and_the_rerun_keeps_the_finished_steps(tmp_path, monkeypatch):
    import json

    import sagatsr.training
    from sagatsr.errors import TrainingInterrupted

    real_fit = sagatsr.training.fit
    trained = []

    def fit_until_cross_fitting(train_graphs, val_graphs, out_dir, *args, **kwargs):
        trained.append(out_dir.name)
        if out_dir.parent.name == "cross_fit":
            raise TrainingInterrupted(f"training in {out_dir} was interrupted; kept last.ckpt after epoch 0 "
                                      "(1 epochs done) and their history in metrics.csv")
        return real_fit(train_graphs, val_graphs, out_dir, *args, **kwargs)

    monkeypatch.setattr(sagatsr.training, "fit", fit_until_cross_fitting)
    data = _dataset(tmp_path / "d", n=12)
    # 11 training+validation rows: formulas of one term (10 rows needed), so the run could finish
    args = ["run", "--data", data, "--target-unit", "eV", "--out", tmp_path / "r", "--epochs", 1, "--oof-folds", 2,
            "--sr-max-terms", 1]
    result = _invoke(*args)
    assert result.exit_code == 130, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("interrupted:")]
    assert f"training in {tmp_path / 'r' / 'cross_fit' / 'fold0'} was interrupted" in line
    assert line.endswith("resume with: sagatsr " + " ".join(str(a) for a in args))
    steps = json.loads((tmp_path / "r" / "steps.json").read_text())
    assert {"load", "features", "split", "train"} <= set(steps) and "cross_fit" not in steps
    assert trained == ["model", "fold0"]
    result = _invoke(*args)  # the rerun resumes: the main model is not trained again
    assert result.exit_code == 130 and trained == ["model", "fold0", "fold0"]
