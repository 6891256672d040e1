"""Exceptions users see. Each names the file, row or feature at fault in its message.

The CLI turns any :class:`SagatsrError` into one line on stderr and exit code 2 — never a
traceback — so raise these (not bare ``ValueError``) for anything caused by the user's input.
"""

from __future__ import annotations

__all__ = ["SagatsrError", "InputError", "UnitError", "FeatureError", "BackendError", "CheckpointError"]


class SagatsrError(Exception):
    """Base class of every error sagatsr raises on purpose."""


class InputError(SagatsrError, ValueError):
    """Bad input data: names the source file, the row (0-based data row) and/or the id at fault."""

    def __init__(self, message: str, *, source=None, row=None, item=None):
        self.source, self.row, self.item = source, row, item
        where = []
        if source is not None:
            where.append(f"{source}")
        if row is not None:
            where.append(f"row {row}")
        if item is not None:
            where.append(f"{item}")
        super().__init__(f"{': '.join(where)}: {message}" if where else message)


class UnitError(SagatsrError, ValueError):
    """A unit string that cannot be parsed or units that are inconsistent."""


class FeatureError(SagatsrError, ValueError):
    """A feature that cannot be computed (e.g. an element with no data and no imputation)."""


class BackendError(SagatsrError, RuntimeError):
    """A symbolic-regression backend that cannot run (e.g. Julia is missing), with what to do."""


class CheckpointError(SagatsrError, RuntimeError):
    """A corrupt, foreign or incompatible checkpoint or saved model."""
