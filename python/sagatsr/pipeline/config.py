"""Settings of one ``sagatsr run``: :class:`RunConfig` nests the training settings
(:class:`~sagatsr.training.TrainConfig`) and the symbolic-regression settings (:class:`SRSettings`)
once each, and checks every value when it is built — before any file is written or any work starts.

A bad value raises :class:`~sagatsr.errors.InputError` (the CLI prints it as one line, exit 2).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from enum import Enum
from pathlib import Path

from typing import TYPE_CHECKING

from sagatsr.errors import InputError

if TYPE_CHECKING:  # importing sagatsr.training starts torch; the CLI imports this module first
    from sagatsr.training.config import TrainConfig

__all__ = ["RunConfig", "SRSettings", "SRBackend", "Encoding", "demo_config", "check_data_source",
           "checked_train_config"]


def _backend_choices() -> type[Enum]:
    """``auto`` plus every backend of the registry (:mod:`sagatsr.sr.backends`, which imports
    neither juliacall nor torch), so a newly registered backend is a CLI choice without an edit here."""
    from sagatsr.sr.backends import backend_names

    return Enum("SRBackend", [(name, name) for name in ("auto", *backend_names())], type=str, module=__name__,
                qualname="SRBackend")


#: Symbolic-regression engine: ``auto`` (the first of the registry's ``AUTO_ORDER`` that can start:
#: Julia, else the embedded sisso) or a registered backend by name (``julia``, ``sisso``, ...).
#: Read from the registry when this module is first imported.
SRBackend = _backend_choices()


class Encoding(str, Enum):
    """How crystal features enter SA-GAT: the self-adaptable encoding (ICs), a linear map, or one-hot bins."""

    sae = "sae"
    linear = "linear"
    onehot = "onehot"


def _choice(enum: type[Enum], value, what: str):
    try:
        return enum(value.value if isinstance(value, Enum) else value)
    except ValueError:
        raise InputError(f"unknown {what} {value!r}; choose one of {', '.join(e.value for e in enum)}") from None


def _at_least(name: str, value, low, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InputError(f"{name} must be an integer ≥ {low}, got {value!r}")


@dataclass
class SRSettings:
    """Symbolic regression of a run: engine, sisso descriptor count, largest complexity, Julia iterations."""

    backend: SRBackend = SRBackend.auto
    max_terms: int = 3
    maxsize: int = 20
    niterations: int = 40

    def __post_init__(self) -> None:
        self.backend = _choice(SRBackend, self.backend, "--sr-backend")
        _at_least("--sr-max-terms", self.max_terms, 1)
        _at_least("--sr-maxsize", self.maxsize, 1)
        _at_least("--sr-niterations", self.niterations, 1)

    def as_dict(self) -> dict:
        return {**asdict(self), "backend": self.backend.value}


def checked_train_config(**values) -> "TrainConfig":
    """A :class:`~sagatsr.training.TrainConfig`; its own range errors become one-line InputErrors."""
    from sagatsr.training.config import TrainConfig

    try:
        return TrainConfig.from_dict(values)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def check_data_source(data: str) -> None:
    """Refuse a ``--data`` that cannot be a dataset (missing path, unknown format) without reading it."""
    if str(data) == "demo":
        return
    path = Path(data)
    if not path.exists():
        raise InputError("no such file or folder", source=data)
    if path.is_file() and not path.name.endswith((".csv", ".json", ".json.gz", ".nc")):
        raise InputError("unknown dataset format (a folder, .csv, .json(.gz) or 'demo')", source=data)


@dataclass
class RunConfig:
    """What ``run_pipeline`` does.

    ``oof_folds``: how E_p is made for the symbolic regression. With K ≥ 2, K extra models are
    trained on K-fold splits of the train+validation rows, and each row's E_p comes from the model
    that did not see it (out-of-fold). With 0, SR is fitted on the validation rows only, whose E_p
    come from the main model (those rows chose its early-stopping epoch, nothing else).
    Either way the test rows are never used to fit a model or a formula.

    ``train.seed`` is the run's one seed: it also seeds the split, the cross-fitting folds and SR.
    ``target_unit``: the target's pint unit; required unless the source documents it.
    ``threads``: torch/BLAS threads (``None``: :func:`sagatsr.threads.default_threads`).
    ``seeds``: train the main model as an ensemble, one member per seed (mean prediction; the
    cross-fitting models stay single); ``None``: one model with ``train.seed``.
    ``strict`` (default): the first bad row stops the run naming its line; ``strict=False``
    (``--skip-bad``) skips bad rows and lists them in ``skipped.csv``. ``cutoff``: the graph
    neighbour radius (Å). ``allow_outside``: structure paths may leave the dataset's folder.
    """

    data: str
    target: str | None
    out: Path
    target_unit: str | None = None
    top_k: int = 8
    limit: int | None = None
    strict: bool = True
    cutoff: float = 12.0
    allow_outside: bool = False
    oof_folds: int = 5
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    threads: int | None = None
    progress: bool = True
    train: "TrainConfig" = field(default_factory=lambda: checked_train_config(batch_size=32))
    sr: SRSettings = field(default_factory=SRSettings)
    extra: dict = field(default_factory=dict)
    seeds: list | None = None

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if isinstance(self.train, dict):
            self.train = checked_train_config(**self.train)
        if isinstance(self.sr, dict):
            self.sr = SRSettings(**self.sr)
        _at_least("--top-k", self.top_k, 1)
        _at_least("--limit", self.limit, 1, allow_none=True)
        _at_least("--threads", self.threads, 1, allow_none=True)
        if not self.cutoff > 0:
            raise InputError(f"--cutoff must be a positive distance in Å, got {self.cutoff!r}")
        if self.oof_folds != 0:
            _at_least("--oof-folds (0, or K ≥ 2 folds)", self.oof_folds, 2)
        if self.seeds is not None:
            from sagatsr.training.ensemble import parse_seeds

            try:
                self.seeds = parse_seeds(self.seeds)
            except ValueError as exc:
                raise InputError(f"--seeds: {exc}") from None
        _at_least("--seed", self.train.seed, 0)  # numpy's generators take no negative seed
        _at_least("--epochs", self.train.epochs, 1)
        _at_least("--batch-size", self.train.batch_size, 1)
        self.train.encoding = _choice(Encoding, self.train.encoding, "--encoding").value
        for name in ("val_fraction", "test_fraction"):
            if not 0 < getattr(self, name) < 0.5:
                raise InputError(f"{name} must be between 0 and 0.5, got {getattr(self, name)!r}")
        if self.target_unit is not None:
            from sagatsr.units import parse_unit

            parse_unit(self.target_unit)
        check_data_source(self.data)

    @property
    def seed(self) -> int:
        return self.train.seed

    def train_config(self, **overrides) -> "TrainConfig":
        """The training settings with this run's thread count (per-model overrides allowed)."""
        return replace(self.train, num_threads=self.threads, progress=self.progress, **overrides)

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(out=str(self.out), train=self.train.as_dict(), sr=self.sr.as_dict())
        return data

    #: flat names of earlier versions -> (nested section, field)
    _LEGACY = {"epochs": ("train", "epochs"), "batch_size": ("train", "batch_size"), "seed": ("train", "seed"),
               "encoding": ("train", "encoding"), "sr_backend": ("sr", "backend"),
               "sr_max_terms": ("sr", "max_terms"), "sr_maxsize": ("sr", "maxsize"),
               "sr_niterations": ("sr", "niterations")}

    @classmethod
    def from_dict(cls, data: dict) -> "RunConfig":
        """Build from ``config.json`` (nested) or from the flat names of earlier versions."""
        data = dict(data)
        train = dict(data.pop("train", None) or {"batch_size": 32})
        sr = dict(data.pop("sr", None) or {})
        for old, (section, name) in cls._LEGACY.items():
            if old in data:
                (train if section == "train" else sr)[name] = data.pop(old)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown run settings {unknown}")
        return cls(**data, train=checked_train_config(**train), sr=SRSettings(**sr))


def demo_config(out: str | Path = "sagatsr-demo", threads: int | None = None) -> RunConfig:
    """The built-in demo: ASE's 71 elemental crystals with WIEN2k PBE bulk moduli (GPa).

    Sized to finish in a few minutes on 2 CPU cores; ``SAGATSR_SHORT=1`` shrinks it further for CI.
    """
    short = bool(os.environ.get("SAGATSR_SHORT"))
    return RunConfig(data="demo", target="bulk_modulus", target_unit="GPa", out=Path(out), top_k=6,
                     oof_folds=3, threads=threads,
                     train=checked_train_config(epochs=8 if short else 50, batch_size=16),
                     sr=SRSettings(niterations=10 if short else 40))
