"""``metrics.csv``: the per-epoch training history, kept whole across interruptions and resumes.

One row per finished epoch: ``epoch, step, train_mae, val_mae, lr`` (MAE in target units, ``lr``
the learning rate at the epoch's end). Lightning's CSV logger starts a new file on every resume
and loses rows when a resume fails; instead this callback

* appends each epoch's row (and fsyncs it) as soon as the epoch ends, *before* ``last.ckpt`` of
  that epoch is written (Lightning runs non-checkpoint callbacks first);
* stores the same rows inside every checkpoint (callback state), so a resumed run rewrites
  ``metrics.csv`` (atomically) as exactly the epochs that ``last.ckpt`` holds and appends from
  there — a row written after the last checkpoint is dropped and recomputed identically, a
  half-written line left by SIGKILL disappears, and a resume that fails before training starts
  never touches the file.

The history of an uninterrupted run and of any interrupted-and-resumed run are therefore equal.
"""

from __future__ import annotations

import csv
import io
import math
import os
import time
from pathlib import Path

import lightning as L

from sagatsr.errors import OutputError
from sagatsr.io import write_text
from sagatsr.io.atomic import describe_os_error

__all__ = ["MetricsHistory", "read_history", "COLUMNS"]

COLUMNS = ("epoch", "step", "train_mae", "val_mae", "lr")


def _format(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_history(path: str | Path) -> list[dict]:
    """The well-formed rows of a ``metrics.csv`` (a torn last line is ignored)."""
    path = Path(path)
    if not path.is_file():
        return []
    rows = []
    with open(path, newline="") as handle:
        for record in csv.DictReader(handle):
            try:
                rows.append({"epoch": int(record["epoch"]), "step": int(record["step"]),
                             **{k: float(record[k]) if record[k] not in ("", None) else math.nan
                                for k in ("train_mae", "val_mae", "lr")}})
            except (KeyError, TypeError, ValueError):
                continue
    return rows


def _number(value) -> float:
    return math.nan if value is None else float(value)


class MetricsHistory(L.Callback):
    """Writes ``path`` (see the module docstring); ``rows`` is the history so far."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows: list[dict] = []
        self._restored = False

    # ---- checkpoint state --------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"rows": [dict(row) for row in self.rows]}

    def load_state_dict(self, state_dict: dict) -> None:
        self.rows = [dict(row) for row in state_dict.get("rows", [])]
        self._restored = True

    # ---- hooks -------------------------------------------------------------------------------
    def on_train_start(self, trainer, pl_module) -> None:
        if not trainer.is_global_zero:  # DDP: one process keeps the file
            return
        start = trainer.current_epoch
        on_disk = read_history(self.path)
        if start == 0 and on_disk:
            # a fresh run in a folder with another run's history: keep that file under a new name
            kept = self.path.with_name(f"metrics-before-{time.strftime('%Y%m%dT%H%M%S')}.csv")
            os.replace(self.path, kept)
        rows = self.rows if self._restored else on_disk
        self.rows = [row for row in rows if row["epoch"] < start]
        write_text(self.path, _format(self.rows))

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if not trainer.is_global_zero:
            return
        metrics = trainer.callback_metrics
        optimizers = trainer.optimizers
        row = {"epoch": trainer.current_epoch, "step": trainer.global_step,
               "train_mae": _number(metrics.get("train_mae")), "val_mae": _number(metrics.get("val_mae")),
               "lr": optimizers[0].param_groups[0]["lr"] if optimizers else math.nan}
        self.rows.append(row)
        line = _format([row]).split("\n", 1)[1]
        try:
            with open(self.path, "a", newline="") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {describe_os_error(exc)}", path=self.path) from None
