"""Sure-independence screening: the ``n_sis`` candidates most correlated with the residual."""

from __future__ import annotations

import numpy as np


def screen(correlations, n_sis: int, exclude=()) -> list[int]:
    """Indices of the ``n_sis`` largest |Pearson r| in ``correlations`` (one per candidate, with
    the residual), skipping ``exclude``; ties are broken by index (deterministic)."""
    score = np.round(np.abs(np.asarray(correlations, float)), 12)
    score[list(exclude)] = -1.0
    order = np.argsort(-score, kind="stable")
    return [int(i) for i in order[:n_sis] if score[i] >= 0]
