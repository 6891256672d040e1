"""Runs the Julia module's own tests (julia/test/runtests.jl) in the Julia that juliacall uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import requires_julia

from sagatsr.sr.julia import julia_source_dir
from sagatsr.sr.julia.probe import juliacall_environment

_WHERE = ("from juliacall import Main as jl\n"
          "print(jl.seval('joinpath(Sys.BINDIR, Base.julia_exename())'))\n"
          "print(jl.seval('dirname(Base.active_project())'))\n")


def _julia_and_project() -> tuple[str, str]:
    """The julia binary and environment juliacall runs: PYTHON_JULIACALL_EXE/PROJECT when both are
    set (as on the offline rig), else asked from juliacall (juliapkg's environment)."""
    exe, project = os.environ.get("PYTHON_JULIACALL_EXE"), os.environ.get("PYTHON_JULIACALL_PROJECT")
    if exe and project:
        return exe, project
    done = subprocess.run([sys.executable, "-c", _WHERE], capture_output=True, text=True, timeout=900,
                          env=juliacall_environment(), check=True)
    exe, project = done.stdout.split("\n")[-3:-1]
    return exe, project


def _short_mode() -> dict:
    """SAGATSR_SHORT=1 (CI) leaves out runtests.jl's 2-worker search (~30 s of starting workers);
    test_julia_real.py runs a 2-worker search from Python anyway."""
    return {"SAGATSR_JULIA_TEST_WORKERS": "no"} if os.environ.get("SAGATSR_SHORT") == "1" else {}


@requires_julia
def test_julia_module_tests_pass(tmp_path):
    exe, project = _julia_and_project()
    script = julia_source_dir() / "test" / "runtests.jl"
    done = subprocess.run([exe, "--startup-file=no", f"--project={project}", "-t", "2", str(script)],
                          capture_output=True, text=True, timeout=1800, cwd=tmp_path,
                          env={**os.environ, "JULIA_PROJECT": project, **_short_mode()})
    summary = [line for line in done.stdout.splitlines() if "|" in line]
    assert done.returncode == 0, f"runtests.jl failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert len(summary) >= 7, "\n".join(summary)   # header + pass line of each test set
