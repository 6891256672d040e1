"""Settings of one ``sagatsr run`` (every CLI option maps to a field here)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["RunConfig", "demo_config"]


@dataclass
class RunConfig:
    """What ``run_pipeline`` does.

    ``oof_folds``: how E_p is made for the symbolic regression. With K ≥ 2, K extra models are
    trained on K-fold splits of the train+validation rows, and each row's E_p comes from the model
    that did not see it (out-of-fold). With 0, SR is fitted on the validation rows only, whose E_p
    come from the main model (those rows chose its early-stopping epoch, nothing else).
    Either way the test rows are never used to fit a model or a formula.
    """

    data: str
    target: str | None
    out: Path
    top_k: int = 8
    sr_backend: str = "auto"
    epochs: int = 100
    batch_size: int = 32
    limit: int | None = None
    seed: int = 0
    strict: bool = False
    oof_folds: int = 5
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    sr_max_terms: int = 3
    sr_maxsize: int = 20
    sr_niterations: int = 40
    encoding: str = "sae"
    progress: bool = True
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if self.top_k < 1:
            raise ValueError("top_k must be at least 1")
        if self.oof_folds == 1 or self.oof_folds < 0:
            raise ValueError("oof_folds must be 0 (use the validation rows) or at least 2")

    def as_dict(self) -> dict:
        data = asdict(self)
        data["out"] = str(self.out)
        return data


def demo_config(out: str | Path = "sagatsr-demo") -> RunConfig:
    """The built-in demo: ASE's 71 elemental crystals with WIEN2k PBE bulk moduli (GPa).

    Sized to finish in a few minutes on 2 CPU cores; ``SAGATSR_SHORT=1`` shrinks it further for CI.
    """
    short = bool(os.environ.get("SAGATSR_SHORT"))
    return RunConfig(
        data="demo",
        target="bulk_modulus",
        out=Path(out),
        top_k=6,
        epochs=8 if short else 50,
        batch_size=16,
        oof_folds=3,
        sr_niterations=10 if short else 40,
    )
