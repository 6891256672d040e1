"""sagatsr: interpretable formulas for material properties from crystal structures (SA-GAT-SR).

Heavy submodules (torch, pymatgen) load on first use, so ``import sagatsr`` stays fast and the CLI's
``--help`` answers at once.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "featurize": "sagatsr.features",
    "FeatureSpace": "sagatsr.features",
    "load_dataset": "sagatsr.data",
    "CrystalGraphBuilder": "sagatsr.graphs",
    "SymbolicRegressor": "sagatsr.sr",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sagatsr' has no attribute {name!r}")
