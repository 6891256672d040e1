"""Self-adaptable encoding (SAE): one learned projection per scalar feature, importance-weighted.

For a material (or an atom) with raw scalar features :math:`r_1, \\dots, r_N`:

.. math::
    \\mathbf{h}_i = \\sigma_i(r_i) \\in \\mathbb{R}^d, \\qquad
    s_{ik} = \\beta\\, \\mathbf{w}_k^\\top \\mathbf{h}_i, \\qquad
    a_{ik} = \\frac{e^{s_{ik}}}{\\sum_{j \\in V} e^{s_{jk}}} \\;(i \\in V), \\quad a_{ik} = 0 \\;(i \\notin V).

The :math:`a_i = \\frac1K \\sum_k a_{ik}` are the importance coefficients (ICs): non-negative,
summing to 1 over the features of each row, and material-dependent. One score vector
:math:`\\mathbf{w}_k` per head is shared by all features, so the cost is :math:`O(N d K)`, linear
in the number of features. :math:`V` is the set of features that vary on the training data
(:meth:`fit_ranges`); a feature constant there carries no information and gets IC 0.
:math:`\\beta` is a learnable sharpness.

``mode="quantile"`` (the default of :class:`~sagatsr.training.TrainConfig`; measured in
``benchmarks/encoding_ablation.py``):

.. math::
    u_i = F_i(r_i), \\qquad z_i = \\mathrm{clip}\\big((r_i - m_i)/s_i, -10, 10\\big), \\qquad
    \\sigma_i(r_i) = W_i^\\top \\boldsymbol\\phi(u_i) + z_i\\, \\mathbf{v}_i + \\mathbf{c}_i,

.. math::
    \\mathbf{p}_k = \\sum_{i} |V|\\, a_{ik}\\, \\mathbf{h}_i, \\qquad
    \\mathbf{h} = W_o\\, \\mathrm{LeakyReLU}([\\mathbf{p}_1 \\| \\dots \\| \\mathbf{p}_K]) + \\mathbf{b}_o .

:math:`F_i` is the empirical distribution function of feature i on the training data (piecewise
linear through ``num_knots`` quantiles), so a heavy-tailed feature spreads over all ``num_basis``
Gaussian centres :math:`\\phi_k(u) = \\exp(-(u - \\mu_k)^2/2\\gamma^2)` instead of sitting in the
first one; the standardised linear term keeps order and extrapolates beyond the training range.
The pooled vector is a *gated sum* (:math:`|V| a_{ik}` = 1 for uniform ICs), not an average: with
uniform ICs and linear :math:`\\sigma_i` it is exactly the first layer of the fully connected
encoding, so the SAE contains the linear baseline; the ICs re-weight each feature's whole
contribution (value path included), which is what makes them importance measures.

``feature_norm=True`` (quantile mode only) fixes the scale of every feature vector before the
IC weighting, so that a feature can gain or lose weight only through its IC, not by growing or
shrinking its own :math:`W_i, \\mathbf{v}_i, \\mathbf{c}_i` (without it, those scale a feature's
contribution as much as its IC does, and the mean ICs stay near uniform). The scored and pooled
vectors become unit-RMS (a parameter-free RMS norm per feature and row, :math:`\\epsilon = 10^{-8}`),
pooled with weight :math:`\\sqrt{|V|}\\, a_{ik}` so that the sum of :math:`|V|` unit vectors stays O(1):

.. math::
    \\hat{\\mathbf{h}}_i = \\frac{\\mathbf{h}_i}{\\sqrt{\\tfrac1d \\lVert \\mathbf{h}_i \\rVert^2 + \\epsilon}},
    \\qquad s_{ik} = \\beta\\, \\mathbf{w}_k^\\top \\hat{\\mathbf{h}}_i, \\qquad
    \\mathbf{p}_k = \\sum_i \\sqrt{|V|}\\, a_{ik}\\, \\hat{\\mathbf{h}}_i .

The value of :math:`r_i` then lives in the direction of :math:`\\hat{\\mathbf{h}}_i` (the basis
and bias terms bend it), its weight only in :math:`a_{ik}`.

Why the older modes lose on small data (measured, README "Encoding ablation"): the convex
average :math:`\\sum_i a_i \\mathbf{h}_i` scales each feature's signal by ~1/N and passes it on
without a non-linearity, and min–max ranges put most rows of skewed features into one basis
function or bin.

Legacy modes (kept so saved models load, and for the paper's ablation), with
:math:`\\mathbf{h} = \\sum_i a_i \\mathbf{h}_i` (K = 1) or :math:`W_m[\\dots] + \\mathbf{b}_m` (K > 1):

- ``"binned"`` (the paper's): :math:`r_i` falls into one of ``num_bins`` uniform bins over the
  training [min, max] (values outside clamp to the end bins): :math:`\\sigma_i(r) = E_i[\\mathrm{bin}_i(r)]`.
- ``"gaussian"``: :math:`t = (r - \\ell_i)/(u_i - \\ell_i)`, :math:`\\sigma_i(r) = W_i^\\top \\boldsymbol\\phi(t) + \\mathbf{c}_i`.

Everything fitted on training data (ranges, quantiles, mean/std) is a buffer, so it travels with
the saved weights. Raw features keep their physical units.

Computation (``"quantile"`` and ``"gaussian"``): :math:`\\sigma_i` is linear in its parameters,
:math:`\\sigma_i(r_i) = \\tilde W_i^\\top \\tilde{\\boldsymbol\\phi}_i` with the parameter-free inputs
:math:`\\tilde{\\boldsymbol\\phi}_i = [\\boldsymbol\\phi(u_i) \\| z_i \\| 1]` (``"gaussian"``:
:math:`[\\boldsymbol\\phi(t_i) \\| 1]`) and the stacked weights :math:`\\tilde W_i = [W_i; \\mathbf{v}_i;
\\mathbf{c}_i]`. :meth:`SelfAdaptableEncoding.forward` builds :math:`\\tilde{\\boldsymbol\\phi}` once,
without gradient, and applies :math:`\\tilde W_i` in one batched product over the features (no
separate linear and bias terms of size :math:`n \\times N \\times d`). Without ``feature_norm`` the
scores come from the inputs, :math:`\\mathbf{w}_k^\\top \\mathbf{h}_i = \\tilde{\\boldsymbol\\phi}_i^\\top
(\\tilde W_i \\mathbf{w}_k)`, so they never touch the large tensor. Features outside :math:`V`
(IC 0, so they add exactly 0) are skipped, and rows that repeat exactly (atoms of one element) are
encoded once. :meth:`~SelfAdaptableEncoding.project` and
:meth:`~SelfAdaptableEncoding.head_importance` keep the term-by-term formulas above as the
reference; the two agree up to float rounding, gradients included (tested).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from sagatsr.model.encodings import Standardize

__all__ = ["SelfAdaptableEncoding", "SAE_MODES"]

SAE_MODES = ("quantile", "gaussian", "binned")


class SelfAdaptableEncoding(nn.Module):
    """Encode ``[n, num_features]`` raw scalars into ``[n, dim]`` vectors plus ``[n, num_features]`` ICs.

    Args:
        num_features: N, the number of scalar features.
        dim: d, the size of each feature's vector.
        mode: ``"quantile"`` (gated sum, see the module docstring), ``"gaussian"`` or ``"binned"``
            (the paper's average).
        num_bins: bins per feature for ``"binned"`` (paper: 200 for atoms, 250 for crystals).
        num_basis: Gaussian centres per feature for ``"gaussian"`` and ``"quantile"``.
        heads: K, the number of IC heads (1 = the paper's SAE).
        num_knots: quantiles per feature for ``"quantile"``.
        feature_norm: ``"quantile"`` only: unit-RMS feature vectors, so that only the ICs weigh a
            feature (see the module docstring).
    """

    norm_eps = 1e-8

    def __init__(self, num_features: int, dim: int, mode: str = "binned", num_bins: int = 200,
                 num_basis: int = 16, heads: int = 1, num_knots: int = 33, feature_norm: bool = False) -> None:
        super().__init__()
        if mode not in SAE_MODES:
            raise ValueError(f"unknown SAE mode {mode!r}; use one of {', '.join(SAE_MODES)}")
        if heads < 1:
            raise ValueError(f"SAE heads must be at least 1, got {heads}")
        if feature_norm and mode != "quantile":
            raise ValueError(f"SAE feature_norm needs mode 'quantile', got mode {mode!r}")
        self.num_features, self.dim, self.mode, self.heads = num_features, dim, mode, heads
        self.feature_norm = bool(feature_norm)
        self.num_bins, self.num_basis = num_bins, num_basis
        self.register_buffer("lower", torch.zeros(num_features))
        self.register_buffer("upper", torch.ones(num_features))
        # features constant on the training data carry no information: they get IC 0
        self.register_buffer("constant", torch.zeros(num_features, dtype=torch.bool))
        self.score = nn.Linear(dim, heads, bias=False)  # a shared bias b cancels in the softmax
        if mode == "binned":
            # one table for all features; feature i owns rows [i*num_bins, (i+1)*num_bins)
            self.table = nn.Embedding(num_features * num_bins, dim)
            nn.init.normal_(self.table.weight, std=dim ** -0.5)
            self.register_buffer("offsets", torch.arange(num_features) * num_bins, persistent=False)
        else:
            self.register_buffer("centres", torch.linspace(0.0, 1.0, num_basis), persistent=False)
            self.gamma = 1.0 / max(num_basis - 1, 1)
        if mode == "gaussian":
            self.weight = nn.Parameter(torch.randn(num_features, num_basis, dim) * num_basis ** -0.5)
            self.bias = nn.Parameter(torch.zeros(num_features, dim))
        if mode == "quantile":
            scale = num_features ** -0.5  # a sum of N contributions of this size is O(1)
            self.weight = nn.Parameter(torch.randn(num_features, num_basis, dim) * scale)
            self.slope = nn.Parameter(torch.randn(num_features, dim) * scale)
            self.bias = nn.Parameter(torch.zeros(num_features, dim))
            self.register_buffer("knots", torch.linspace(0.0, 1.0, num_knots).repeat(num_features, 1))
            self.standardize = Standardize(num_features)
            self.out = nn.Linear(heads * dim, dim)
            self.sharpness = nn.Parameter(torch.tensor(1.0))
        else:
            # several heads: each pools the same projections with its own ICs; a linear map merges them
            self.merge = nn.Linear(heads * dim, dim) if heads > 1 else None
            self.sharpness = nn.Parameter(torch.tensor(float(dim) ** 0.5))

    @torch.no_grad()
    def fit_ranges(self, values: Tensor) -> None:
        """Fit everything the projection needs on training ``values`` [n, N] (non-finite entries
        ignored): ranges [min, max] (a constant or empty column gets [v, v + 1] and IC 0), and for
        ``"quantile"`` the quantile knots and mean/std of each feature."""
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
        if self.mode == "quantile":
            self.standardize.fit(values)
            levels = torch.linspace(0.0, 1.0, self.knots.size(1), dtype=torch.float64)
            for i in range(self.num_features):
                column = values[finite[:, i], i].double()
                if len(column) and not constant[i]:
                    self.knots[i] = torch.quantile(column, levels).float()
                else:
                    self.knots[i] = lower[i] + levels.float()

    def _scaled(self, values: Tensor) -> Tensor:
        values = torch.nan_to_num(values.to(self.lower.dtype), nan=0.0)
        return (values - self.lower) / (self.upper - self.lower)

    def quantile_position(self, values: Tensor) -> Tensor:
        """:math:`F_i(r_i) \\in [0, 1]`: piecewise-linear empirical CDF through the fitted knots."""
        values = torch.nan_to_num(values.to(self.knots.dtype), nan=0.0)
        knots = self.knots
        last = knots.size(1) - 1
        index = torch.searchsorted(knots, values.t().contiguous()).clamp(1, last)  # [N, n]
        low, high = knots.gather(1, index - 1), knots.gather(1, index)
        frac = ((values.t() - low) / (high - low).clamp(min=1e-12)).clamp(0.0, 1.0)
        return ((index - 1 + frac) / last).t()

    def _basis(self, t: Tensor) -> Tensor:
        return torch.exp(-((t.unsqueeze(-1) - self.centres) ** 2) / (2 * self.gamma ** 2))

    def project(self, values: Tensor) -> Tensor:
        """:math:`\\sigma_i(r_i)` for every row and feature (:math:`\\hat{\\mathbf{h}}_i` with
        ``feature_norm``): ``[n, N] -> [n, N, d]``, term by term as in the module docstring (the
        reference for :meth:`forward`'s feature-major computation)."""
        if self.mode == "binned":
            index = torch.clamp((self._scaled(values) * self.num_bins).floor().long(), 0, self.num_bins - 1)
            return self.table(index + self.offsets)
        if self.mode == "gaussian":
            basis = self._basis(torch.clamp(self._scaled(values), -0.5, 1.5))
            return torch.einsum("nfk,fkd->nfd", basis, self.weight) + self.bias
        basis = self._basis(self.quantile_position(values))
        linear = self.standardize(values.to(self.knots.dtype)).unsqueeze(-1) * self.slope
        projected = torch.einsum("nfk,fkd->nfd", basis, self.weight) + linear + self.bias
        if self.feature_norm:  # unit RMS: the feature's own weights cannot change its weight
            projected = projected * torch.rsqrt(projected.pow(2).mean(-1, keepdim=True) + self.norm_eps)
        return projected

    def head_importance(self, projected: Tensor) -> Tensor:
        """Per-head ICs ``[n, N, K]`` (softmax over the varying features)."""
        scores = self.sharpness * self.score(projected)
        return torch.softmax(scores.masked_fill(self.constant.unsqueeze(-1), -torch.inf), dim=1)

    def inputs_by_feature(self, values: Tensor) -> Tensor:
        """The parameter-free inputs :math:`\\tilde{\\boldsymbol\\phi}` of the module docstring,
        feature-major: ``[n, N] -> [N, n, B]`` (no gradient; ``"quantile"`` and ``"gaussian"``)."""
        with torch.no_grad():
            if self.mode == "quantile":
                position = self.quantile_position(values)
                linear = [self.standardize(values.to(self.knots.dtype))]
            else:
                position, linear = torch.clamp(self._scaled(values), -0.5, 1.5), []
            ones = torch.ones_like(position)
            parts = [self._basis(position), *(z.unsqueeze(-1) for z in linear), ones.unsqueeze(-1)]
            return torch.cat(parts, dim=-1).transpose(0, 1).contiguous()

    def stacked_weight(self) -> Tensor:
        """:math:`\\tilde W_i = [W_i; \\mathbf{v}_i; \\mathbf{c}_i]` (``"gaussian"``: no
        :math:`\\mathbf{v}_i`): ``[N, B, d]``, matching :meth:`inputs_by_feature`."""
        rows = [self.weight, *([self.slope.unsqueeze(1)] if self.mode == "quantile" else []), self.bias.unsqueeze(1)]
        return torch.cat(rows, dim=1)

    def _pooled_by_head(self, values: Tensor) -> tuple[Tensor, Tensor]:
        """``(pooled [n, K, d], ICs per head [n, N, K])`` with the pooling weight of the mode
        (:math:`|V| a_{ik}`, :math:`\\sqrt{|V|} a_{ik}` with ``feature_norm``, :math:`a_{ik}` for
        ``"gaussian"``), computed feature-major (module docstring, Computation)."""
        inputs, weight = self.inputs_by_feature(values), self.stacked_weight()
        varying = (~self.constant).nonzero().squeeze(1)
        if len(varying) < self.num_features:  # constant features get IC 0 and add exactly 0: skip them
            inputs, weight = inputs.index_select(0, varying), weight.index_select(0, varying)
        projected = torch.bmm(inputs, weight)  # [V, n, d]
        if self.feature_norm:
            projected = projected * torch.rsqrt(projected.pow(2).mean(-1, keepdim=True) + self.norm_eps)
            scores = self.score(projected)  # [V, n, K]
        else:  # w_k . (W~_i^T phi~_i) = phi~_i . (W~_i w_k): the scores never touch the [V, n, d] tensor
            scores = torch.bmm(inputs, weight @ self.score.weight.T)
        ics = torch.softmax(self.sharpness * scores, dim=0)  # [V, n, K]
        gate = 1.0
        if self.mode == "quantile":
            gate = len(varying) ** 0.5 if self.feature_norm else float(len(varying))
        # pooled over the features as one product per row: [n, K, V] x [n, V, d]
        pooled = torch.bmm((ics * gate).permute(1, 2, 0), projected.transpose(0, 1).contiguous())
        if len(varying) < self.num_features:
            ics = ics.new_zeros(self.num_features, *ics.shape[1:]).index_copy(0, varying, ics)
        return pooled, ics.transpose(0, 1)

    def forward(self, values: Tensor) -> tuple[Tensor, Tensor]:
        """Return ``(h, ics)``: the encoded vector [n, d] and the ICs [n, N].

        Every row is encoded on its own, so a row that repeats is encoded once and copied (atoms
        of one element share their site features across a batch: 49 distinct rows among 320 atoms
        in a batch of 64 Matbench perovskites)."""
        if values.dim() != 2 or values.size(1) != self.num_features:
            raise ValueError(f"expected [n, {self.num_features}] features, got {tuple(values.shape)}")
        repeats = None if values.requires_grad else _repeated_rows(values)  # no gradient through the copy
        if repeats is not None:
            distinct, copies = repeats
            vector, ics = self._encode_rows(distinct)
            return vector.index_select(0, copies), ics.index_select(0, copies)
        return self._encode_rows(values)

    def _encode_rows(self, values: Tensor) -> tuple[Tensor, Tensor]:
        if self.mode == "binned":
            projected = self.project(values)
            ics = self.head_importance(projected)
            pooled = torch.einsum("nfk,nfd->nkd", ics, projected)
        else:
            pooled, ics = self._pooled_by_head(values)
        if self.mode == "quantile":
            return self.out(nn.functional.leaky_relu(pooled.reshape(len(values), -1), 0.2)), ics.mean(dim=-1)
        if self.merge is None:
            return pooled[:, 0], ics[..., 0]
        return self.merge(pooled.reshape(len(values), -1)), ics.mean(dim=-1)


def _repeated_rows(values: Tensor) -> tuple[Tensor, Tensor] | None:
    """``(distinct rows, index of each row's copy)`` when some rows of ``values`` [n, N] repeat
    exactly (bit for bit), else ``None``. Rows are grouped by a random projection (a 1-D sort,
    far cheaper than ``torch.unique(dim=0)``), and the grouping is checked bit for bit, so a
    projection collision only costs the de-duplication, never a wrong row."""
    if len(values) < 2:
        return None
    generator = torch.Generator().manual_seed(0)
    direction = torch.rand(values.size(1), generator=generator, dtype=torch.float64).to(values.device) + 0.5
    keys, copies = torch.unique(torch.nan_to_num(values.double(), nan=0.125) @ direction, return_inverse=True)
    if len(keys) == len(values):
        return None
    first = torch.full((len(keys),), len(values), dtype=torch.long, device=values.device)
    first.scatter_reduce_(0, copies, torch.arange(len(values), device=values.device), reduce="amin")
    distinct = values[first]
    as_bits = {2: torch.int16, 4: torch.int32, 8: torch.int64}.get(values.element_size())
    if as_bits is None or not torch.equal(distinct[copies].view(as_bits), values.view(as_bits)):
        return None
    return distinct, copies
