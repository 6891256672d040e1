"""The thread setting: explicit values win, the default never exceeds the usable physical cores."""

from __future__ import annotations

import os

import pytest

from sagatsr.errors import InputError
from sagatsr.threads import apply_threads, available_cores, default_threads


def test_default_is_between_one_and_the_usable_cores(monkeypatch):
    monkeypatch.delenv("SAGATSR_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = available_cores()
    assert 1 <= cores <= (os.cpu_count() or 1)
    assert 1 <= default_threads() <= cores


def test_load_average_lowers_the_default(monkeypatch):
    monkeypatch.delenv("SAGATSR_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (1000.0, 0.0, 0.0))
    assert default_threads() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert default_threads() == available_cores()


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.delenv("SAGATSR_THREADS", raising=False)
    assert default_threads() == 3
    monkeypatch.setenv("SAGATSR_THREADS", "5")
    assert default_threads() == 5
    monkeypatch.setenv("SAGATSR_THREADS", "many")
    with pytest.raises(InputError, match="SAGATSR_THREADS"):
        default_threads()


def test_apply_sets_torch_and_blas(monkeypatch):
    import torch

    before = torch.get_num_threads()
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY"):
        monkeypatch.delenv(name, raising=False)
    try:
        assert apply_threads(1) == 1
        assert torch.get_num_threads() == 1 and os.environ["OMP_NUM_THREADS"] == "1"
        assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
        with pytest.raises(InputError, match="--threads"):
            apply_threads(0)
    finally:
        torch.set_num_threads(before)
