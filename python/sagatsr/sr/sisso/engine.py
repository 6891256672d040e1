"""The embedded SISSO engine: rescale (scaling.py) → candidates (features.py, parametric.py) → SIS
(sis.py) → ℓ0 (l0.py) → swaps over all candidates, and each simple term with its best partner
(swap.py) → inner constants refined, a fitted exponent rounded to a simple rational and a vanishing
one read as log when the fit allows (parametric.refine, prefer_rational_powers, prefer_log) →
formulas in the user's units (formula.py) with held-out errors (select.py) → Pareto front.

For descriptor dimension d = 1..D the residual of the best (d-1)-model is screened for new
candidates (a width that grows with the candidate count within ``max_l0_combinations``, shared
between the rungs); the union of all screened candidates is searched exhaustively for the best
d-term linear model ``y = c0 + Σ_k c_k d_k``. Units (``units`` mode):

* ``"fit"``: coefficients may carry units (``c_k`` has ``[y]/[d_k]``, ``c0`` has ``[y]``); every
  model whose descriptors all have y's dimension is also offered without intercept, and the strict
  search below runs too (with units given), so formulas with pure-number coefficients reach the
  front whenever they fit and this mode finds everything the strict one finds.
* ``"strict"``: only descriptors with y's dimension, and no intercept unless y is dimensionless:
  every coefficient is a pure number.

Outer functions (:mod:`.outer`, switched on by the operators): the same screening and ℓ0 search
also run for ``t = y², 1/y, 1/y², log y`` (when y has one sign), with the descriptors of t's unit
only and 1/:data:`OUTER_SHARE` of the combination budget, and the models are written
``y = ±T⁻¹(c0 + Σ c_k d_k)``; they compete with the plain ones on their error in y. Before any
formula is written, :func:`~.front.quick_front` drops the models (and their sub-models) that cannot
reach the Pareto front.

The candidate cap ``max_candidates`` is lowered so the candidate values fit in
:data:`MEMORY_BUDGET` bytes (30,000 candidates up to 6,250 rows). Inputs that are constant on the fit rows (relative spread ≤ 1e-12) are dropped by name with a
note. Deterministic: no randomness.
"""

from __future__ import annotations

import logging

import numpy as np
import sympy

from sagatsr.errors import InputError
from sagatsr.sr.selection import search_price
from sagatsr.sr.sisso.features import build_candidates
from sagatsr.sr.sisso.formula import build_equation
from sagatsr.sr.sisso.front import Model, exact_without_intercept, pareto, quick_front
from sagatsr.sr.sisso.l0 import best_combinations
from sagatsr.sr.sisso.outer import applicable, outers_from
from sagatsr.sr.sisso.parametric import parametric_from, prefer_log, prefer_rational_powers, refine
from sagatsr.sr.sisso.scaling import scaling_for
from sagatsr.sr.sisso.sis import screen, screening_width
from sagatsr.sr.sisso.swap import SwapSpace, improve, simple_pairs

log = logging.getLogger(__name__)
UNITS_MODES = ("fit", "strict")
#: bytes the candidate values may take (8 bytes × rows × candidates): the cap shrinks for many rows
MEMORY_BUDGET = 1_500_000_000
#: models per dimension improved by swaps over all candidates (swap.py)
SWAPPED = 3
#: an outer function's ℓ0 search gets this fraction of the combination budget
OUTER_SHARE = 8
#: models per dimension of an outer function's search improved by swaps
OUTER_SWAPPED = 3


def constant_columns(X) -> list[int]:
    """Columns whose spread is at most 1e-12 of their magnitude (relative: any scale)."""
    X = np.asarray(X, float)
    peak = np.max(np.abs(X), axis=0)
    return [j for j in range(X.shape[1]) if np.ptp(X[:, j]) <= 1e-12 * peak[j]]


