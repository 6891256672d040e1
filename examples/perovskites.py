"""SA-GAT-SR on Matbench perovskites (Castelli et al.): heat of formation, eV per 5-atom cell.

    python examples/perovskites.py ../shared/data/matbench_perovskites --limit 2000 --epochs 30

Runs the whole pipeline (`sagatsr run`) on the CSV + CIF tarball folder. The full set is 18,928
structures; `--limit` takes the first N rows for a quicker look. The run directory is resumable:
run the same command again after an interruption.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sagatsr.pipeline import RunConfig, run_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder with targets.csv and cifs.tgz")
    parser.add_argument("--target", default="e_form", choices=["e_form", "gap_gllbsc"])
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("runs/perovskites"))
    args = parser.parse_args()
    config = RunConfig.from_dict(dict(data=str(args.folder / "targets.csv"), target=args.target, out=args.out,
                                      limit=args.limit, epochs=args.epochs, batch_size=64, oof_folds=0, top_k=8))
    print("report:", run_pipeline(config))


if __name__ == "__main__":
    main()
