"""Why the Julia backend cannot start, in words a user can act on.

The executables here are FAKE ``julia`` scripts: they stand in for a Julia whose start fails (or
succeeds) so that our reading of its error output is tested on any machine. The failure text is what
Julia 1.10 printed on a CPU without the AVX-512 its system image was compiled for."""

from __future__ import annotations

import importlib.util
import stat

import pytest

from sagatsr.sr.julia.probe import _probe, julia_start_error

FOREIGN_CPU_ERROR = ("ERROR: Unable to find compatible target in cached code image.\n"
                     "Target 0 (znver3): Rejecting this target due to use of runtime-disabled features\n")


def fake_julia(folder, stderr: str, code: int):
    """A FAKE ``julia``: prints ``stderr`` to standard error and exits with ``code``."""
    path = folder / "julia"
    path.write_text(f"#!/bin/sh\nprintf '%s' '{stderr}' >&2\nexit {code}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_a_julia_compiled_for_another_cpu_is_named_with_the_remedy(tmp_path):
    julia = fake_julia(tmp_path, FOREIGN_CPU_ERROR, 1)
    message = julia_start_error(julia)
    assert message.startswith(f"{julia} exits with code 1: ERROR: Unable to find compatible target")
    assert "runtime-disabled features" in message and "\n" not in message
    assert "instructions this CPU lacks" in message and "JULIA_CPU_TARGET" in message


def test_other_start_failures_are_quoted_without_the_cpu_remedy(tmp_path):
    julia = fake_julia(tmp_path, "ERROR: could not load library libjulia-internal.so\n", 127)
    message = julia_start_error(julia)
    assert message == f"{julia} exits with code 127: ERROR: could not load library libjulia-internal.so"


@pytest.mark.parametrize("executable", [None, ""])
def test_no_executable_means_nothing_to_diagnose(executable):
    assert julia_start_error(executable) is None


def test_a_julia_that_starts_has_no_start_error(tmp_path):
    assert julia_start_error(fake_julia(tmp_path, "", 0)) is None


def test_a_missing_executable_is_named(tmp_path):
    message = julia_start_error(str(tmp_path / "no-julia"))
    assert message.startswith(f"{tmp_path / 'no-julia'} does not run:")


# find_spec, not importorskip: importing juliacall would start Julia inside the test process
@pytest.mark.skipif(importlib.util.find_spec("juliacall") is None, reason="juliacall is not installed")
def test_the_probe_reports_julias_own_words_not_juliacalls(tmp_path, monkeypatch):
    """juliacall, pointed at the FAKE Julia, fails with its own CalledProcessError; the probe's
    reason must carry the fake Julia's message instead."""
    julia = fake_julia(tmp_path, FOREIGN_CPU_ERROR, 1)
    monkeypatch.setenv("PYTHON_JULIACALL_EXE", julia)
    monkeypatch.setenv("PYTHON_JULIACALL_PROJECT", str(tmp_path))
    monkeypatch.setenv("PYTHON_JULIAPKG_OFFLINE", "yes")
    status = _probe.__wrapped__(120.0)  # not the per-process cache: this environment is the test's own
    assert not status.available
    assert status.summary.startswith(f"Julia cannot start: {julia} exits with code 1: ERROR: Unable to find")
    assert "CalledProcessError" not in status.reason and "PYTHON_JULIACALL_EXE" in status.reason
