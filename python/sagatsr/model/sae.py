"""Self-adaptable encoding (SAE): one learned projection per scalar feature, importance-weighted.

For a material (or an atom) with raw scalar features :math:`r_1, \\dots, r_N`:

.. math::
    \\mathbf{h}_i = \\sigma_i(r_i) \\in \\mathbb{R}^d, \\qquad
    s_i = \\beta\\, \\mathbf{w}^\\top \\mathbf{h}_i, \\qquad
    a_i = \\frac{e^{s_i}}{\\sum_{k \\in V} e^{s_k}} \\;(i \\in V), \\quad a_i = 0 \\;(i \\notin V), \\qquad
    \\mathbf{h} = \\sum_{i=1}^{N} a_i \\mathbf{h}_i .

The :math:`a_i` are the importance coefficients (ICs): non-negative, summing to 1 over the
features of each row, and material-dependent. One score vector :math:`\\mathbf{w}` is shared by all
features, so the cost is :math:`O(N d)`, linear in the number of features. A shared bias would
cancel in the softmax, so there is none. Two choices keep the ICs meaningful:

- :math:`V` is the set of features that vary on the training data (:meth:`fit_ranges`). A feature
  that is constant there carries no information, so it gets IC 0. Otherwise its IC would only
  reflect the random initial score of its single embedding row.
- :math:`\\beta` is a learnable sharpness, initialised to :math:`\\sqrt d`. With N ≈ 250 features
  and unit-scale scores the softmax starts out almost uniform, and each IC's gradient is
  proportional to the IC itself (≈ 1/N). A wider initial spread lets the ICs separate within a
  practical number of steps.

Per-feature projection :math:`\\sigma_i` (``mode``):

- ``"binned"`` (the paper's): :math:`r_i` is mapped to one of ``num_bins`` uniform bins over
  :math:`[\\ell_i, u_i]` (values outside clamp to the end bins) and looks up that feature's own
  embedding row: :math:`\\sigma_i(r) = E_i[\\mathrm{bin}_i(r)]`.
- ``"gaussian"`` (continuous): :math:`t = (r - \\ell_i)/(u_i - \\ell_i)`,
  :math:`\\phi_k(t) = \\exp(-(t - \\mu_k)^2 / 2\\gamma^2)` on ``num_basis`` centres
  :math:`\\mu_k \\in [0, 1]`, and :math:`\\sigma_i(r) = W_i^\\top \\boldsymbol\\phi(t) + \\mathbf{c}_i`.

``heads`` = K > 1 (an extension; the paper has K = 1): K score vectors
:math:`\\mathbf{w}_k` give K sets of ICs :math:`a_{ik}`, and
:math:`\\mathbf{h} = W_m [\\sum_i a_{i1}\\mathbf{h}_i \\,\\|\\, \\dots \\,\\|\\, \\sum_i a_{iK}\\mathbf{h}_i] + \\mathbf{b}_m`.
One weighted average of feature vectors is a narrow bottleneck; K of them carry more of the input.
The reported ICs are :math:`\\frac1K \\sum_k a_{ik}`: still non-negative, still summing to 1.
The cost is :math:`O(N d K)`.

The ranges :math:`[\\ell_i, u_i]` are fitted on training data (:meth:`fit_ranges`) and stored as
buffers, so they travel with the saved weights. Raw features keep their physical units; the
per-feature ranges make their wildly different scales irrelevant.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["SelfAdaptableEncoding"]


class SelfAdaptableEncoding(nn.Module):
    """Encode ``[n, num_features]`` raw scalars into ``[n, dim]`` vectors plus ``[n, num_features]`` ICs.

    Args:
        num_features: N, the number of scalar features.
        dim: d, the size of each feature's vector.
        mode: ``"binned"`` (per-feature embedding table) or ``"gaussian"`` (per-feature linear map of
            a Gaussian basis).
        num_bins: bins per feature for ``"binned"`` (paper: 200 for atoms, 250 for crystals).
        num_basis: Gaussian centres per feature for ``"gaussian"``.
        heads: K, the number of IC heads (1 = the paper's SAE).
    """

    def __init__(self, num_features: int, dim: int, mode: str = "binned", num_bins: int = 200,
                 num_basis: int = 16, heads: int = 1) -> None:
        super().__init__()
        if mode not in ("binned", "gaussian"):
            raise ValueError(f"unknown SAE mode {mode!r}; use 'binned' or 'gaussian'")
        self.num_features, self.dim, self.mode = num_features, dim, mode
        self.num_bins, self.num_basis = num_bins, num_basis
        self.register_buffer("lower", torch.zeros(num_features))
        self.register_buffer("upper", torch.ones(num_features))
        # features constant on the training data carry no information: they get IC 0
        self.register_buffer("constant", torch.zeros(num_features, dtype=torch.bool))
        if mode == "binned":
            # one table for all features; feature i owns rows [i*num_bins, (i+1)*num_bins)
            self.table = nn.Embedding(num_features * num_bins, dim)
            nn.init.normal_(self.table.weight, std=dim ** -0.5)
            self.register_buffer("offsets", torch.arange(num_features) * num_bins, persistent=False)
        else:
            self.register_buffer("centres", torch.linspace(0.0, 1.0, num_basis), persistent=False)
            self.gamma = 1.0 / max(num_basis - 1, 1)
            self.weight = nn.Parameter(torch.randn(num_features, num_basis, dim) * num_basis ** -0.5)
            self.bias = nn.Parameter(torch.zeros(num_features, dim))
        if heads < 1:
            raise ValueError(f"SAE heads must be at least 1, got {heads}")
        self.heads = heads
        self.score = nn.Linear(dim, heads, bias=False)  # a shared bias b cancels in the softmax
        # several heads: each pools the same projections with its own ICs; a linear map merges them
        self.merge = nn.Linear(heads * dim, dim) if heads > 1 else None
        self.sharpness = nn.Parameter(torch.tensor(float(dim) ** 0.5))

    @torch.no_grad()
    def fit_ranges(self, values: Tensor) -> None:
        """Set each feature's range :math:`[\\ell_i, u_i]` to its min/max over ``values`` [n, N]
        (non-finite entries ignored; a constant or empty column gets the range [v, v + 1])."""
        values = torch.as_tensor(values, dtype=torch.float32).reshape(-1, self.num_features)
        finite = torch.isfinite(values)
        lower = torch.where(finite, values, torch.inf).amin(dim=0) if len(values) else torch.zeros(self.num_features)
        upper = torch.where(finite, values, -torch.inf).amax(dim=0) if len(values) else torch.ones(self.num_features)
        lower = torch.where(torch.isfinite(lower), lower, torch.zeros_like(lower))
        upper = torch.where(torch.isfinite(upper), upper, lower)
        constant = upper - lower <= 1e-6 * torch.clamp(lower.abs(), min=1.0)
        self.lower.copy_(lower)
        self.upper.copy_(torch.where(constant, lower + 1.0, upper))
        self.constant.copy_(constant if not constant.all() else torch.zeros_like(constant))

    def _scaled(self, values: Tensor) -> Tensor:
        values = torch.nan_to_num(values.to(self.lower.dtype), nan=0.0)
        return (values - self.lower) / (self.upper - self.lower)

    def project(self, values: Tensor) -> Tensor:
        """:math:`\\sigma_i(r_i)` for every row and feature: ``[n, N] -> [n, N, d]``."""
        t = self._scaled(values)
        if self.mode == "binned":
            index = torch.clamp((t * self.num_bins).floor().long(), 0, self.num_bins - 1)
            return self.table(index + self.offsets)
        t = torch.clamp(t, -0.5, 1.5)
        basis = torch.exp(-((t.unsqueeze(-1) - self.centres) ** 2) / (2 * self.gamma ** 2))
        return torch.einsum("nfk,fkd->nfd", basis, self.weight) + self.bias

    def forward(self, values: Tensor) -> tuple[Tensor, Tensor]:
        """Return ``(h, ics)``: the IC-weighted vector [n, d] and the ICs [n, N]."""
        if values.dim() != 2 or values.size(1) != self.num_features:
            raise ValueError(f"expected [n, {self.num_features}] features, got {tuple(values.shape)}")
        projected = self.project(values)
        scores = self.sharpness * self.score(projected)  # [n, N, heads]
        ics = torch.softmax(scores.masked_fill(self.constant.unsqueeze(-1), -torch.inf), dim=1)
        if self.merge is None:
            return torch.einsum("nf,nfd->nd", ics[..., 0], projected), ics[..., 0]
        pooled = torch.einsum("nfk,nfd->nkd", ics, projected).reshape(len(values), -1)
        return self.merge(pooled), ics.mean(dim=-1)

