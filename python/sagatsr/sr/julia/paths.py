"""Where the Julia module lives: inside the installed wheel, or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["julia_source_dir", "julia_module_file"]


def julia_source_dir() -> Path:
    """``sagatsr/julia`` inside an installed wheel, else the repository's ``julia/`` (editable installs)."""
    packaged = Path(str(resources.files("sagatsr"))) / "julia"
    if (packaged / "SAGATSR.jl").exists():
        return packaged
    checkout = Path(__file__).resolve().parents[4] / "julia"
    if (checkout / "SAGATSR.jl").exists():
        return checkout
    raise FileNotFoundError(f"the Julia module SAGATSR.jl is in neither {packaged} nor {checkout}")


def julia_module_file() -> Path:
    return julia_source_dir() / "SAGATSR.jl"
