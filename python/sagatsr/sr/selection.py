"""The ``best_`` rule of :class:`~sagatsr.sr.regressor.SymbolicRegressor`, judged on held-out rows,
preferring pure-number coefficients.

``loss(eq)`` is the held-out (cross-validated) MSE divided by var(y) when every formula has one
(``cv_nmse``, scale-free, plus the price of the search below), else the held-out MSE, else the training MSE.
Near-best: ``loss ≤ tolerance · min loss + 1e-12·var(y)`` (so exact fits tie), and, when the backend
gives each formula's held-out error row by row (sisso), not significantly worse than the formula of
least loss: :func:`paired_excess_z` compares the two on the same rows (the paired difference of
squared errors, its mean over its standard error) and a formula more than :data:`NEAR_Z` standard
errors worse is not near-best. The pairing matters with noisy data: a simpler approximation that is
a few percent worse everywhere is within the tolerance, and an unpaired comparison cannot tell it
from noise, but its excess is systematic, row after row. If any near-best formula has only
pure-number coefficients (``pure_number_coefficients`` true), only those compete.

The price of the search (:func:`search_price`): a term chosen among M candidates on all the rows
has seen the held-out rows too, so its cross-validated error is optimistic. Among M columns of
pure noise the best one lowers the sum of squares by up to about ``2 ln M`` times the noise
variance (the risk-inflation criterion's price per selected variable); the refit on each fold
takes back part of that, and candidates are far from independent, so the price charged is half of
it, ``ln M`` (measured as good as the full price on planted laws, and better on two real sets of
40–60 rows). The backend that searched (sisso) reports
``cv_search_penalty = Σ_terms ln(M_k) / n · cv_nmse``, M_k the candidates no more complex than
term k, and every comparison here uses ``cv_nmse + cv_search_penalty``. With 10,000 rows the
price is a fraction of a percent per term; with 100 rows a term picked among 30,000 candidates
costs 10 % of the held-out error, an input among 180 costs 5 %.

Which near-best formula is chosen:

- with the row-by-row comparison (:func:`simplest_not_worse`): the simplest one. Every formula left
  is statistically as good as the best on held-out rows, so extra terms buy nothing measurable;
  this is the one-standard-error rule of cross-validation with a paired test. ``tolerance``
  defaults to :data:`PAIRED_TOLERANCE` here: on a few dozen rows the test has little power and
  the ratio only caps how much worse a formula may look;
- without it (the Julia backend's front), PySR's "best" (:func:`largest_gain`): the largest
  ``-Δ log(loss) / Δ complexity`` against the next simpler formula on the front, with
  ``tolerance`` defaulting to :data:`PYSR_TOLERANCE`.
"""

from __future__ import annotations

import math

import numpy as np

#: standard errors by which a formula's held-out error may exceed the best one's (module doc)
NEAR_Z = 2.0
#: mean excess (in units of var(y)) below which two formulas tie: exact fits differ by round-off only
TIE_NMSE = 1e-12
#: default loss ratio for near-best formulas with the row-by-row comparison (module doc)
PAIRED_TOLERANCE = 2.0
#: default loss ratio without it: PySR's
PYSR_TOLERANCE = 1.5


def search_price(n_rows: int, n_candidates: int) -> float:
    """The expected optimism of a held-out MSE, as a fraction of it, per term chosen among
    ``n_candidates`` on the same ``n_rows``: ``ln(M) / n`` (module doc)."""
    return math.log(max(n_candidates, 2)) / max(n_rows, 1)


def penalised_cv(eq) -> float:
    """``cv_nmse`` plus the price of the search that chose the formula's terms (module doc)."""
    return eq.cv_nmse + (eq.cv_search_penalty or 0.0)


def paired_excess_z(residuals, reference, offset: float = 0.0) -> float:
    """How many standard errors the mean of ``residuals² − reference²`` (held-out errors of two
    formulas on the same rows, in units of std(y)), plus ``offset`` (the difference of their search
    prices), lies above 0; 0 for a tie or a better formula."""
    with np.errstate(all="ignore"):
        excess = np.asarray(residuals, float) ** 2 - np.asarray(reference, float) ** 2
        mean = float(np.mean(excess)) + offset
        error = float(np.std(excess, ddof=1) / math.sqrt(len(excess))) if len(excess) > 1 else 0.0
    if not math.isfinite(mean):
        return math.inf if mean > 0 or math.isnan(mean) else 0.0
    if mean <= TIE_NMSE:
        return 0.0
    return mean / error if error > 0 and math.isfinite(error) else math.inf


def mark_excess(front) -> None:
    """Set ``cv_excess_z`` of every formula: :func:`paired_excess_z` against the formula of least
    :func:`penalised_cv`, when every formula has its held-out residuals (else leave it None)."""
    if not front or any(eq.cv_residuals is None or eq.cv_nmse is None for eq in front):
        return
    reference = min(front, key=penalised_cv)
    for eq in front:
        if len(eq.cv_residuals) == len(reference.cv_residuals):
            offset = (eq.cv_search_penalty or 0.0) - (reference.cv_search_penalty or 0.0)
            eq.cv_excess_z = min(paired_excess_z(eq.cv_residuals, reference.cv_residuals, offset), 1e6)


def default_tolerance(front) -> float:
    """:data:`PAIRED_TOLERANCE` when every formula has its row-by-row comparison, else :data:`PYSR_TOLERANCE`."""
    paired = bool(front) and all(eq.cv_excess_z is not None for eq in front)
    return PAIRED_TOLERANCE if paired else PYSR_TOLERANCE


def simplest_not_worse(near):
    """The least complex of the near-best formulas (ties: the lower loss)."""
    return min(near, key=lambda eq: (eq.complexity, eq.loss))


def largest_gain(near, front, loss, floor):
    """PySR's "best": the near-best formula with the largest ``-Δ log(loss) / Δ complexity``
    against the next simpler formula on ``front`` (sorted by complexity)."""
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


def choose_best(front, tolerance: float | None, y_var: float):
    """The ``best_`` formula of ``front`` (module doc); ``tolerance`` None: :func:`default_tolerance`."""
    if tolerance is None:
        tolerance = default_tolerance(front)
    front = sorted(front, key=lambda e: (e.complexity, e.loss))
    if all(eq.cv_nmse is not None for eq in front):  # scale-free: var(y) may overflow
        loss = penalised_cv
        floor = 1e-12
    else:
        held_out = all(eq.cv_loss is not None for eq in front)

        def loss(eq):
            return eq.cv_loss if held_out else eq.loss
        floor = 1e-12 * y_var + 1e-300
    limit = tolerance * min(loss(eq) for eq in front) + floor
    near = [eq for eq in front if loss(eq) <= limit
            and (eq.cv_excess_z is None or eq.cv_excess_z <= NEAR_Z)]
    if any(eq.pure_number_coefficients for eq in near):
        near = [eq for eq in near if eq.pure_number_coefficients]
    if all(eq.cv_excess_z is not None for eq in front):
        return simplest_not_worse(near)
    return largest_gain(near, front, loss, floor)
