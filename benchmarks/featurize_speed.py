"""Benchmark: featurise matbench_perovskites (load_dataset, i.e. CIF reading + parsing, and featurize timed separately).

Usage: python benchmarks/featurize_speed.py [--data ../shared/data/matbench_perovskites]
       [--quick] [--limit N] [--workers 2]
Writes benchmarks/results/featurize_speed.json.
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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "matbench_perovskites"))
    parser.add_argument("--quick", action="store_true", help="only the first 2000 structures")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2, help="processes for CIF parsing")
    args = parser.parse_args(argv)
    limit = args.limit or (2000 if args.quick else None)

    from sagatsr.data import load_dataset

    t0 = time.perf_counter()
    structures = load_dataset(Path(args.data) / "targets.csv", "e_form", limit=limit, workers=args.workers).structures
    t_load = time.perf_counter() - t0

    from sagatsr.features import FeatureSpace, featurize

    FeatureSpace.default()
    featurize(structures[:5], progress=False)  # warm the element table cache
    t0 = time.perf_counter()
    ds = featurize(structures, progress=False)
    t_feat = time.perf_counter() - t0
    result = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count()},
        "n_structures": len(structures),
        "n_crystal_features": len(ds.data_vars),
        "load_dataset_seconds": round(t_load, 2),
        "load_dataset_note": "sagatsr.data.load_dataset: read the tarball, parse and validate every CIF",
        "load_workers": args.workers,
        "featurize_seconds": round(t_feat, 2),
        "featurize_structures_per_second": round(len(structures) / t_feat, 1),
    }
    out = ROOT / "benchmarks" / "results" / "featurize_speed.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
