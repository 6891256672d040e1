"""Sure-independence screening: the candidates most correlated with the residual, every stratum
heard.

Half of each step's width goes to the overall best |Pearson r|; the other half goes to the strata
(the engine uses each candidate's complexity, a finer split than its rung), simplest first, each
contributing its own best (up to a fifth of that half each, at least 2: a third left complexity 4,
the square of a ratio such as (θ/σ)², without a share). So the many candidates of a high rung
cannot push the simple ones out of the ℓ0 subspace: adding a rung or operators adds candidates that
compete within their own stratum's share (m·v², m·u², m·w² of ½m(v²+u²+w²) are the best of theirs).
Ties are broken by index (deterministic).
"""

from __future__ import annotations

from math import comb

import numpy as np


def screen(correlations, n_sis: int, exclude=(), strata=None) -> list[int]:
    """Indices of about ``n_sis`` candidates with the largest |r| in ``correlations`` (one per
    candidate, with the residual), skipping ``exclude``; with ``strata`` (a label per candidate)
    half of them are taken stratum by stratum (module docstring)."""
    score = np.round(np.abs(np.asarray(correlations, float)), 12)
    score[list(exclude)] = -1.0
    order = np.argsort(-score, kind="stable")
    chosen = [int(i) for i in order[:n_sis if strata is None else (n_sis + 1) // 2] if score[i] >= 0]
    if strata is not None:
        strata = np.asarray(strata)
        levels = sorted(set(strata.tolist()))
        budget = n_sis // 2
        share = max(2, budget // 5)
        taken = set(chosen)
        for level in levels:  # simplest first: Occam's share
            if budget <= 0:
                break
            mine = [int(i) for i in order if strata[i] == level and score[i] >= 0 and int(i) not in taken]
            mine = mine[:min(share, budget)]
            chosen += mine
            taken.update(mine)
            budget -= len(mine)
    return chosen


def screening_width(n_candidates: int, max_terms: int, n_sis: int, max_combinations: int) -> int:
    """Candidates added per descriptor dimension: as many as keep the last ℓ0 step (all
    ``C(max_terms · width, max_terms)`` combinations) within ``max_combinations``, never fewer
    than ``n_sis`` nor more than there are candidates. So the width grows with the candidate
    count as far as the time/memory budget allows."""
    width = n_sis
    while width < n_candidates and comb(max_terms * (width + 1), max_terms) <= max_combinations:
        width += 1
    return max(1, min(width, n_candidates))
