"""The official Matbench v0.1 folds."""

from __future__ import annotations

import numpy as np

__all__ = ["matbench_folds", "MATBENCH_SEED"]

#: random_state of Matbench v0.1's KFold
MATBENCH_SEED = 18012019


def matbench_folds(n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 5 (train_rows, test_rows) pairs of Matbench: ``KFold(5, shuffle=True, random_state=18012019)``
    over ``range(n)`` (for matbench_perovskites, n = 18,928 in the published row order)."""
    from sklearn.model_selection import KFold

    return [(train, test) for train, test in KFold(5, shuffle=True, random_state=MATBENCH_SEED).split(np.arange(n))]
