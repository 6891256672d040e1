"""The SA-GAT network (PyG style, one layer per module; each docstring states its equations).

- :mod:`~sagatsr.model.sae`: the self-adaptable encoding (per-feature projection, importance
  coefficients).
- :mod:`~sagatsr.model.encodings`: the ablation baselines (``linear`` FCN, ``onehot`` element).
- :mod:`~sagatsr.model.attention`: multi-head shell-attention message passing with edge updates.
- :mod:`~sagatsr.model.readout`: the crystal-seeded GRU attention readout and mean pooling.
- :mod:`~sagatsr.model.angles`: bond-angle edge updates over pairs of bonds sharing an atom (optional).
- :mod:`~sagatsr.model.sagat`: :class:`SAGAT`, the assembled model.
- :mod:`~sagatsr.model.base`: :class:`CrystalModel`, the contract every trainable model follows.
"""

from sagatsr.model.angles import AngleEdgeUpdate, CosineBasis
from sagatsr.model.attention import ShellAttentionConv
from sagatsr.model.base import CrystalModel, build_model
from sagatsr.model.encodings import LinearEncoding, OneHotEncoding, Standardize
from sagatsr.model.readout import GRUAttentionReadout, MeanPoolReadout
from sagatsr.model.sae import SelfAdaptableEncoding
from sagatsr.model.sagat import SAGAT

__all__ = ["SAGAT", "CrystalModel", "build_model", "AngleEdgeUpdate", "CosineBasis", "SelfAdaptableEncoding",
           "ShellAttentionConv", "GRUAttentionReadout", "MeanPoolReadout", "LinearEncoding", "OneHotEncoding",
           "Standardize"]
