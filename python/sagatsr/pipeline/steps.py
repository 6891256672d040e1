"""Resumable pipeline steps.

Each step of ``sagatsr run`` writes its outputs into the run directory and records itself in
``steps.json`` together with a fingerprint of the settings it depended on. A rerun with the same
settings skips every finished step whose outputs still exist; a changed setting reruns that step
and every step after it (later steps include the fingerprints of earlier ones). Nothing a finished
step wrote is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger("sagatsr.pipeline")

__all__ = ["StepLedger", "fingerprint"]


def fingerprint(params: dict[str, Any]) -> str:
    """A short stable hash of JSON-able settings."""
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class StepLedger:
    """The record of finished steps of one run directory (``steps.json``)."""

    out_dir: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    _chain: str = ""

    @classmethod
    def open(cls, out_dir: str | Path) -> "StepLedger":
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "steps.json"
        entries = json.loads(path.read_text()) if path.exists() else {}
        return cls(out, entries)

    def run(self, name: str, params: dict[str, Any], outputs: list[str], fn: Callable[[], Any]) -> bool:
        """Run ``fn`` unless step ``name`` already finished with the same settings and its
        ``outputs`` (paths relative to the run directory) exist. Returns True when it ran."""
        key = fingerprint({"params": params, "upstream": self._chain})
        self._chain = key
        entry = self.entries.get(name)
        done = (
            entry is not None
            and entry.get("fingerprint") == key
            and all((self.out_dir / rel).exists() for rel in outputs)
        )
        if done:
            log.info("step %-10s already done (%s): skipped", name, ", ".join(outputs) or "-")
            return False
        started = time.perf_counter()
        fn()
        missing = [rel for rel in outputs if not (self.out_dir / rel).exists()]
        if missing:
            raise RuntimeError(f"step {name!r} finished without writing {missing}")
        self.entries[name] = {
            "fingerprint": key,
            "outputs": outputs,
            "seconds": round(time.perf_counter() - started, 3),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        self._save()
        return True

    def seconds(self, name: str) -> float | None:
        entry = self.entries.get(name)
        return None if entry is None else entry.get("seconds")

    def _save(self) -> None:
        from sagatsr.io import write_json

        write_json(self.out_dir / "steps.json", self.entries)  # temp name, fsync, rename
