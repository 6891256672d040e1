"""Which process of a multi-process (DDP) training this is, before Lightning has started.

Lightning's DDP runs the training script once per device: its own launcher re-runs the script in
child processes (``LOCAL_RANK`` ≥ 1), Slurm's ``srun`` starts one task per device
(``SLURM_PROCID``), ``torchrun`` sets ``RANK``. Every process calls
:func:`~sagatsr.training.fit`; only the primary one (global rank 0) locks the output folder and
writes ``run_config.json``, the model and its card (Lightning already writes checkpoints from rank 0
only). The others train their shard and return the same model without writing.

Every process decides whether to resume from the files alone, and the primary keeps those files
consistent for them: it removes a stale ``last.ckpt`` (another run's settings or data) *before*
it rewrites ``run_config.json``. A process reading at any moment therefore sees either the old
settings (no resume), or the new settings without a checkpoint (no resume), or, for a genuine
resume, the same settings and the same ``last.ckpt`` as the primary; no checkpoint changes before
all processes have joined the process group.
"""

from __future__ import annotations

import os

__all__ = ["is_primary_process"]

# (variable, only meaningful when this other variable says there are several tasks)
_RANK_VARIABLES = (("RANK", None), ("SLURM_PROCID", "SLURM_NTASKS"), ("LOCAL_RANK", None), ("NODE_RANK", None))


def _as_int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def is_primary_process() -> bool:
    """False in the extra processes of a DDP run (any launcher rank variable > 0)."""
    for name, several in _RANK_VARIABLES:
        if several is not None and _as_int(os.environ.get(several), 1) <= 1:
            continue
        if _as_int(os.environ.get(name)) > 0:
            return False
    return True
