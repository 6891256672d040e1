"""Worker processes for per-structure work (parsing structure files, building graphs).

Both jobs are pure Python/NumPy per item and embarrassingly parallel, so they go to a process pool
(threads would serialise on the GIL). Workers never touch torch: they return NumPy arrays or
pymatgen objects, and the parent makes tensors. That keeps forked workers safe even when the parent
has already started torch's OpenMP threads.

A worker function must not raise for a bad item: it returns a :class:`Failed` so the caller can
apply its own per-row policy (stop with a message naming the row, or skip and report).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Sequence

__all__ = ["Failed", "default_workers", "map_items"]

#: below this many items a pool costs more to start than it saves
PARALLEL_THRESHOLD = 500


@dataclass
class Failed:
    """What a worker returns instead of raising: the first line of the error."""

    reason: str

    @classmethod
    def from_exception(cls, exc: BaseException) -> "Failed":
        text = str(exc).strip()
        return cls(text.splitlines()[0] if text else type(exc).__name__)


def default_workers(n_items: int) -> int:
    """All cores for large jobs, none extra for small ones (``SAGATSR_WORKERS`` overrides)."""
    if "SAGATSR_WORKERS" in os.environ:
        return max(1, int(os.environ["SAGATSR_WORKERS"]))
    return (os.cpu_count() or 1) if n_items >= PARALLEL_THRESHOLD else 1


def map_items(func: Callable, items: Sequence, *, workers: int | None = None, desc: str = "",
              progress: bool = True, initializer: Callable | None = None, initargs: tuple = ()) -> list:
    """``[func(item) for item in items]`` in order, on ``workers`` processes (``None``: automatic),
    with a progress bar. ``initializer(*initargs)`` runs once per worker (and once here when serial)
    to hand over shared state such as a graph builder without pickling it per item."""
    from tqdm.auto import tqdm

    workers = default_workers(len(items)) if workers is None else max(1, int(workers))
    bar = tqdm(total=len(items), desc=desc, disable=not progress or len(items) < 200)
    if workers == 1 or len(items) < 2:
        if initializer is not None:
            initializer(*initargs)
        results = []
        for item in items:
            results.append(func(item))
            bar.update()
        bar.close()
        return results
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    chunk = max(1, min(64, len(items) // (workers * 8) or 1))
    results = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
        for result in pool.map(func, items, chunksize=chunk):
            results.append(result)
            bar.update()
    bar.close()
    return results