def fit_sisso(X, y, *, names, dims, y_dim, y_unit, unary, binary, rung=3, max_terms=3, n_sis=20,
              max_candidates=30000, pool_size=80, keep_per_dim=8, units="fit",
              require_dimensionless_coefficients=False, X_units=None, parametric=None,
              max_l0_combinations=2_000_000, outer=None, notes=None, progress=False):
    """All (deduplicated, Pareto-filtered) models up to ``max_terms`` descriptors (module doc).
    ``X_units`` (pint strings) make the rescaling exact across unit prefixes; ``parametric``
    (default: switched on by the operators) names the constants-inside-functions operators,
    ``outer`` (default: switched on by the operators) the outer functions (:mod:`.outer`)."""
    mode = "strict" if require_dimensionless_coefficients else units
    if mode not in UNITS_MODES:
        raise InputError(f"units must be one of {UNITS_MODES}, got {mode!r}")
    notes = notes if notes is not None else []
    X, y = np.asarray(X, float), np.asarray(y, float)
    y_dim = np.asarray(y_dim, float)
    constant = constant_columns(X)
    if constant:
        dropped = [names[j] for j in constant]
        if len(constant) == X.shape[1]:
            raise InputError(f"every input is constant on the fit rows ({', '.join(dropped)}); "
                             "nothing to regress on")
        notes.append(f"sisso: inputs constant on the fit rows were dropped: {', '.join(dropped)}")
        log.warning(notes[-1])
    keep = [j for j in range(X.shape[1]) if j not in constant]
    kept_names = [names[j] for j in keep]
    kept_dims = [np.asarray(dims[j], float) for j in keep]
    kept_units = [X_units[j] for j in keep] if X_units is not None else None
    scaling = scaling_for(X[:, keep], y, kept_dims, kept_units)
    X_int, y_int = scaling.apply(X[:, keep], y)
    symbols = [sympy.Symbol(n, real=True) for n in kept_names]
    max_candidates = max(X_int.shape[1], min(max_candidates, MEMORY_BUDGET // (8 * len(y_int))))
    param_ops = parametric_from([*unary, *binary]) if parametric is None else tuple(parametric)
    outer_names = outers_from([*unary, *binary]) if outer is None else tuple(outer)
    outers = applicable(y_int, y_dim, outer_names, strict=mode == "strict", y_scale=scaling.y_scale)
    cands = build_candidates(X_int, symbols, kept_dims, unary=unary, binary=binary, rung=rung,
                             max_candidates=max_candidates, pool_size=pool_size, target=y_int,
                             parametric=param_ops)
    if mode == "strict" and cands.with_dim(y_dim).size == 0:
        raise InputError(f"no descriptor has the unit of y ({y_unit}); units='strict' needs at "
                         "least one (give X_units, or use units='fit')")
    log.info("sisso: %d candidate descriptors, rung %d", len(cands), rung)
    models = []
    for fn, sign in outers:
        models += _models_of(cands, fn, sign, y_int, y_dim, mode, X_units is not None, max_terms, n_sis,
                             keep_per_dim, max_l0_combinations, progress)
    probe = X[np.linspace(0, len(y) - 1, 3).astype(int)][:, keep]
    context = dict(scaling=scaling, symbols=symbols, X_user_rows=probe, y_unit=y_unit, y_dim=y_dim,
                   names=kept_names, factor_cache={})
    equations = []
    for m in quick_front(cands, models + exact_without_intercept(cands, models, y_int), y_int):
        t = m.outer.forward(y_int, m.sign)
        trees = refine([cands.tree(i) for i in m.combo], symbols, X_int, t, m.intercept)
        complexity = [cands.complexity[i] for i in m.combo]
        trees, complexity = prefer_rational_powers(trees, complexity, symbols, X_int, t, m.intercept)
        trees, complexity = prefer_log(trees, complexity, symbols, X_int, t, m.intercept)
        eq = build_equation(trees, [cands.dims[i] for i in m.combo], complexity, X_int, y_int,
                            intercept=m.intercept, outer=m.outer, sign=m.sign, **context)
        if eq is not None and eq.cv_nmse is not None:
            eq.cv_search_penalty = search_share(m.combo, cands.complexity, len(y_int)) * eq.cv_nmse
        equations.append(eq)
    return pareto([e for e in equations if e is not None and np.isfinite(e.nmse)], floor=1e-12)


def search_share(combo, complexities, n_rows) -> float:
    """The price of choosing ``combo``'s terms (:func:`~sagatsr.sr.selection.search_price`), each
    among the candidates no more complex than itself: an input is one of a few, a rung-3 descriptor
    one of thousands."""
    ranked = np.sort(np.asarray(complexities))
    return sum(search_price(n_rows, int(np.searchsorted(ranked, complexities[i], side="right"))) for i in combo)


def _models_of(cands, outer, sign, y, y_dim, mode, have_units, max_terms, n_sis, keep_per_dim,
               max_combinations, progress) -> list[Model]:
    """The models of one outer function: SIS + ℓ0 on ``t = T(y)`` for each search (module doc)."""
    t = outer.forward(y, sign)
    t_dim = outer.t_dim(y_dim)
    same_unit = cands.with_dim(t_dim)
    same_set = set(same_unit.tolist())
    t_dimensionless = bool(np.allclose(t_dim, 0))
    if mode == "strict" or not outer.is_identity:
        # an outer function's models use descriptors with t's unit only (pure-number coefficients
        # in either mode: y = (a² + b²)^½, not a root of a sum with unit-carrying coefficients);
        # under a log t is dimensionless: every descriptor sits inside exp
        searches = [(same_unit, t_dimensionless)]
    else:
        searches = [(np.arange(len(cands)), True)]
        if have_units and 0 < same_unit.size < len(cands):
            # the strict search too (descriptors with t's unit, no intercept unless t is
            # dimensionless), so the fit mode never finds less than the strict one: its screening
            # is not crowded by descriptors whose coefficient would need a unit
            searches.append((same_unit, t_dimensionless))
    combos = []
    for allowed, intercept in searches:
        if allowed.size == 0:
            continue
        # an outer function's search is a narrower second look (1/OUTER_SHARE of the ℓ0 budget)
        budget = max_combinations if outer.is_identity else max_combinations // OUTER_SHARE
        found = _l0_models(cands, allowed, t, max_terms, n_sis, keep_per_dim, intercept, budget,
                           progress and outer.is_identity, swaps=SWAPPED if outer.is_identity else OUTER_SWAPPED)
        if outer.is_identity:  # each input on its own: the front starts from the simplest
            allowed_set = set(int(i) for i in allowed)
            found += [(i,) for i in range(len(cands)) if cands.is_primary(i) and i in allowed_set]
        combos += [(c, intercept) for c in found]
    models = []
    for combo, intercept in dict.fromkeys(combos):
        models.append(Model(combo, intercept, outer, sign))
        if intercept and not t_dimensionless and all(i in same_set for i in combo):
            models.append(Model(combo, False, outer, sign))  # through the origin: pure numbers only
    return models


def _l0_models(cands, allowed, y, max_terms, n_sis, keep_per_dim, intercept, max_combinations,
               progress, swaps=SWAPPED):
    """Combinations (candidate indices) found by SIS + ℓ0 for dimensions 1..max_terms."""
    width = screening_width(allowed.size, max_terms, n_sis, max_combinations)
    strata = np.asarray(cands.complexity)[allowed]
    subspace: list[int] = []
    residual = y - y.mean() if intercept else y
    models, space = [], None
    steps = range(1, max_terms + 1)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="sisso l0", leave=False)
    for dim in steps:
        subspace += screen(cands.correlation(residual, allowed), width, exclude=subspace, strata=strata)
        subspace = sorted(set(subspace))
        if len(subspace) < dim:
            break
        found = best_combinations(cands.columns(allowed[subspace]), y, dim, keep=keep_per_dim,
                                  intercept=intercept, complexity=strata[subspace])
        if not found:
            break
        found_models = [tuple(int(allowed[subspace[i]]) for i in combo) for _, combo in found]
        # the best few, improved by swaps over all candidates (swap.py): only ever better
        if swaps and space is None:
            space = SwapSpace(cands, allowed)
        models += found_models + [improve(cands, allowed, y, m, intercept, space=space) for m in found_models[:swaps]]
        if dim == 2 and swaps:  # each simple term with its best partner over all candidates
            models += simple_pairs(cands, allowed, y, intercept, space)
        best = cands.columns(allowed[[subspace[i] for i in found[0][1]]])
        A = np.column_stack([np.ones(len(y)), best]) if intercept else best
        residual = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    return models
