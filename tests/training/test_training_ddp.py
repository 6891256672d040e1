"""Multi-process training (Lightning DDP on CPU, gloo): the same metrics as one process, and resume.

Each run is a separate script (``ddp_script.py``) because Lightning's DDP launcher re-runs the
script of the main process once per extra process. Two processes with batches of 4 see, at every
optimizer step, the same 8 materials as one process with batches of 8, so the per-epoch history
must agree to float tolerance; a DDP run killed at epoch 2 and started again must end with the
history of the uninterrupted run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from sagatsr.training import TrainedModel

SCRIPT = Path(__file__).with_name("ddp_script.py")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not torch.distributed.is_available() or not torch.distributed.is_gloo_available(),
                                 reason="torch.distributed with the gloo backend is not available")]


def _train(out: Path, devices: int, stop_at: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    for name in ("LOCAL_RANK", "NODE_RANK", "RANK", "WORLD_SIZE", "MASTER_PORT", "SLURM_NTASKS", "SLURM_PROCID"):
        env.pop(name, None)  # a clean launch, even inside a Slurm job or another DDP run
    command = [sys.executable, str(SCRIPT), str(out), str(devices)] + ([str(stop_at)] if stop_at is not None else [])
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _history(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "metrics.csv")


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    out = tmp_path_factory.mktemp("one")
    done = _train(out, 1)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def test_two_processes_match_one_and_resume(one_process, tmp_path):
    reference = _history(one_process)
    assert len(reference) == 4

    killed = _train(tmp_path, 2, stop_at=2)
    assert killed.returncode != 0  # both processes stopped at the start of epoch 2
    partial = _history(tmp_path)
    assert list(partial["epoch"]) == [0, 1]
    np.testing.assert_allclose(partial[["train_mae", "val_mae", "lr"]], reference[["train_mae", "val_mae", "lr"]][:2],
                               rtol=1e-4)

    resumed = _train(tmp_path, 2)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    history = _history(tmp_path)
    assert list(history["epoch"]) == [0, 1, 2, 3] and list(history["step"]) == list(reference["step"])
    np.testing.assert_allclose(history[["train_mae", "val_mae", "lr"]], reference[["train_mae", "val_mae", "lr"]],
                               rtol=1e-4)

    import json

    card = json.loads((tmp_path / "model_card.json").read_text())
    assert card["metrics"]["processes"] == 2 and card["metrics"]["resumed_from"]
    from helpers import synthetic_graphs

    graphs = synthetic_graphs(40, seed=21)[32:]
    np.testing.assert_allclose(TrainedModel.load(tmp_path).predict(graphs),
                               TrainedModel.load(one_process).predict(graphs), rtol=1e-3, atol=1e-3)
