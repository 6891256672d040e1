"""Resumable steps and row splits of `sagatsr run` (no model needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagatsr.pipeline.split import kfold, train_val_test
from sagatsr.pipeline.steps import StepLedger


def _writer(path, calls):
    def write():
        calls.append(path.name)
        path.write_text("x")

    return write


def test_finished_step_is_skipped_and_changed_setting_reruns_downstream(tmp_path):
    calls = []
    for _ in range(2):
        ledger = StepLedger.open(tmp_path)
        ledger.run("a", {"k": 1}, ["a.txt"], _writer(tmp_path / "a.txt", calls))
        ledger.run("b", {}, ["b.txt"], _writer(tmp_path / "b.txt", calls))
    assert calls == ["a.txt", "b.txt"]  # second pass skipped both
    ledger = StepLedger.open(tmp_path)
    ledger.run("a", {"k": 2}, ["a.txt"], _writer(tmp_path / "a.txt", calls))
    ledger.run("b", {}, ["b.txt"], _writer(tmp_path / "b.txt", calls))
    assert calls[2:] == ["a.txt", "b.txt"]  # b depends on a, so it reran too
    assert set(json.loads((tmp_path / "steps.json").read_text())) == {"a", "b"}


def test_missing_output_reruns_step_and_interrupted_step_is_not_recorded(tmp_path):
    calls = []
    StepLedger.open(tmp_path).run("a", {}, ["a.txt"], _writer(tmp_path / "a.txt", calls))
    (tmp_path / "a.txt").unlink()
    StepLedger.open(tmp_path).run("a", {}, ["a.txt"], _writer(tmp_path / "a.txt", calls))
    assert calls == ["a.txt", "a.txt"]

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        StepLedger.open(tmp_path).run("b", {}, ["b.txt"], interrupted)
    assert "b" not in json.loads((tmp_path / "steps.json").read_text())


def test_step_that_forgets_its_output_is_an_error(tmp_path):
    with pytest.raises(RuntimeError, match="without writing"):
        StepLedger.open(tmp_path).run("a", {}, ["a.txt"], lambda: None)


@given(st.integers(3, 500), st.integers(0, 10_000))
def test_split_partitions_rows(n, seed):
    parts = train_val_test(n, 0.1, 0.1, seed)
    joined = np.concatenate(list(parts.values()))
    assert sorted(joined.tolist()) == list(range(n))
    assert all(len(v) >= 1 for v in parts.values())
    again = train_val_test(n, 0.1, 0.1, seed)
    assert all(np.array_equal(parts[k], again[k]) for k in parts)


@given(st.integers(2, 8), st.integers(10, 200), st.integers(0, 100))
def test_kfold_holds_out_every_row_once(k, n, seed):
    rows = np.arange(100, 100 + n)
    folds = kfold(rows, k, seed)
    held = np.concatenate([h for _, h in folds])
    assert sorted(held.tolist()) == rows.tolist()
    for fit_rows, held_rows in folds:
        assert not set(fit_rows) & set(held_rows)
        assert len(fit_rows) + len(held_rows) == n


def test_too_few_rows_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 3"):
        train_val_test(2, 0.1, 0.1, 0)
