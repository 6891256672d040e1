"""Neighbour-list speed: sagatsr's CrystalGraphBuilder against the SA-GAT-SR authors' method
(``structure.get_all_neighbors(12)``, sort each list by distance, keep 12), same structures, same run.

    python benchmarks/graph_speed.py --data ../shared/data/matbench_perovskites [--n 2000] [--quick]

Both sides get already-parsed structures; the builder is timed twice: neighbour lists only (the
like-for-like comparison) and whole graphs (site + crystal features, Gaussian expansion, ranks).
Writes benchmarks/results/graph_speed.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def authors_neighbors(structure, cutoff=12.0, keep=12):
    """The released SA-GAT-SR code's neighbour search (reimplemented here for timing)."""
    lists = structure.get_all_neighbors(cutoff)
    return [sorted(neighbors, key=lambda n: n.nn_distance)[:keep] for neighbors in lists]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "matbench_perovskites")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="300 structures")
    args = parser.parse_args()
    n = 300 if args.quick else args.n

    from sagatsr.data import load_dataset
    from sagatsr.graphs import CrystalGraphBuilder

    data = load_dataset(args.data / "targets.csv", "e_form", limit=n)
    builder = CrystalGraphBuilder(cutoff=12.0, max_neighbors=12)
    timings = {}
    start = time.perf_counter()
    for s in data.structures:
        authors_neighbors(s)
    timings["authors_get_all_neighbors"] = time.perf_counter() - start
    start = time.perf_counter()
    for s, mid in zip(data.structures, data.ids):
        builder.neighbors(s, mid)
    timings["sagatsr_neighbor_list"] = time.perf_counter() - start
    start = time.perf_counter()
    builder.build_many(data.structures, data.targets, data.ids, progress=False)
    timings["sagatsr_full_graphs"] = time.perf_counter() - start
    rates = {k: n / v for k, v in timings.items()}
    result = {
        "command": " ".join(["python", *sys.argv]), "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "n_structures": n, "seconds": timings, "structures_per_second": rates,
        "speedup_neighbor_lists": timings["authors_get_all_neighbors"] / timings["sagatsr_neighbor_list"],
        "speedup_full_graphs_vs_authors_neighbors_only": timings["authors_get_all_neighbors"] / timings["sagatsr_full_graphs"],
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "graph_speed.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
