"""Row splits of a run: train / validation / test, and K-fold cross-fitting for E_p."""

from __future__ import annotations

import numpy as np

__all__ = ["train_val_test", "kfold"]


def train_val_test(n: int, val_fraction: float, test_fraction: float, seed: int) -> dict[str, np.ndarray]:
    """A seeded random split of ``range(n)``; each part keeps at least one row when n ≥ 3."""
    if n < 3:
        raise ValueError(f"need at least 3 materials to split into train/validation/test, got {n}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(1, int(round(test_fraction * n)))
    n_val = max(1, int(round(val_fraction * n)))
    if n - n_test - n_val < 1:
        raise ValueError(f"{n} materials leave no training rows after the validation/test split")
    return {
        "test": np.sort(order[:n_test]),
        "val": np.sort(order[n_test : n_test + n_val]),
        "train": np.sort(order[n_test + n_val :]),
    }


def kfold(rows: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """K (fit_rows, held_out_rows) pairs that partition ``rows``; every row is held out once."""
    rows = np.asarray(rows)
    if k < 2 or k > len(rows):
        raise ValueError(f"cannot make {k} folds of {len(rows)} rows")
    shuffled = np.random.default_rng(seed + 1).permutation(rows)
    parts = np.array_split(shuffled, k)
    return [(np.sort(np.concatenate(parts[:i] + parts[i + 1 :])), np.sort(part)) for i, part in enumerate(parts)]
