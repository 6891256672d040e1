"""Run by tests/training/test_training_ddp.py as a script (Lightning's DDP launcher re-runs it once
per extra process): trains on the synthetic graphs of the test with ``fit``.

Usage: python ddp_script.py OUT_DIR DEVICES [STOP_AT_EPOCH]
"""

from __future__ import annotations

import sys
from pathlib import Path

import lightning as L

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for helpers

from helpers import synthetic_graphs  # noqa: E402

from sagatsr.training import TrainConfig, fit  # noqa: E402

# 32 training graphs, batches of 4 per process: with 2 processes each optimizer step averages the
# gradients of the same 8 graphs as one process with batches of 8
SETTINGS = dict(epochs=4, seed=5, warmup_epochs=1, hidden=16, edge_hidden=8, layers=2, heads=2, num_threads=1,
                progress=False, deterministic=True, accelerator="cpu")


class StopAt(L.Callback):
    """Stands in for a killed job: every process fails at the start of epoch ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_train_epoch_start(self, trainer, module) -> None:
        if trainer.current_epoch == self.epoch:
            raise SystemExit(3)


def main() -> None:
    out, devices = Path(sys.argv[1]), int(sys.argv[2])
    stop = int(sys.argv[3]) if len(sys.argv) > 3 else None
    graphs = synthetic_graphs(40, seed=21)
    distributed = dict(devices=2, strategy="ddp", batch_size=4) if devices == 2 else dict(devices=1, batch_size=8)
    config = TrainConfig(**SETTINGS, **distributed)
    fit(graphs[:32], graphs[32:], out, config, callbacks=[StopAt(stop)] if stop is not None else None)


if __name__ == "__main__":
    main()
