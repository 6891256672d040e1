"""Options shared by several commands, declared once (``Annotated`` types) so every command spells,
checks and documents them the same way. Values are checked by typer as they are parsed (range,
choice, existing ``--data``), so a bad setting fails before any file is written or work starts;
:mod:`sagatsr.cli` prints such an error as one line with exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sagatsr.pipeline.config import Encoding, SRBackend
from sagatsr.sr.params import MAXIMUM, MINIMUM

__all__ = ["Data", "StructuresData", "Target", "TargetUnit", "Limit", "Seed", "Threads", "Strict", "SkipBad",
           "Cutoff", "AllowOutside", "report_skipped",
           "Out", "OutFile", "ModelDir", "TopK", "Epochs", "BatchSize", "Backend", "EncodingChoice",
           "AngleLayers", "AngleNeighbors", "AngleBasis", "SwaEpochs", "angle_args", "start"]

DATA_HELP = ('dataset: folder with id_prop.csv + structure files, CSV with a file column (files beside it '
             'or in a .tgz), matminer split .json.gz, or "demo"')
STRUCTURES_HELP = ("structures: any --data source, or a bare folder of CIF/POSCAR/CONTCAR/.vasp/pymatgen "
                   ".json/.extxyz files, one such file, a quoted glob ('cands/*.cif'), or a CSV/JSON "
                   "without the target column")


def _existing_source(value: str) -> str:
    from sagatsr.errors import SagatsrError
    from sagatsr.pipeline.config import check_data_source

    try:
        check_data_source(value)
    except SagatsrError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


def _existing_structures(value: str) -> str:
    if any(ch in value for ch in "*?[") or value == "demo" or Path(value).exists():
        return value
    raise typer.BadParameter(f"{value}: no such file or folder")


def _unit(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from sagatsr.errors import UnitError
    from sagatsr.units import parse_unit

    try:
        parse_unit(value)
    except UnitError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


Data = Annotated[str, typer.Option("--data", help=DATA_HELP, callback=_existing_source)]
StructuresData = Annotated[str, typer.Option("--data", help=STRUCTURES_HELP, callback=_existing_structures)]
Target = Annotated[Optional[str], typer.Option(
    "--target", help="target column (default: the source's only/first one; on a CGCNN folder a free "
                     "label of id_prop.csv's value column, default 'target')")]
TargetUnit = Annotated[Optional[str], typer.Option(
    "--target-unit", callback=_unit,
    help="the target's unit, any pint string (GPa, eV/atom, 'meV / atom', dimensionless); required "
         "unless the source documents it (the demo: GPa; Matbench, matminer metadata)")]
Limit = Annotated[Optional[int], typer.Option("--limit", min=1, help="use only the first N materials")]
Seed = Annotated[int, typer.Option("--seed", min=0, help="random seed (split, training, cross-fitting, SR)")]
Threads = Annotated[Optional[int], typer.Option(
    "--threads", min=1, envvar="SAGATSR_THREADS",
    help="CPU threads for torch/BLAS (default: free physical cores; env SAGATSR_THREADS)")]
Strict = Annotated[bool, typer.Option("--strict/--no-strict",
                                      help="stop at the first bad row instead of skipping it")]
SkipBad = Annotated[bool, typer.Option("--skip-bad/--no-skip-bad",
                                       help="skip unreadable rows and report them (default: stop at the first)")]
def _cutoff(value: float) -> float:
    if not value > 0:
        raise typer.BadParameter(f"the cutoff is a distance in Å and must be positive, got {value}")
    return value


Cutoff = Annotated[float, typer.Option(
    "--cutoff", callback=_cutoff,
    help="graph neighbour radius in Å (an atom with no neighbour within it makes its row bad); predict/screen "
         "use the model's own")]
AllowOutside = Annotated[bool, typer.Option(
    "--allow-outside",
    help="let paths in id_prop.csv / a CSV point outside the dataset's folder (refused by default)")]
Out = Annotated[Path, typer.Option("--out", help="output directory")]
OutFile = Annotated[Path, typer.Option("--out", help="output file")]
ModelDir = Annotated[Path, typer.Option("--model", exists=True, file_okay=False,
                                        help="directory written by `sagatsr train` (or a run's model/)")]
TopK = Annotated[int, typer.Option("--top-k", min=1, help="features passed on from the IC ranking")]
Epochs = Annotated[int, typer.Option("--epochs", min=1, help="training epochs (early stopping may end sooner)")]
BatchSize = Annotated[int, typer.Option("--batch-size", min=1)]
Backend = Annotated[SRBackend, typer.Option("--sr-backend", help="symbolic-regression engine "
                                             "(auto: Julia if it can start, else the embedded sisso)")]
# the run's SR settings: the ranges are the engine's (sagatsr.sr.params), the defaults SRSettings'
SRMaxTerms = Annotated[int, typer.Option("--sr-max-terms", min=MINIMUM["max_terms"], max=MAXIMUM["max_terms"],
                                         help="sisso: descriptors per formula")]
SRMaxsize = Annotated[int, typer.Option("--sr-maxsize", min=MINIMUM["maxsize"],
                                        help="largest formula complexity kept (the run's default is compact)")]
SRNiterations = Annotated[int, typer.Option("--sr-niterations", min=MINIMUM["niterations"],
                                            help="Julia backend: search iterations")]
EncodingChoice = Annotated[Encoding, typer.Option("--encoding", help="crystal-feature encoding (sae gives ICs)")]
# SA-GAT's bond-angle option; None leaves the model's own default (no angles), so the numbers live
# in one place (the model's signature, merged by TrainConfig)
AngleLayers = Annotated[Optional[int], typer.Option(
    "--angle-layers", min=0,
    help="bond angles: an angle-resolved edge update before each of the first A message-passing layers "
         "(0 = none, the default; at most the model's layers)")]
AngleNeighbors = Annotated[Optional[int], typer.Option(
    "--angle-neighbors", min=2, help="bond angles: at most this many edges per atom (whole distance shells) "
                                     "form the bond pairs")]
AngleBasis = Annotated[Optional[int], typer.Option(
    "--angle-basis", min=1, help="bond angles: Gaussians expanding cos(angle)")]

SwaEpochs = Annotated[int, typer.Option(
    "--swa-epochs", min=0, help="weight averaging (SWA): this many epochs at a constant rate after the "
                                "schedule, their weights averaged; a finished model rerun with more is "
                                "extended, not retrained (0 = off)")]


def angle_args(angle_layers: Optional[int], angle_neighbors: Optional[int], angle_basis: Optional[int]) -> dict:
    """The angle settings given on the command line, as SA-GAT hyper-parameters for TrainConfig."""
    given = {"angle_layers": angle_layers, "angle_neighbors": angle_neighbors, "angle_basis": angle_basis}
    return {name: value for name, value in given.items() if value is not None}


class _PlainJuliaNotice:
    """Log filter: the engine's "julia unavailable (...)" note, said once in plain words (cause, fix)."""

    def filter(self, record) -> bool:
        message = record.getMessage()
        if "julia unavailable" in message.lower():
            from sagatsr.report.explain import julia_notice

            record.msg, record.args = julia_notice([message]) or message, ()
        return True


def start(threads: Optional[int]) -> int:
    """Common start of a command that computes: logging, then the thread setting (before torch is
    imported)."""
    import logging

    from sagatsr.threads import apply_threads

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _PlainJuliaNotice) for f in handler.filters):
            handler.addFilter(_PlainJuliaNotice())
    return apply_threads(threads)


def report_skipped(built, out) -> None:
    """Write ``skipped.csv`` for ``out`` (:mod:`sagatsr.data.badrows`) and say in one line what was
    left out — every command that reads data does this, so fewer output rows never go unsaid."""
    from sagatsr.data.badrows import skip_summary, write_skipped

    path = write_skipped(out, built.skipped)
    word = "line" if getattr(built.loaded, "numbering", "") == "line" else "row"
    for record in built.skipped:
        typer.echo(f"skipped {word} {record['row']} ({record['id']}): {record['reason']}", err=True)
    if built.skipped:  # nothing skipped: the (empty) file says so, the terminal stays quiet
        typer.echo(skip_summary(built.skipped, built.n_rows, path), err=True)
