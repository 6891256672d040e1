"""Benchmark: featurise matbench_perovskites (CIF parsing and featurize timed separately).

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
import tarfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _parse(texts):
    import warnings

    from pymatgen.core import Structure

    warnings.filterwarnings("ignore", message="Issues encountered while parsing CIF")

    return [Structure.from_str(t, fmt="cif") for t in texts]


def read_cif_texts(tgz: Path, limit: int | None) -> list[str]:
    texts = []
    with tarfile.open(tgz) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".cif"):
                texts.append(tar.extractfile(member).read().decode())
                if limit and len(texts) >= limit:
                    break
    return texts


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "matbench_perovskites"))
    parser.add_argument("--quick", action="store_true", help="only the first 2000 structures")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2, help="processes for CIF parsing")
    args = parser.parse_args(argv)
    limit = args.limit or (2000 if args.quick else None)

    t0 = time.perf_counter()
    texts = read_cif_texts(Path(args.data) / "cifs.tgz", limit)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    chunks = [texts[i::args.workers] for i in range(args.workers)]
    with ProcessPoolExecutor(args.workers) as pool:
        structures = [s for part in pool.map(_parse, chunks) for s in part]
    t_parse = time.perf_counter() - t0

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
        "read_tgz_seconds": round(t_read, 2),
        "cif_parse_seconds": round(t_parse, 2),
        "cif_parse_workers": args.workers,
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
