"""One bad-row policy for every command that reads a dataset.

Strict by default: the first bad row stops the command with one line naming the file, the line
and the reason. With ``skip=True`` (CLI ``--skip-bad``) bad rows are left out, and every row left
out — whether the loader refused it (unreadable file, bad target, impossible structure, path
outside the dataset) or its graph could not be built (an atom without neighbours within the
cutoff, ...) — is listed with its real reason in a ``skipped.csv``:

=======  =====================================================================================
column   meaning
=======  =====================================================================================
row      the row's line in the source file (1-based, header counted: what an editor shows) for
         CSV sources; the 1-based entry number for the demo and JSON sources
id       the material id
file     the structure file (empty when the structure is inline)
reason   why the row was left out (first line of the error)
=======  =====================================================================================

The file is written (atomically) even when nothing was skipped, so its absence never has to be
interpreted. :func:`skipped_path` says where: ``skipped.csv`` inside an output folder, or
``<name>.skipped.csv`` beside an output file.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SKIPPED_COLUMNS", "GraphSet", "build_graphs", "skipped_path", "write_skipped", "skip_summary"]

log = logging.getLogger("sagatsr.data")

SKIPPED_COLUMNS = ("row", "id", "file", "reason")


@dataclass
class GraphSet:
    """A loaded dataset, the graphs built from it, and every row left out (loader or graph)."""

    loaded: object
    graphs: list
    skipped: list[dict] = field(default_factory=list)
    #: position in ``loaded`` of each graph
    positions: list[int] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Rows read from the source: the ones kept plus the ones left out."""
        return len(self.graphs) + len(self.skipped)


def _file_of(loaded, position: int) -> str:
    files = getattr(loaded, "files", None) or []
    return str(files[position]) if position < len(files) else ""


def _row_of(loaded, position: int):
    rows = getattr(loaded, "rows", None) or []
    return rows[position] if position < len(rows) else position


def build_graphs(loaded, builder, *, skip: bool, cache_dir=None, progress: bool = True, workers=None) -> GraphSet:
    """Graphs of ``loaded`` (a :class:`~sagatsr.data.LoadedDataset`) with ``builder``; rows whose
    graph fails are refused (``skip=False``: one error naming the row's line) or listed."""
    from sagatsr.errors import InputError

    failures: list = []
    try:
        graphs = builder.build_many(loaded.structures, loaded.targets, loaded.ids, cache_dir=cache_dir,
                                    progress=progress, on_error="skip", workers=workers, failures=failures)
    except TypeError:  # a builder without ``failures=``: fall back to comparing ids
        graphs = builder.build_many(loaded.structures, loaded.targets, loaded.ids, cache_dir=cache_dir,
                                    progress=progress, on_error="skip", workers=workers)
        kept = {g.material_id for g in graphs}
        failures = [(i, mid, "graph could not be built") for i, mid in enumerate(loaded.ids) if mid not in kept]
    records = [{"row": s.row, "id": s.id, "file": s.file, "reason": s.reason} for s in loaded.skipped]
    graph_records = [{"row": _row_of(loaded, i), "id": mid, "file": _file_of(loaded, i), "reason": reason}
                     for i, mid, reason in failures]
    if graph_records and not skip:
        first = graph_records[0]
        where = {"line": first["row"]} if getattr(loaded, "numbering", "") == "line" else {"row": first["row"]}
        raise InputError(f"{first['reason']} (use --skip-bad, or on_error='skip', to skip bad rows and list them "
                         "in skipped.csv)", source=getattr(loaded, "source", None) or None,
                         item=first["file"] or first["id"], **where)
    position = {mid: i for i, mid in enumerate(loaded.ids)}
    records = sorted(records + graph_records, key=lambda r: (r["row"] is None, r["row"]))
    return GraphSet(loaded, graphs, records, [position[g.material_id] for g in graphs])


def skipped_path(out: str | Path) -> Path:
    """``out/skipped.csv`` for an output folder, ``<out without suffix>.skipped.csv`` for a file."""
    out = Path(out)
    if out.is_dir() or not out.suffix:
        return out / "skipped.csv"
    return out.with_name(f"{out.name[: -len(out.suffix)]}.skipped.csv")


def write_skipped(out: str | Path, records: list[dict]) -> Path:
    """Write the skipped rows (possibly none) as CSV at :func:`skipped_path` of ``out``, atomically."""
    import csv

    from sagatsr.io import write_text

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SKIPPED_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    return write_text(skipped_path(out), buffer.getvalue())


def skip_summary(records: list[dict], n_rows: int, path: Path) -> str:
    """One line: how many of how many rows were skipped, and where they are listed."""
    if not records:
        return f"all {n_rows} rows used (none skipped)"
    return f"skipped {len(records)} of {n_rows} rows (bad input; listed with reasons in {path})"
