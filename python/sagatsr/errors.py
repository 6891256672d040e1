"""Exceptions users see. Each names the file, row or feature at fault in its message.

The CLI turns any :class:`SagatsrError` into one line on stderr and exit code 2 — never a
traceback — so raise these (not bare ``ValueError``) for anything caused by the user's input.
"""

from __future__ import annotations

__all__ = ["SagatsrError", "InputError", "UnitError", "FeatureError", "BackendError", "CheckpointError",
           "OutputError", "LockedError", "TrainingInterrupted"]


class SagatsrError(Exception):
    """Base class of every error sagatsr raises on purpose."""


class InputError(SagatsrError, ValueError):
    """Bad input data: names the source file, the line (1-based, as an editor shows it) or row,
    and/or the id at fault."""

    def __init__(self, message: str, *, source=None, row=None, item=None, line=None):
        self.source, self.row, self.item, self.line = source, row, item, line
        where = []
        if source is not None:
            where.append(f"{source}")
        if line is not None:
            where.append(f"line {line}")
        elif row is not None:
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


class OutputError(SagatsrError, OSError):
    """An output path that cannot be written (a file where a folder is wanted, read-only, disk
    full); the message names the path."""

    def __init__(self, message: str, *, path=None):
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:  # OSError would format its args as a tuple
        return self.args[0] if self.args else ""


class LockedError(OutputError):
    """An output folder another running sagatsr command is writing to (names that process)."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; the message says what was kept (the CLI adds how to resume, exit 130)."""
