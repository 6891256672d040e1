"""Sure-independence screening: the ``n_sis`` candidates most correlated with the residual."""

from __future__ import annotations

import numpy as np

from sagatsr.sr.sisso.features import correlation


def screen(M: np.ndarray, residual: np.ndarray, n_sis: int, exclude=()) -> list[int]:
    """Indices of the ``n_sis`` columns of ``M`` with the largest |Pearson r| with ``residual``,
    skipping ``exclude``; ties are broken by column order (deterministic)."""
    score = np.abs(correlation(M, residual))
    score[list(exclude)] = -1.0
    order = np.argsort(-score, kind="stable")
    return [int(i) for i in order[:n_sis] if score[i] >= 0]
