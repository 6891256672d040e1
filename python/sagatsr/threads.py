"""How many CPU threads torch and the BLAS/OpenMP libraries use.

torch starts one OpenMP thread per core by default and OpenMP threads spin while they wait. On a
machine that other jobs share, that oversubscribes the cores: the threads wait on each other
instead of computing. The default here is the number of *physical* cores this process may run on,
less the cores other processes keep busy (the 1-minute load average), and at least 1. ``--threads
N`` or ``SAGATSR_THREADS=N`` overrides it. Waiting OpenMP threads yield the core
(``OMP_WAIT_POLICY=PASSIVE``) unless the user set a policy.
"""

from __future__ import annotations

import logging
import os
import sys

from sagatsr.errors import InputError

__all__ = ["available_cores", "default_threads", "apply_threads"]

log = logging.getLogger("sagatsr")

_ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def available_cores() -> int:
    """Physical cores this process may use (CPU affinity ∩ physical cores; logical if unknown)."""
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        import psutil

        physical = psutil.cpu_count(logical=False) or logical
        per_core = max(1, (psutil.cpu_count(logical=True) or logical) // physical)
    except ImportError:  # psutil is optional: count logical CPUs
        physical, per_core = logical, 1
    return max(1, min(physical, logical // per_core))


def default_threads() -> int:
    """``SAGATSR_THREADS`` if set, else ``OMP_NUM_THREADS`` if set, else the physical cores not kept
    busy by other processes (rounded 1-minute load average), at least 1."""
    env = os.environ.get("SAGATSR_THREADS")
    if env:
        try:
            value = int(env)
        except ValueError:
            raise InputError(f"SAGATSR_THREADS must be a positive integer, got {env!r}") from None
        if value < 1:
            raise InputError(f"SAGATSR_THREADS must be a positive integer, got {env!r}")
        return value
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) >= 1:  # the user's own OpenMP setting
        return int(omp)
    cores = available_cores()
    try:
        busy = os.getloadavg()[0]
    except OSError:  # not available on this platform
        busy = 0.0
    return max(1, min(cores, cores - int(busy + 0.5)))


def apply_threads(threads: int | None = None) -> int:
    """Use ``threads`` (default :func:`default_threads`) threads in torch and the BLAS libraries.

    Environment variables only take effect before torch is imported, so the CLI calls this first;
    ``torch.set_num_threads`` is applied as well when torch is already loaded. Returns the count.
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise InputError(f"--threads must be a positive integer, got {threads!r}")
    count = threads or default_threads()
    for name in _ENV_VARS:
        os.environ[name] = str(count)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(count)
    log.debug("using %d CPU threads", count)
    return count
