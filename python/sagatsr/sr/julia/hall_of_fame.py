"""Reader of the ``hall_of_fame.csv`` SymbolicRegression.jl (v1.13) writes during a search.

Format (SearchUtils.jl ``save_to_file``): a header ``Complexity,Loss,Equation`` and one row per
Pareto-front member, the equation in double quotes; a ``.bak`` copy is written beside it so one of
the two is whole if the process dies mid-write. It lets a crashed or timed-out search keep its
best formulas. It has no dimensional verdict: those rows get ``dimensionally_consistent=None``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sagatsr.errors import BackendError

__all__ = ["read_hall_of_fame", "find_hall_of_fame"]


def read_hall_of_fame(path: str | Path) -> list[dict]:
    """Rows ``{expression, complexity, loss, dimensionally_consistent: None}`` of one CSV file."""
    path = Path(path)
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != ["Complexity", "Loss", "Equation"]:
            raise BackendError(f"{path}: not a SymbolicRegression.jl hall of fame (header {header})")
        rows = []
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != 3:
                raise BackendError(f"{path}: line {number} has {len(row)} fields, expected 3")
            rows.append({"expression": row[2], "complexity": int(row[0]), "loss": float(row[1]),
                         "dimensionally_consistent": None})
    return rows


def find_hall_of_fame(output_directory: str | Path) -> list[dict] | None:
    """The newest readable hall of fame under ``output_directory`` (the file, else its ``.bak``)."""
    for path in sorted(Path(output_directory).glob("**/hall_of_fame.csv*"), key=lambda p: p.suffix == ".bak"):
        try:
            rows = read_hall_of_fame(path)
        except (BackendError, ValueError, OSError):
            continue
        if rows:
            return rows
    return None
