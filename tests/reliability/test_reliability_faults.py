"""Fault injection on real processes: a training job killed (SIGKILL) or interrupted (SIGINT) at a
random epoch, then resumed, ends with exactly the history and weights of an uninterrupted job;
two jobs on one folder: the second is refused with one line naming the first."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch
from helpers import interruptible_child

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("train_driver.py")
EPOCHS = 6
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}


def _start(out: Path, pause: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(DRIVER), str(out), str(EPOCHS), str(pause)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=interruptible_child)


def _rows(out: Path) -> int:
    try:
        return max(0, len((out / "metrics.csv").read_text().splitlines()) - 1)
    except OSError:
        return 0


def _wait_for_rows(job: subprocess.Popen, out: Path, rows: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while _rows(out) < rows:
        assert job.poll() is None, f"job ended early: {job.communicate()[1][-2000:]}"
        assert time.monotonic() < deadline, "job made no progress"
        time.sleep(0.02)


def _run(out: Path, pause: float = 0.0) -> subprocess.CompletedProcess:
    job = _start(out, pause)
    stdout, stderr = job.communicate(timeout=600)
    return subprocess.CompletedProcess(job.args, job.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted")
    done = _run(out)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def _assert_same_run(resumed: Path, reference: Path) -> None:
    pd.testing.assert_frame_equal(pd.read_csv(resumed / "metrics.csv"), pd.read_csv(reference / "metrics.csv"),
                                  rtol=1e-6)
    a = torch.load(reference / "model.pt", weights_only=True)
    b = torch.load(resumed / "model.pt", weights_only=True)
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(b[key], a[key], rtol=0, atol=0, msg=key)


@pytest.mark.parametrize("kill_signal", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
@pytest.mark.parametrize("seed", [0] if os.environ.get("SAGATSR_SHORT") else [0, 1, 2])
def test_killed_at_a_random_epoch_then_resumed_equals_an_uninterrupted_run(reference, tmp_path, kill_signal, seed):
    at_rows = random.Random(seed * 31 + int(kill_signal)).randint(1, EPOCHS - 1)
    out = tmp_path / "job"
    job = _start(out, pause=0.3)
    _wait_for_rows(job, out, at_rows)  # the job now sleeps between a metrics row and its checkpoint
    job.send_signal(kill_signal)
    _, stderr = job.communicate(timeout=120)
    if kill_signal == signal.SIGKILL:
        assert job.returncode == -signal.SIGKILL
    else:
        assert job.returncode == 130, stderr[-2000:]
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert lines[-1].startswith("interrupted: training in")
        assert ("kept last.ckpt after epoch" in lines[-1]) == (out / "last.ckpt").exists(), lines[-1]
        assert "Traceback" not in stderr
    assert not [p.name for p in out.iterdir() if ".tmp" in p.name] or kill_signal == signal.SIGKILL
    assert _rows(out) >= at_rows - 1  # the history on disk survived the kill
    done = _run(out)
    assert done.returncode == 0, done.stderr[-2000:]
    _assert_same_run(out, reference)


def test_second_job_on_the_same_folder_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "shared"
    first = _start(out, pause=600)  # stays inside its first epoch's end until killed
    try:
        _wait_for_rows(first, out, 1)
        second = _run(out)
        assert second.returncode != 0
        assert f"is in use by PID {first.pid}" in second.stderr and "train_driver.py" in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # the first job's files are intact: resuming it works
    assert _run(out).returncode == 0
    assert pd.read_csv(out / "metrics.csv")["epoch"].tolist() == list(range(EPOCHS))
