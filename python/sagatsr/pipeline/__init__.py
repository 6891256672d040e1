"""The whole SA-GAT-SR pipeline as resumable steps (``sagatsr run`` / ``sagatsr demo``).

Names load on first use (the CLI imports the settings without pandas or torch)."""

from __future__ import annotations

import importlib

_LAZY = {"RunConfig": "sagatsr.pipeline.config", "SRSettings": "sagatsr.pipeline.config",
         "demo_config": "sagatsr.pipeline.config", "run_pipeline": "sagatsr.pipeline.run"}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sagatsr.pipeline' has no attribute {name!r}")
