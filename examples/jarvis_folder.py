"""SA-GAT-SR on a CGCNN/ALIGNN-style folder: `id_prop.csv` (file,target; no header) + POSCAR files.

    python examples/jarvis_folder.py ../shared/data/jarvis_sample

The sample holds 50 JARVIS-DFT structures with OptB88vdW band gaps (eV) — too few to learn much;
it shows the folder format and the resumable run directory. Point it at your own folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sagatsr.pipeline import RunConfig, run_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--target", default="optb88vdw_bandgap")
    parser.add_argument("--target-unit", default="eV", help="unit of id_prop.csv's values (JARVIS band gaps: eV)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("runs/jarvis_sample"))
    args = parser.parse_args()
    # id_prop.csv has no header: --target only names its value column, so the unit must be given
    config = RunConfig.from_dict(dict(data=str(args.folder), target=args.target, target_unit=args.target_unit,
                                      out=args.out, epochs=args.epochs, batch_size=16, oof_folds=3, top_k=5))
    print("report:", run_pipeline(config))


if __name__ == "__main__":
    main()
