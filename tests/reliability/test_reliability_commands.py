"""Commands the suite did not exercise before: ``sagatsr doctor``, ``screen``'s error paths, a real
Ctrl-C (SIGINT) to ``sagatsr train`` (exit 130, one line, resumable) and the examples."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure
from helpers import interruptible_child
from typer.testing import CliRunner

from sagatsr.cli import app

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
runner = CliRunner()


def _dataset(folder: Path, n: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for k in range(n):
        structure = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.4 + 0.1 * k), ["Na", "Cl"],
                                              [[0, 0, 0], [0.5, 0.5, 0.5]])
        (folder / f"nacl{k}.cif").write_text(structure.to(fmt="cif"))
        lines.append(f"nacl{k}.cif,{1.0 + k}\n")
    (folder / "id_prop.csv").write_text("".join(lines))
    return folder


def _one_line_error(result, *fragments) -> None:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_doctor_reports_versions_device_and_why_julia_is_or_is_not_available(monkeypatch):
    import importlib.metadata as md

    from sagatsr.sr.julia import JuliaStatus

    monkeypatch.setattr("sagatsr.sr.julia.julia_status",
                        lambda timeout: JuliaStatus(False, "no julia on this machine (test)", seconds=0.5))
    result = runner.invoke(app, ["doctor", "--julia-timeout", "3"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines() if line.strip() and
                 not line.startswith(("julia ",)))
    assert lines["torch"] == md.version("torch") and lines["sagatsr"] == md.version("sagatsr")
    assert lines["device"].split()[0] in ("cpu", "cuda", "mps")
    assert "julia backend NOT available (backend='auto' uses the embedded sisso engine): no julia on this " \
           "machine (test)" in result.output
    assert "timeout 3 s" in result.output


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """An SAE model (has ICs) and a linear-encoding one (has none), each trained for one epoch."""
    root = tmp_path_factory.mktemp("screen")
    data = _dataset(root / "data")
    for encoding in ("sae", "linear"):
        result = runner.invoke(app, ["train", "--data", str(data), "--target-unit", "eV", "--out",
                                     str(root / encoding), "--epochs", "1", "--batch-size", "4", "--encoding", encoding])
        assert result.exit_code == 0, result.output
    return root


def test_screen_error_paths_are_one_line(models, tmp_path):
    data = str(models / "data")
    _one_line_error(runner.invoke(app, ["screen", "--model", str(tmp_path), "--data", data, "--out", str(tmp_path / "o")]),
                    "not a trained sagatsr model directory")
    _one_line_error(runner.invoke(app, ["screen", "--model", str(models / "linear"), "--data", data,
                                        "--out", str(tmp_path / "o")]), "importance coefficients need", "'linear'")
    _one_line_error(runner.invoke(app, ["screen", "--model", str(models / "sae"), "--data", data,
                                        "--out", str(tmp_path / "o"), "--top-k", "0"]), "--top-k")
    _one_line_error(runner.invoke(app, ["screen", "--model", str(models / "sae"), "--data", str(tmp_path / "none"),
                                        "--out", str(tmp_path / "o")]), str(tmp_path / "none"))
    (models / "sae" / "model.pt").write_bytes(b"truncated")
    _one_line_error(runner.invoke(app, ["screen", "--model", str(models / "sae"), "--data", data,
                                        "--out", str(tmp_path / "o")]), "model.pt is corrupt")


@pytest.mark.slow
def test_real_ctrl_c_to_train_exits_130_with_what_was_kept_and_the_resume_command(tmp_path):
    data = _dataset(tmp_path / "data")
    command = ["train", "--data", str(data), "--target-unit", "eV", "--out", str(tmp_path / "m"), "--epochs", "400",
               "--batch-size", "4", "--threads", "1"]
    job = subprocess.Popen([sys.executable, "-m", "sagatsr", *command], env=ENV, preexec_fn=interruptible_child,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    metrics = tmp_path / "m" / "metrics.csv"
    deadline = time.monotonic() + 300
    while not (metrics.exists() and len(metrics.read_text().splitlines()) >= 3):
        assert job.poll() is None, job.communicate()[1][-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    job.send_signal(signal.SIGINT)
    _, stderr = job.communicate(timeout=120)
    assert job.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    (line,) = [line for line in stderr.splitlines() if line.startswith("interrupted:")]
    assert f"training in {tmp_path / 'm'} was interrupted; kept last.ckpt after epoch" in line
    assert line.endswith("resume with: sagatsr " + " ".join(command))
    kept = pd.read_csv(metrics)["epoch"].tolist()
    assert kept == list(range(len(kept))) and len(kept) >= 2
    done = subprocess.run([sys.executable, "-m", "sagatsr", *command], env=ENV, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    epochs = pd.read_csv(metrics)["epoch"].tolist()
    assert epochs == list(range(len(epochs))) and len(epochs) > len(kept)


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.py")))
def test_examples_show_their_usage(example):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / example), "--help"], env=ENV, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout and "--epochs" in done.stdout


@pytest.mark.slow
def test_python_api_example_runs_end_to_end(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "python_api.py"), "--out", str(tmp_path),
                           "--epochs", "2"], env=ENV, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "71 structures, target bulk_modulus in GPa" in done.stdout


@pytest.mark.slow
@pytest.mark.shared_data
def test_jarvis_example_runs_on_the_real_folder(shared_data, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "jarvis_folder.py"),
                           str(shared_data / "jarvis_sample"), "--epochs", "2", "--out", str(tmp_path / "run")],
                          env=ENV, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "run" / "formulas.json").is_file() and (tmp_path / "run" / "skipped.csv").is_file()
