"""Lightning checkpoints that are written atomically and read safely.

* :class:`AtomicCheckpointIO` saves ``best.ckpt`` / ``last.ckpt`` through
  :func:`sagatsr.io.atomic_target` (temp name, fsync, rename): a kill during a save leaves the
  previous checkpoint intact, never a truncated one.
* :func:`load_checkpoint` reads one with ``torch.load(weights_only=True)``: a hostile pickle is
  refused without running anything, and any unreadable file (truncated, foreign, not a
  checkpoint) becomes one :class:`~sagatsr.errors.CheckpointError` naming the file and what to do.
"""

from __future__ import annotations

from pathlib import Path

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO

from sagatsr.errors import CheckpointError
from sagatsr.io import atomic_target

__all__ = ["AtomicCheckpointIO", "load_checkpoint"]


class AtomicCheckpointIO(TorchCheckpointIO):
    """Lightning checkpoint I/O with atomic replacement of the file."""

    def save_checkpoint(self, checkpoint, path, storage_options=None) -> None:
        with atomic_target(path) as tmp:
            torch.save(checkpoint, tmp)

    def load_checkpoint(self, path, map_location=None, weights_only=None):
        return load_checkpoint(path, map_location=map_location or "cpu")


def load_checkpoint(path: str | Path, map_location="cpu", *, remedy: str | None = None) -> dict:
    """The checkpoint dict at ``path``, or a :class:`CheckpointError` naming it and the remedy."""
    path = Path(path)
    remedy = remedy or (f"delete {path.name} to start training again from epoch 0 (metrics.csv and "
                        "the other files are kept)")
    try:
        checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means an unusable file
        text = str(exc)
        detail = text.split("WeightsUnpickler error:")[-1].strip() if "WeightsUnpickler" in text else text.strip()
        first = (detail.splitlines() or [type(exc).__name__])[0][:160]
        kind = ("holds objects that would run code when loaded; it was not loaded"
                if "Unsupported global" in text
                else f"is truncated or corrupt ({type(exc).__name__}: {first})")
        raise CheckpointError(f"{path} {kind}; {remedy}") from None
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
        raise CheckpointError(f"{path} is not a Lightning checkpoint of sagatsr; {remedy}")
    return checkpoint
