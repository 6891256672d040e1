"""SA-GAT: self-adaptable encodings + shell-attention message passing + crystal-seeded readout.

.. math::
    \\mathbf{x}^{(0)}_i, \\mathbf{a}^{\\text{site}}_i = \\mathrm{SAE}_{\\text{site}}(\\mathbf{r}_i), \\qquad
    \\mathbf{c}, \\mathbf{a}^{\\text{crystal}} = \\mathrm{SAE}_{\\text{crystal}}(\\mathbf{u}), \\qquad
    \\mathbf{e}^{(0)}_{ij} = W_g\\, \\mathrm{RBF}(d_{ij})

.. math::
    (\\mathbf{x}^{(t+1)}, \\mathbf{e}^{(t+1)}) = \\mathrm{Conv}_t(\\mathbf{x}^{(t)}, \\mathbf{e}^{(t)}, \\rho),
    \\qquad \\text{readout state} \\leftarrow \\mathrm{step}(\\text{state}, \\mathbf{x}^{(t+1)})

.. math::
    \\hat y = \\mu_y + \\sigma_y \\cdot W_2\\, \\mathrm{Dropout}(\\mathrm{ReLU}(W_1 \\mathbf{g} + \\mathbf{b}_1)) + b_2

with :math:`\\mathbf{g}` the readout's graph vector and :math:`\\mu_y, \\sigma_y` the training-target
mean and standard deviation (buffers; the network itself works on the standardised target).
``encoding="linear"``/``"onehot"`` swap the site SAE for the ablation baselines (and the crystal
SAE for a linear encoding), so ICs exist only with ``encoding="sae"``.

``angle_layers`` = A > 0 (off by default) adds bond angles: before each of the first A
message-passing layers, the edge vectors get an angle-resolved update over pairs of bonds sharing
an atom (:class:`~sagatsr.model.angles.AngleEdgeUpdate`; ``angle_basis`` Gaussians of
:math:`\cos\theta`, at most ``angle_neighbors`` edges per atom in whole shells,
:mod:`sagatsr.graphs.triplets`). The graphs then need ``edge_vec``. The SAE and ICs are unchanged.

CPU-friendly defaults: hidden 64, 3 layers × 4 heads, edge vectors 32, dropout 0.1, and the
paper's binned SAE with one IC head (the paper: node 128 / crystal 256, 4 layers × 4 heads, edges
48, dropout 0.3 — pass those on a GPU). :class:`~sagatsr.training.TrainConfig` defaults to the
recipe in :data:`~sagatsr.training.config.RECIPES` instead: the quantile SAE (6 basis functions), 4 IC
heads, no dropout.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from sagatsr.graphs.triplets import bond_cosines, triplet_index
from sagatsr.model.angles import AngleEdgeUpdate, CosineBasis
from sagatsr.model.attention import ShellAttentionConv
from sagatsr.model.base import CrystalModel
from sagatsr.model.encodings import LinearEncoding, OneHotEncoding
from sagatsr.model.readout import GRUAttentionReadout, MeanPoolReadout
from sagatsr.model.sae import SelfAdaptableEncoding

__all__ = ["SAGAT"]

ENCODINGS = ("sae", "linear", "onehot")
READOUTS = {"gru": GRUAttentionReadout, "mean": MeanPoolReadout}


class SAGAT(CrystalModel):
    """The SA-GAT network. ``forward(batch) -> [num_graphs]`` predictions in target units.

    Args:
        num_site_features / num_crystal_features / num_edge_features: widths of ``data.x``,
            ``data.u`` and ``data.edge_attr``.
        hidden: node and crystal vector size d.
        edge_hidden: edge vector size.
        layers, heads: message-passing depth and attention heads.
        encoding: ``"sae"`` | ``"linear"`` | ``"onehot"`` (site encoding; see module docstring).
        sae_mode: ``"binned"`` (paper) | ``"gaussian"`` (continuous) | ``"quantile"``.
        site_bins, crystal_bins, num_basis: SAE resolution.
        max_rank: distance-shell ranks above this share one attention bias.
        dropout: dropout in the layers and the head.
        readout: ``"gru"`` (crystal-seeded attention, after every layer) | ``"mean"``.
        sae_heads: IC heads per SAE (1 = the paper's; more heads pool the same feature vectors
            with separate ICs, and the reported ICs are their mean).
        angle_layers: message-passing layers preceded by an angle update (0 = no angles).
        angle_basis: Gaussians of cos θ; angle_neighbors: the per-atom edge cap for triplets.
        sae_feature_norm: unit-RMS feature vectors in both SAEs, so only the ICs weigh a feature
            (``sae_mode="quantile"`` only; :mod:`sagatsr.model.sae`).

    The arguments are recorded in ``self.config`` (:class:`~sagatsr.model.base.CrystalModel`).
    """

    def __init__(self, num_site_features: int, num_crystal_features: int, num_edge_features: int, *,
                 hidden: int = 64, edge_hidden: int = 32, layers: int = 3, heads: int = 4,
                 encoding: str = "sae", sae_mode: str = "binned", site_bins: int = 100,
                 crystal_bins: int = 100, num_basis: int = 16, max_rank: int = 16,
                 dropout: float = 0.1, readout: str = "gru", sae_heads: int = 1, angle_layers: int = 0,
                 angle_basis: int = 8, angle_neighbors: int = 8, sae_feature_norm: bool = False) -> None:
        super().__init__()
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}")
        if readout not in READOUTS:
            raise ValueError(f"unknown readout {readout!r}; choose one of {', '.join(READOUTS)}")
        if not 0 <= angle_layers <= layers or angle_neighbors < 2:
            raise ValueError(f"angle_layers must be in 0..layers ({layers}) and angle_neighbors ≥ 2")
        self.encoding = encoding
        if encoding == "sae":
            self.site_encoder = SelfAdaptableEncoding(num_site_features, hidden, sae_mode, site_bins, num_basis,
                                                      sae_heads, feature_norm=sae_feature_norm)
            self.crystal_encoder = SelfAdaptableEncoding(num_crystal_features, hidden, sae_mode, crystal_bins,
                                                         num_basis, sae_heads, feature_norm=sae_feature_norm)
        else:
            self.site_encoder = (LinearEncoding(num_site_features, hidden) if encoding == "linear"
                                 else OneHotEncoding(hidden))
            self.crystal_encoder = LinearEncoding(num_crystal_features, hidden)
        self.edge_embedding = nn.Linear(num_edge_features, edge_hidden)
        self.convs = nn.ModuleList(ShellAttentionConv(hidden, edge_hidden, heads, max_rank, dropout,
                                                      update_edges=k < layers - 1) for k in range(layers))
        self.angle_updates = nn.ModuleList(AngleEdgeUpdate(edge_hidden, angle_basis, dropout)
                                           for _ in range(angle_layers))
        self.angle_basis = CosineBasis(angle_basis) if angle_layers else None
        self.readout = READOUTS[readout](hidden)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 2 * hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(2 * hidden, 1))

    @property
    def has_importance(self) -> bool:
        return self.encoding == "sae"

    @property
    def required_graph_fields(self) -> tuple[str, ...]:
        return super().required_graph_fields + (("edge_vec",) if self.angle_updates else ())

    @torch.no_grad()
    def fit_normalization(self, graphs: Sequence) -> None:
        """Fit SAE bin ranges, standardisation statistics and target scaling on training graphs."""
        site = torch.cat([g.x for g in graphs]).float()
        crystal = torch.cat([g.u.reshape(1, -1) for g in graphs]).float()
        self.site_encoder.fit_ranges(site)
        self.crystal_encoder.fit_ranges(crystal)
        super().fit_normalization(graphs)

    def encode(self, batch) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """Standardised predictions [B], site ICs [N, n_site] and crystal ICs [B, n_crystal]."""
        node_batch = batch.batch if getattr(batch, "batch", None) is not None else \
            torch.zeros(batch.x.size(0), dtype=torch.long, device=batch.x.device)
        crystal = batch.u.reshape(-1, self.config["num_crystal_features"]).float()
        site_input = batch.z if self.encoding == "onehot" else batch.x.float()
        x, site_ics = self.site_encoder(site_input)
        crystal_vector, crystal_ics = self.crystal_encoder(crystal)
        edge = self.edge_embedding(batch.edge_attr.float())
        state = self.readout.start(crystal_vector)
        if self.angle_updates:
            triplets = triplet_index(batch.edge_index, batch.edge_rank, x.size(0), self.config["angle_neighbors"])
            angle_basis = self.angle_basis(bond_cosines(batch.edge_vec, triplets))
        for k, conv in enumerate(self.convs):
            if k < len(self.angle_updates):
                edge = self.angle_updates[k](edge, triplets, angle_basis)
            x, edge = conv(x, batch.edge_index, edge, batch.edge_rank)
            state = self.readout.step(state, x, node_batch)
        prediction = self.head(self.readout.finish(state, x, node_batch)).squeeze(-1)
        return prediction, site_ics, crystal_ics
