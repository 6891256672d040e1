"""A training job for the fault-injection tests: ``python train_driver.py OUT EPOCHS PAUSE``.

Trains the tiny deterministic model of the reliability tests on synthetic graphs into OUT. With
PAUSE > 0 every epoch ends with a sleep placed after its metrics row is written and before its
``last.ckpt`` is saved — the most fragile moment, and a window for the test to send a signal.
Exit 130 with one line on Ctrl-C (SIGINT), as the CLI does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for helpers

import lightning as L  # noqa: E402
from helpers import tiny_config, tiny_split  # noqa: E402

from sagatsr.errors import TrainingInterrupted  # noqa: E402
from sagatsr.training import fit  # noqa: E402


class _Pause(L.Callback):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def on_train_epoch_end(self, trainer, module) -> None:
        time.sleep(self.seconds)


def main(out: str, epochs: int, pause: float) -> int:
    try:
        fit(*tiny_split(), out, tiny_config(epochs), callbacks=[_Pause(pause)] if pause > 0 else None)
    except TrainingInterrupted as exc:
        print(f"interrupted: {exc}", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
