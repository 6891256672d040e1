"""The ``best_`` rule of :class:`~sagatsr.sr.regressor.SymbolicRegressor` (PySR's "best", judged on
held-out rows, preferring pure-number coefficients).

``loss(eq)`` is the held-out (cross-validated) MSE divided by var(y) when every formula has one
(``cv_nmse``, scale-free), else the held-out MSE, else the training MSE.
Near-best: ``loss ≤ tolerance · min loss + 1e-12·var(y)`` (so exact fits tie). If any near-best
formula has only pure-number coefficients (``pure_number_coefficients`` true), only those compete.
Among the competitors, the chosen one has the largest ``-Δ log(loss) / Δ complexity`` against the
next simpler formula on the front (the simplest competitor wins when nothing simpler exists).
"""

from __future__ import annotations

import numpy as np


def choose_best(front, tolerance: float, y_var: float):
    front = sorted(front, key=lambda e: (e.complexity, e.loss))
    if all(eq.cv_nmse is not None for eq in front):  # scale-free: var(y) may overflow
        def loss(eq):
            return eq.cv_nmse
        floor = 1e-12
    else:
        held_out = all(eq.cv_loss is not None for eq in front)

        def loss(eq):
            return eq.cv_loss if held_out else eq.loss
        floor = 1e-12 * y_var + 1e-300
    limit = tolerance * min(loss(eq) for eq in front) + floor
    near = [eq for eq in front if loss(eq) <= limit]
    if any(eq.pure_number_coefficients for eq in near):
        near = [eq for eq in near if eq.pure_number_coefficients]
    best, best_score = None, -np.inf
    for eq in near:
        k = front.index(eq)
        if k == 0:
            score = np.inf  # nothing simpler: it is the best if it is near-best at all
        else:
            previous = front[k - 1]
            gain = np.log(max(loss(previous), floor)) - np.log(max(loss(eq), floor))
            score = gain / max(eq.complexity - previous.complexity, 1)
        if score > best_score:
            best, best_score = eq, score
    return best
