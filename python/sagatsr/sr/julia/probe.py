"""Can the Julia backend start here? Asked in a child process with a timeout, because importing
juliacall may download Julia and packages, precompile for minutes, or hang on a bad network, and
must never share a process with torch."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["JuliaStatus", "julia_status", "HOW_TO_ENABLE"]

HOW_TO_ENABLE = (
    "To enable it: install Julia >= 1.10 (juliaup, or let juliacall's juliapkg fetch it) on a machine "
    "that can reach Julia's package server, then run `sagatsr doctor --julia-timeout 1800` once to "
    "install and precompile SymbolicRegression.jl. Air-gapped: set PYTHON_JULIAPKG_OFFLINE=yes with a "
    "prepared depot (JULIA_DEPOT_PATH), or set PYTHON_JULIACALL_EXE and PYTHON_JULIACALL_PROJECT to a "
    "Julia and an environment that has SymbolicRegression and DynamicQuantities. Or use backend='sisso'."
)

_PROBE = (
    "import os\n"
    "os.environ.setdefault('PYTHON_JULIACALL_HANDLE_SIGNALS', 'yes')\n"
    "os.environ.setdefault('PYTHON_JULIACALL_THREADS', 'auto')\n"
    "import juliacall\n"
    "jl = juliacall.Main\n"
    "jl.seval('using SymbolicRegression, DynamicQuantities')\n"
    "print('JULIA_VERSION', jl.seval('string(VERSION)'))\n"
)


@dataclass(frozen=True)
class JuliaStatus:
    """``available``: the backend can run; ``reason``: why not and what to do (or what was found);
    ``summary``: the why in a few words, for one-line notes."""

    available: bool
    reason: str
    version: str | None = None
    summary: str = ""


@lru_cache(maxsize=None)
def julia_status(timeout: float = 5.0) -> JuliaStatus:
    """Start Julia with SymbolicRegression.jl in a child process; cached per process and timeout."""
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        summary = f"Julia did not start within {timeout:g} s"
        return JuliaStatus(False, f"{summary} (a first start installs and precompiles packages and can "
                                  f"take many minutes). {HOW_TO_ENABLE}", summary=summary)
    for line in done.stdout.splitlines():
        if line.startswith("JULIA_VERSION"):
            version = line.split()[1]
            return JuliaStatus(True, f"Julia {version} with SymbolicRegression.jl", version,
                               summary=f"Julia {version}")
    last = [line for line in done.stderr.strip().splitlines() if line.strip()]
    detail = last[-1] if last else f"exit code {done.returncode}"
    if "URLError" in detail or "Name or service not known" in detail:
        # juliapkg found no Julia and tried to download one (or the packages) with no network
        detail = f"no Julia found and juliapkg could not download it ({detail})"
    summary = f"Julia cannot start: {detail}"
    return JuliaStatus(False, f"{summary}. {HOW_TO_ENABLE}", summary=summary)
