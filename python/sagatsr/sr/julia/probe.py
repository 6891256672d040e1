"""Can the Julia backend start here? Asked in a child process with a timeout, because importing
juliacall may download Julia and packages, precompile for minutes, or hang on a bad network, and
must never share a process with torch.

Start-up timeout: ``SAGATSR_JULIA_TIMEOUT`` seconds (default :data:`DEFAULT_START_TIMEOUT`). A warm
start (juliacall + ``using SymbolicRegression``) takes ~5–10 s; the first one precompiles for minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import lru_cache

from sagatsr.errors import InputError

__all__ = ["JuliaStatus", "julia_status", "start_timeout", "DEFAULT_START_TIMEOUT", "HOW_TO_ENABLE",
           "juliacall_environment", "julia_start_error"]

#: seconds a Julia start may take before the backend counts as unavailable (first start precompiles)
DEFAULT_START_TIMEOUT = 900.0

HOW_TO_ENABLE = (
    "To enable it: install Julia >= 1.10 (juliaup, or let juliacall's juliapkg fetch it) on a machine "
    "that can reach Julia's package server, then run `sagatsr doctor --julia-timeout 1800` once to "
    "install and precompile SymbolicRegression.jl. Air-gapped: set PYTHON_JULIAPKG_OFFLINE=yes with a "
    "prepared depot (JULIA_DEPOT_PATH), or set PYTHON_JULIACALL_EXE and PYTHON_JULIACALL_PROJECT to a "
    "Julia and an environment that has SymbolicRegression, DynamicQuantities and the PythonCall "
    "version of your juliacall. Or use backend='sisso'."
)

_PROBE = (
    "import os\n"
    "import juliacall\n"
    "jl = juliacall.Main\n"
    "jl.seval('using SymbolicRegression, DynamicQuantities')\n"
    "print('JULIA_VERSION', jl.seval('string(VERSION)'), jl.seval('string(pkgversion(SymbolicRegression))'))\n"
)


def juliacall_environment() -> dict:
    """The child's environment: PySR's juliacall defaults unless the user set them (signal handling
    so Ctrl-C and Julia's threads coexist with Python; threads = all cores)."""
    env = dict(os.environ)
    env.setdefault("PYTHON_JULIACALL_HANDLE_SIGNALS", "yes")
    env.setdefault("PYTHON_JULIACALL_THREADS", "auto")
    return env


def start_timeout() -> float:
    """``SAGATSR_JULIA_TIMEOUT`` (seconds) or :data:`DEFAULT_START_TIMEOUT`."""
    text = os.environ.get("SAGATSR_JULIA_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_START_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise InputError(f"SAGATSR_JULIA_TIMEOUT must be a positive number of seconds, got {text!r}")
    return value


@dataclass(frozen=True)
class JuliaStatus:
    """``available``: the backend can run; ``reason``: why not and what to do (or what was found);
    ``summary``: the why in a few words, for one-line notes; ``seconds``: how long the start took."""

    available: bool
    reason: str
    version: str | None = None
    summary: str = ""
    seconds: float | None = None
    symbolic_regression: str | None = None


def julia_status(timeout: float | None = None) -> JuliaStatus:
    """Start Julia with SymbolicRegression.jl in a child process (timeout: :func:`start_timeout`);
    the answer is cached per process and timeout."""
    return _probe(float(timeout) if timeout is not None else start_timeout())


@lru_cache(maxsize=None)
def _probe(timeout: float) -> JuliaStatus:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=timeout,
                              env=juliacall_environment(), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        summary = f"Julia did not start within {timeout:g} s"
        return JuliaStatus(False, f"{summary} (a first start installs and precompiles packages and can "
                                  f"take many minutes; raise SAGATSR_JULIA_TIMEOUT). {HOW_TO_ENABLE}",
                           summary=summary, seconds=timeout)
    seconds = time.perf_counter() - started
    for line in done.stdout.splitlines():
        if line.startswith("JULIA_VERSION"):
            _, version, sr_version = line.split()
            return JuliaStatus(True, f"Julia {version} with SymbolicRegression.jl {sr_version} "
                                     f"(started in {seconds:.1f} s)", version,
                               summary=f"Julia {version}", seconds=seconds, symbolic_regression=sr_version)
    last = [line for line in done.stderr.strip().splitlines() if line.strip()]
    detail = last[-1] if last else f"exit code {done.returncode}"
    if "URLError" in detail or "Name or service not known" in detail:
        # juliapkg found no Julia and tried to download one (or the packages) with no network
        detail = f"no Julia found and juliapkg could not download it ({detail})"
    else:
        # juliacall only says its own `julia -e ...` call failed; Julia's own words say why
        detail = julia_start_error(os.environ.get("PYTHON_JULIACALL_EXE") or shutil.which("julia")) or detail
    summary = f"Julia cannot start: {detail}"
    return JuliaStatus(False, f"{summary}. {HOW_TO_ENABLE}", summary=summary, seconds=seconds)


#: Julia's words for a system image compiled for instructions this CPU lacks, and what to do
_FOREIGN_CPU = ("Unable to find compatible target",
                "its system image was compiled for instructions this CPU lacks, such as AVX-512; use a Julia "
                "built for this CPU or for a portable JULIA_CPU_TARGET such as 'generic'")


def julia_start_error(executable: str | None, timeout: float = 120.0) -> str | None:
    """Why ``executable`` (a ``julia``) cannot run ``julia -e nothing``, in Julia's own words, or
    ``None`` when it starts (or there is none): ``"/opt/julia/bin/julia exits with code 1: ERROR:
    Unable to find compatible target in cached code image. ..."``."""
    if not executable:
        return None
    try:
        done = subprocess.run([executable, "--startup-file=no", "-e", "nothing"], capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{executable} does not run: {error}"
    if done.returncode == 0:
        return None
    words = " ".join(line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip())
    message = f"{executable} exits with code {done.returncode}: {words[:400] or 'no message'}"
    if _FOREIGN_CPU[0] in words:
        message += f" ({_FOREIGN_CPU[1]})"
    return message
