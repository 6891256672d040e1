"""Helpers shared by the model benchmarks: result JSON with machine info, and graph loading."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_PEROVSKITES = ROOT.parent / "shared" / "data" / "matbench_perovskites"


def machine() -> dict:
    import torch

    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "device": "cuda" if torch.cuda.is_available() else "cpu"}


def write_result(name: str, numbers: dict) -> Path:
    """Write ``benchmarks/results/<name>.json`` with the command line, machine and date."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"command": "python " + " ".join(["benchmarks/" + Path(sys.argv[0]).name, *sys.argv[1:]]),
               "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": machine(), **numbers}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2))
    print(json.dumps(payload, indent=2))
    return path


def perovskite_graphs(data: Path, limit: int | None, cache: Path | None = None, **builder_args):
    """(graphs, loaded dataset) of the first ``limit`` matbench_perovskites rows (e_form, eV/cell);
    ``data`` may also be ``"demo"``; ``builder_args`` go to :class:`CrystalGraphBuilder`."""
    from sagatsr.data import load_dataset
    from sagatsr.graphs import CrystalGraphBuilder

    source = "demo" if str(data) == "demo" else Path(data) / "targets.csv"
    loaded = load_dataset(source, None if str(data) == "demo" else "e_form", limit=limit)
    graphs = CrystalGraphBuilder(**builder_args).build_many(loaded.structures, loaded.targets, loaded.ids, cache_dir=cache,
                                              progress=sys.stderr.isatty())
    if len(graphs) != len(loaded.structures):
        raise RuntimeError("some structures failed to build; the row order would no longer match the folds")
    return graphs, loaded
