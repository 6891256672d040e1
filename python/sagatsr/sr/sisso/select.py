"""Model selection on held-out rows: the cross-validated error of a linear model in its descriptors.

``cv_mse(D, y)``: K-fold (K = 5, rows dealt round-robin so the split is deterministic and every
fold spans the data) cross-validation of ``y ≈ c0 + D β``: for each fold the coefficients are fitted
on the other rows and the squared errors are collected on the fold's rows; the mean over all rows
is returned. A model that fits noise has a held-out error far above its training error, so
:attr:`SymbolicRegressor.best_` judges formulas by this number, not by the training loss.
"""

from __future__ import annotations

import numpy as np

from sagatsr.sr.sisso.outer import IDENTITY

FOLDS = 5
#: rows needed per fitted coefficient (the terms plus the intercept) before any fit is attempted
MIN_ROWS_PER_TERM = 5


def design(D, n_rows, intercept=True):
    D = np.asarray(D, float).reshape(n_rows, -1)
    return np.column_stack([np.ones(n_rows), D]) if intercept else D


def cv_errors(D, y, intercept=True, folds=FOLDS, outer=IDENTITY, sign=1.0, refit=None) -> np.ndarray:
    """The held-out error of every row (prediction of the fold's model minus y; module docstring).
    With an outer function (:mod:`.outer`) each fold's model ``y ≈ sign·T⁻¹(A c)`` is fitted by
    :meth:`~.outer.Outer.fit` and its errors are measured on y. ``refit(train)``, when given,
    returns the descriptor values of all rows with their inner constants (:mod:`.parametric`) fitted
    on the ``train`` rows alone: constants fitted on every row would have seen the held-out ones
    (a pole placed just beyond the largest value of a feature fits its extreme rows, and only a
    fold that did not see them shows it)."""
    y = np.asarray(y, float)
    A = design(D, len(y), intercept)
    fold = np.arange(len(y)) % folds
    errors = np.empty(len(y))
    for k in range(folds):
        test = fold == k
        A_k = A if refit is None else design(refit(~test), len(y), intercept)
        if not np.all(np.isfinite(A_k[~test])):
            errors[test] = np.inf
            continue
        coef = outer.fit(A_k[~test], y[~test], sign)
        with np.errstate(all="ignore"):
            errors[test] = outer.inverse(A_k[test] @ coef, sign) - y[test]
    return errors


def cv_mse(D, y, intercept=True, folds=FOLDS, outer=IDENTITY, sign=1.0) -> float:
    """K-fold held-out mean squared error of the least-squares fit (:func:`cv_errors`)."""
    errors = cv_errors(D, y, intercept, folds, outer, sign)
    with np.errstate(over="ignore", invalid="ignore"):
        mse = float(np.mean(errors**2))
    return mse if np.isfinite(mse) else float("inf")
