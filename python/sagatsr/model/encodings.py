"""The alternatives to the SAE used in the paper's ablation, plus the shared standardiser.

- :class:`Standardize`: :math:`\\tilde r_i = (r_i - m_i) / s_i` with the mean :math:`m_i` and
  standard deviation :math:`s_i` of each raw feature fitted on training data and kept as buffers.
- :class:`LinearEncoding` (``encoding="linear"``, the paper's "FCN" baseline): a fully connected
  embedding of the standardised raw scalars,
  :math:`\\mathbf{h} = W_2\\,\\mathrm{LeakyReLU}(W_1 \\tilde{\\mathbf{r}} + \\mathbf{b}_1) + \\mathbf{b}_2`.
- :class:`OneHotEncoding` (``encoding="onehot"``, CGCNN-style): a learned vector per element,
  :math:`\\mathbf{h} = E[Z]`, i.e. a linear map of the one-hot atomic number (uses ``data.z``).

Neither produces importance coefficients; they return ``(h, None)`` so that they can stand in for
:class:`~sagatsr.model.sae.SelfAdaptableEncoding` (which returns ``(h, ics)``).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["Standardize", "LinearEncoding", "OneHotEncoding"]

MAX_ATOMIC_NUMBER = 118


class Standardize(nn.Module):
    """``[n, N]`` raw values -> standardised values, statistics fitted by :meth:`fit` (buffers).

    :math:`z_i = \\mathrm{clip}((r_i - m_i)/s_i, -c, c)` with :math:`c` = ``clip`` (10). The clip
    matters for features that barely vary in training: nearest-neighbour spread is ~1e-8 Å in every
    elemental crystal of one structure type, so an unseen structure with a real spread would
    otherwise land millions of standard deviations out and blow up the prediction. A feature whose
    spread is below 1e-6 of its scale is treated as constant (:math:`s_i = 1`).
    """

    clip = 10.0

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(num_features))
        self.register_buffer("std", torch.ones(num_features))

    @torch.no_grad()
    def fit(self, values: Tensor) -> None:
        """Fit :math:`m_i, s_i` on ``values`` [n, N], ignoring non-finite entries."""
        values = torch.as_tensor(values, dtype=torch.float64).reshape(-1, self.mean.numel())
        finite = torch.isfinite(values)
        count = finite.sum(0).clamp(min=1)
        mean = torch.where(finite, values, 0.0).sum(0) / count
        var = torch.where(finite, (values - mean) ** 2, 0.0).sum(0) / count
        std = var.sqrt()
        self.mean.copy_(mean.float())
        self.std.copy_(torch.where(std > 1e-6 * mean.abs().clamp(min=1.0), std, torch.ones_like(std)).float())

    def forward(self, values: Tensor) -> Tensor:
        return torch.nan_to_num((values - self.mean) / self.std, nan=0.0).clamp(-self.clip, self.clip)


class LinearEncoding(nn.Module):
    """Fully connected embedding of standardised raw scalars: ``[n, N] -> ([n, d], None)``."""

    def __init__(self, num_features: int, dim: int) -> None:
        super().__init__()
        self.standardize = Standardize(num_features)
        self.net = nn.Sequential(nn.Linear(num_features, dim), nn.LeakyReLU(0.2), nn.Linear(dim, dim))

    def fit_ranges(self, values: Tensor) -> None:
        """Fit the standardisation statistics (same name as the SAE's fitting hook)."""
        self.standardize.fit(values)

    def forward(self, values: Tensor) -> tuple[Tensor, None]:
        return self.net(self.standardize(values)), None


class OneHotEncoding(nn.Module):
    """CGCNN-style element embedding: atomic numbers ``[n]`` -> ``([n, d], None)``."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.table = nn.Embedding(MAX_ATOMIC_NUMBER + 1, dim)

    def fit_ranges(self, values: Tensor) -> None:
        """Nothing to fit (kept for a uniform interface)."""

    def forward(self, z: Tensor) -> tuple[Tensor, None]:
        return self.table(z.clamp(0, MAX_ATOMIC_NUMBER)), None
