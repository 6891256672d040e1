"""Weight averaging (SWA, Izmailov et al. 2018): the running mean of a model's weights over the
last epochs of training, kept beside the model it follows.

.. math::
    \\bar\\theta_1 = \\theta_1, \\qquad
    \\bar\\theta_n = \\bar\\theta_{n-1} + \\frac{\\theta_n - \\bar\\theta_{n-1}}{n}

SA-GAT normalises with LayerNorm only (no running statistics), so the averaged weights need no
second pass over the data before use.
"""

from __future__ import annotations

import copy

import torch

__all__ = ["WeightAverage"]


class WeightAverage(torch.nn.Module):
    """``average`` (a frozen copy of the model) and ``count`` (updates so far) are module state, so
    a checkpoint holds them and a resumed run continues the same mean."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.average = copy.deepcopy(model)
        for parameter in self.average.parameters():
            parameter.requires_grad_(False)
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        """Add ``model``'s current weights to the mean (the first update copies them)."""
        n = int(self.count) + 1
        current = model.state_dict()
        for name, mean in self.average.state_dict().items():
            value = current[name].to(mean.device)
            if n == 1 or not mean.is_floating_point():
                mean.copy_(value)
            else:
                mean.add_((value - mean) / n)
        self.count.fill_(n)
