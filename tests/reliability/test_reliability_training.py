"""Training survives Ctrl-C, corrupt checkpoints and failed resumes without losing its history."""

from __future__ import annotations

import json
import signal

import lightning as L
import pandas as pd
import pytest
import torch
from helpers import tiny_config, tiny_split

from sagatsr.errors import CheckpointError, TrainingInterrupted
from sagatsr.training import fit


class _CtrlCAtEpoch(L.Callback):
    """A real ``KeyboardInterrupt`` (what Ctrl-C raises) at the start of epoch ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_train_epoch_start(self, trainer, module) -> None:
        if trainer.current_epoch == self.epoch:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def split():
    """(training, validation) split: the same as the fault-injection job's (train_driver.py)."""
    return tiny_split()


@pytest.fixture(scope="module")
def straight(split, tmp_path_factory):
    """An uninterrupted 5-epoch run: the reference history."""
    out = tmp_path_factory.mktemp("straight")
    fit(*split, out, tiny_config(5))
    return out


def _history(folder):
    return pd.read_csv(folder / "metrics.csv")


@pytest.fixture
def default_ctrl_c():
    """Python's own Ctrl-C handler for the test (a background job of a shell starts with SIGINT
    ignored; the check below needs a handler Lightning's could be told from)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_ctrl_c_says_what_was_kept_and_resume_gives_the_uninterrupted_history(split, straight, tmp_path,
                                                                             default_ctrl_c):
    config = tiny_config(5)
    with pytest.raises(TrainingInterrupted, match="kept last.ckpt after epoch 2 \\(3 epochs done\\)"):
        fit(*split, tmp_path, config, callbacks=[_CtrlCAtEpoch(3)])
    assert _history(tmp_path)["epoch"].tolist() == [0, 1, 2]
    # Lightning would leave SIGINT ignored for good after a Ctrl-C: the caller's handler is back
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # a second interruption of the resumed run: history is still never lost
    with pytest.raises(TrainingInterrupted, match="after epoch 3"):
        fit(*split, tmp_path, config, callbacks=[_CtrlCAtEpoch(4)])
    assert _history(tmp_path)["epoch"].tolist() == [0, 1, 2, 3]
    fit(*split, tmp_path, config)
    pd.testing.assert_frame_equal(_history(tmp_path), _history(straight), rtol=1e-6)


def test_ctrl_c_before_the_first_epoch_says_nothing_can_be_resumed(split, tmp_path):
    with pytest.raises(TrainingInterrupted, match="before its first checkpoint was saved"):
        fit(*split, tmp_path, tiny_config(3), callbacks=[_CtrlCAtEpoch(0)])


def _interrupted_run(split, folder, at_epoch=2):
    config = tiny_config(5)
    with pytest.raises(TrainingInterrupted):
        fit(*split, folder, config, callbacks=[_CtrlCAtEpoch(at_epoch)])
    return config


@pytest.mark.parametrize("damage", ["truncated", "garbage", "hostile"])
def test_unusable_last_checkpoint_is_named_and_nothing_is_deleted(split, tmp_path, damage):
    config = _interrupted_run(split, tmp_path)
    checkpoint = tmp_path / "last.ckpt"
    marker = tmp_path / "code-ran"
    if damage == "truncated":
        checkpoint.write_bytes(checkpoint.read_bytes()[: checkpoint.stat().st_size // 2])
    elif damage == "garbage":
        checkpoint.write_bytes(b"\x00not a checkpoint")
    else:
        torch.save({"state_dict": {}, "payload": _Evil(str(marker))}, checkpoint)
    history = (tmp_path / "metrics.csv").read_text()
    with pytest.raises(CheckpointError) as info:
        fit(*split, tmp_path, config)
    message = str(info.value)
    assert str(checkpoint) in message and "delete last.ckpt" in message and "\n" not in message
    assert ("would run code" in message) == (damage == "hostile")
    assert not marker.exists()
    assert (tmp_path / "metrics.csv").read_text() == history  # a failed resume keeps the history
    # following the advice (delete it) trains again from epoch 0; the old history is kept aside
    checkpoint.unlink()
    fit(*split, tmp_path, config)
    assert _history(tmp_path)["epoch"].tolist() == [0, 1, 2, 3, 4]
    (kept,) = tmp_path.glob("metrics-before-*.csv")
    assert kept.read_text() == history


def test_a_torn_history_line_is_repaired_from_the_checkpoint(split, straight, tmp_path):
    config = _interrupted_run(split, tmp_path, at_epoch=3)
    with open(tmp_path / "metrics.csv", "a") as handle:  # what SIGKILL in the middle of a write leaves
        handle.write("3,12,0.5")
    fit(*split, tmp_path, config)
    pd.testing.assert_frame_equal(_history(tmp_path), _history(straight), rtol=1e-6)


def test_checkpoints_and_model_files_are_replaced_atomically(split, tmp_path, monkeypatch):
    """A save that dies half-way leaves the previous file whole (and no temp file behind)."""
    _interrupted_run(split, tmp_path, at_epoch=2)
    before = {name: (tmp_path / name).read_bytes() for name in ("best.ckpt", "last.ckpt")}
    import sagatsr.training.checkpoints as checkpoints

    def dying_save(obj, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoints.torch, "save", dying_save)
    from sagatsr.errors import OutputError

    with pytest.raises(OutputError, match=f"cannot write {tmp_path}/(best|last).ckpt: No space left on device"):
        fit(*split, tmp_path, tiny_config(5))
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
    card = tmp_path / "model_card.json"
    assert not card.exists() or json.loads(card.read_text()).get("status") != "complete"


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))
