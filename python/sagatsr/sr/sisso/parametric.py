"""Constants inside functions: parametric candidates and their non-linear least-squares refinement.

Parametric operators act on a *dimensionless* candidate ``u`` only, so every constant ``c`` is a
pure number (a unit inside exp or a shift would be meaningless):

=========  =================  =================================================================
name       candidate          catalog operator that enables it
=========  =================  =================================================================
``exp``    ``exp(c·u)``       ``exp``   (e.g. exp(−θ²/2))
``inv``    ``1/(u + c)``      ``inv``   (e.g. 1/(γ − 1), 1/(1 − v/c))
``pow``    ``u^c`` (u > 0)    ``sqrt`` or ``square`` (a free exponent generalises both)
``log``    ``log(u + c)``     ``log``
=========  =================  =================================================================

While the candidates are built, ``c`` maximises ``|Pearson r|`` between the candidate and the
target (a grid of 24 values over a range set by ``u``'s own values, refined 3 times around its best):
an equation ``y = A(x)·g(u)`` with ``A`` independent of ``u`` is best matched by ``g`` with the
right ``c``. Once a model ``y = c0 + Σ β_k d_k(x; c)`` is chosen, :func:`refine` fits all its inner
constants jointly by non-linear least squares (``scipy.optimize.least_squares``, variable
projection: for given ``c`` the ``β`` are the linear least-squares solution).
"""

from __future__ import annotations

from functools import cached_property, partial

import numpy as np
import sympy
from scipy.optimize import least_squares

#: parametric operator -> the catalog operators any one of which switches it on
ENABLED_BY = {"exp": ("exp",), "inv": ("inv",), "pow": ("sqrt", "square"), "log": ("log",)}
_COMPLEXITY = {"exp": 3, "inv": 3, "pow": 2, "log": 3}


def parametric_from(operators) -> tuple[str, ...]:
    """The parametric operators switched on by a list of catalog operator names."""
    ops = set(operators)
    return tuple(name for name, enablers in ENABLED_BY.items() if ops & set(enablers))


def _numeric(name, u, c):
    with np.errstate(all="ignore"):
        if name == "exp":
            return np.exp(c * u)
        if name == "inv":
            return 1.0 / (u + c)
        if name == "pow":
            return np.where(u > 0, np.abs(u) ** c, np.nan)
        return np.where(u + c > 0, np.log(np.abs(u + c)), np.nan)


def symbolic(name, u, c):
    c = sympy.Float(c, 8)
    if name == "exp":
        return sympy.exp(c * u)
    if name == "inv":
        return 1 / (u + c)
    if name == "pow":
        return u**c
    return sympy.log(u + c)


def _intervals(name, u):
    """Search intervals for ``c`` (each avoids poles/invalid values over the data)."""
    lo, hi = float(np.min(u)), float(np.max(u))
    span = max(hi - lo, 1e-12 * max(abs(lo), abs(hi), 1e-300))
    if name == "exp":
        bound = 6.0 / max(abs(lo), abs(hi))
        return [(-bound, bound)]
    if name == "pow":
        return [(-3.0, 3.0)] if lo > 0 else []
    if name == "log":
        return [(-lo + 1e-3 * span, -lo + 30 * span)]
    return [(-lo + 1e-3 * span, -lo + 30 * span), (-hi - 30 * span, -hi - 1e-3 * span)]


def _scores(values, target_c, target_norm):
    """|Pearson r| of each row of ``values`` with the target (0 for rows with NaN/inf)."""
    with np.errstate(all="ignore"):
        peak = np.max(np.abs(values), axis=1, keepdims=True)
        v = values / np.where(peak > 0, peak, 1.0)
        vc = v - v.mean(axis=1, keepdims=True)
        out = np.abs(vc @ target_c) / (np.sqrt(np.einsum("ij,ij->i", vc, vc)) * target_norm)
    return np.where(np.isfinite(out), out, 0.0)


def best_constant(name, u, target, outer=None, points=24, stages=3):
    """``(c, |r|)`` maximising |Pearson r| with ``target`` of the candidate, or of
    ``outer(candidate)`` (None if no valid value): a grid over each interval, refined ``stages``
    times around its best point (all grid points evaluated in one array operation)."""
    tc = target - target.mean()
    tn = np.sqrt(tc @ tc)
    outer = outer or (lambda v: v)
    best = None
    for a, b in _intervals(name, u):
        for _ in range(stages):
            grid = np.linspace(a, b, points)
            with np.errstate(all="ignore"):
                scores = _scores(outer(_numeric(name, u[None, :], grid[:, None])), tc, tn)
            k = int(np.argmax(scores))
            a, b = grid[max(k - 1, 0)], grid[min(k + 1, points - 1)]
        c, s = float(grid[k]), float(scores[k])
        if s > 0 and (best is None or s > best[1]):
            best = (c, s)
    return best


def add_parametric(cands, e, names, target, level):
    """Add the parametric candidates of candidate ``e`` (if it is dimensionless); each remembers
    ``(operator, e, c)`` in ``cands.param`` so a product or quotient built on it refits ``c``."""
    if not np.allclose(cands.dims[e], 0):
        return
    u = cands.column(e)
    for name in names:
        found = best_constant(name, u, target)
        if found is None:
            continue
        c = found[0]
        values = _numeric(name, u, c)
        if _nearly_affine(values, u):
            continue
        if cands.try_add(values, partial(_param_tree, cands, name, e, c),
                         _COMPLEXITY[name] + cands.complexity[e], np.zeros_like(cands.dims[e]), level,
                         fitted=True):
            cands.param[len(cands) - 1] = (name, e, c)


def _nearly_affine(values, u) -> bool:
    """A constant that makes ``g(u; c)`` an affine function of ``u`` (|r| > 0.999: u^0.001,
    exp(1e-4·u), 1/(u + 1e6)) adds nothing the linear model does not have, only clutter."""
    if not np.all(np.isfinite(values)):
        return True
    r = _scores(values[None, :], u - u.mean(), np.sqrt(np.sum((u - u.mean()) ** 2)))[0]
    return bool(r > 0.999)


def refits_in_binary(cands, op, idx) -> bool:
    """Whether :func:`refit_in_binary` refits a constant for ``op(*idx)``: × or ÷ with a parametric
    operand."""
    return op.name in ("mul", "div") and any(i in cands.param for i in idx)


def refit_in_binary(cands, op, idx, target):
    """For ``op(a, b)`` where ``a`` or ``b`` is a parametric candidate: ``(column, tree builder)``
    with its constant refitted for the combination (a constant matched to the target on its own
    is poorly determined when another factor varies independently: y = Y/(2(1 + σ)) leaves
    corr(1/(σ + c), y) nearly flat in c, while corr(Y/(σ + c), y) peaks sharply at c = 1).
    None when neither operand is parametric or ``op`` is not × or ÷ (a sum's constant is
    absorbed by the linear model anyway)."""
    if not refits_in_binary(cands, op, idx):
        return None
    k = [k for k, i in enumerate(idx) if i in cands.param][0]
    name, e, _ = cands.param[idx[k]]
    other = cands.column(idx[1 - k])

    def outer(v):
        return op.numpy_fn(v, other) if k == 0 else op.numpy_fn(other, v)

    found = best_constant(name, cands.column(e), target, outer)
    if found is None:
        return None
    c = found[0]
    column = outer(_numeric(name, cands.column(e), c))

    return column, partial(_binary_tree, cands, op.sympy_fn, name, e, c, idx, k)


def _param_tree(cands, name, e, c):
    return symbolic(name, cands.tree(e), c)


def _binary_tree(cands, sympy_fn, name, e, c, idx, k):
    inner = _param_tree(cands, name, e, c)
    return sympy_fn(inner, cands.tree(idx[1])) if k == 0 else sympy_fn(cands.tree(idx[0]), inner)


class InnerConstants:
    """The Floats inside descriptor trees (SymPy, over ``symbols``) as free parameters: compiled
    once, fitted jointly with the linear coefficients (variable projection) on any rows."""

    def __init__(self, descriptors, symbols, intercept: bool) -> None:
        self.floats = sorted({f for d in descriptors for f in d.atoms(sympy.Float)}, key=float)
        self.start = np.array([float(f) for f in self.floats])
        self.params = [sympy.Symbol(f"_p_sagatsr{k}", real=True) for k in range(len(self.floats))]
        self.templated = [d.xreplace(dict(zip(self.floats, self.params))) for d in descriptors]
        self.intercept = intercept
        self._symbols = symbols

    @cached_property
    def _fns(self):  # compiled on first use: most models have no inner constant to fit
        return [sympy.lambdify([*self._symbols, *self.params], t, "numpy") for t in self.templated]

    def columns(self, X, p) -> np.ndarray:
        """The descriptor values ``[rows, descriptors]`` for parameters ``p`` (non-finite allowed)."""
        cols = [X[:, j] for j in range(X.shape[1])]
        with np.errstate(all="ignore"):
            return np.column_stack([np.broadcast_to(np.asarray(f(*cols, *p), float), (len(X),))
                                    for f in self._fns])

    def _residual(self, X, y, p):
        D = self.columns(X, p)
        if self.intercept:
            D = np.column_stack([np.ones(len(y)), D])
        if not np.all(np.isfinite(D)):
            return np.full(y.shape, 1e150)
        return D @ np.linalg.lstsq(D, y, rcond=None)[0] - y

    def fit(self, X, y, start=None, quick=False):
        """Least-squares parameters on ``(X, y)`` from ``start`` (default: the trees' own values);
        ``start`` itself when the fit fails or does not lower the sum of squares. ``quick``: a few
        steps with loose tolerances, for a start already near the optimum (a fold's refit)."""
        p0 = self.start if start is None else np.asarray(start, float)
        if not self.floats:
            return p0
        residual = partial(self._residual, X, y)
        initial = residual(p0)
        try:
            with np.errstate(all="ignore"):  # trial steps may overflow; such a step is simply rejected
                tol = 1e-6 if quick else 1e-14  # tight: the optimum, not the path
                fit = least_squares(residual, p0, method="trf", x_scale="jac",
                                    max_nfev=(10 if quick else 200) * len(p0), ftol=tol, xtol=tol, gtol=tol)
        except (ValueError, np.linalg.LinAlgError):
            return p0
        if not np.all(np.isfinite(fit.x)) or fit.fun @ fit.fun >= initial @ initial:
            return p0
        return fit.x

    def trees(self, p) -> list:
        mapping = {sym: sympy.Float(float(v), 10) for sym, v in zip(self.params, p)}
        return [t.xreplace(mapping) for t in self.templated]


def _fitted_powers(tree):
    """The ``u**c`` nodes of ``tree`` whose exponent is a fitted constant (a Float)."""
    return [node for node in sympy.preorder_traversal(tree)
            if node.is_Pow and isinstance(node.exp, sympy.Float) and not node.base.is_number]


def _sse(constants, X, y, p) -> float:
    r = constants._residual(X, y, p)
    return float(r @ r)


def _replace_powers(descriptors, complexity, symbols, X, y, intercept, replacement, price):
    """Each fitted power ``u^c`` in turn replaced by ``replacement(node)`` (``(new node, nodes
    saved)``, or None to leave it), with the other constants refitted; the replacement is kept when
    the sum of squares grows by at most the factor ``exp(price/n)`` (an information criterion's
    price of the dropped constant). Returns the trees and their complexities."""
    trees, complexity = list(descriptors), list(complexity)
    n = len(y)
    for k in range(len(trees)):
        for node in _fitted_powers(trees[k]):
            change = replacement(node)
            if change is None:
                continue
            trial = trees[:k] + [trees[k].xreplace({node: change[0]})] + trees[k + 1:]
            if trial[k] in trees[:k] + trees[k + 1:]:
                continue  # it would repeat another term of the model: keep the fitted constant
            current = InnerConstants(trees, symbols, intercept)
            constants = InnerConstants(trial, symbols, intercept)
            p = constants.fit(X, y)
            if _sse(constants, X, y, p) <= _sse(current, X, y, current.start) * np.exp(price / n):
                trees, complexity[k] = constants.trees(p) if constants.floats else trial, complexity[k] - change[1]
    return trees, complexity


def prefer_log(descriptors, complexity, symbols, X, y, intercept):
    """Replace a fitted power ``u^c`` by ``log u`` when the model fits as well without ``c``.

    ``(u^c − 1)/c → log u`` as ``c → 0``, so where the law holds ``log u`` least squares drives ``c``
    towards 0 and its coefficient towards infinity and stops anywhere on the way (``69.4/σ^0.0146``
    standing in for ``−log σ``): the data cannot tell the two apart, and the form with one constant
    fewer is the law. Each fitted power is tried in turn (the other constants refitted); the
    replacement is kept when the sum of squares grows by at most the factor ``exp(2/n)`` (Akaike's
    price of the dropped constant). Returns the trees and their complexities (``log u`` is a node
    fewer than ``u^c``)."""
    return _replace_powers(descriptors, complexity, symbols, X, y, intercept,
                           lambda node: (sympy.log(node.base), 1), price=2.0)


#: denominators of the exponents a fitted power may be rounded to (:func:`prefer_rational_powers`)
POWER_DENOMINATORS = (1, 2, 3, 4)


def nearest_simple_exponent(c: float):
    """The rational ``k/q`` (``q`` in :data:`POWER_DENOMINATORS`, lowest terms, not 0) nearest to
    ``c``; ties go to the smaller denominator."""
    options = [sympy.Rational(round(c * q), q) for q in POWER_DENOMINATORS]
    options = [r for r in options if r != 0]
    return min(options, key=lambda r: (abs(float(r) - c), r.q)) if options else None


def prefer_rational_powers(descriptors, complexity, symbols, X, y, intercept):
    """Round a fitted exponent to the nearest simple rational (``x1**1.9984`` → ``x1**2``,
    ``u**0.4991`` → ``sqrt(u)``) when the model fits as well without the free exponent.

    With noise a free exponent never lands on the law's 2 or 1/2; the data cannot tell the
    two apart, and the rational one is the law a physicist would write. The rounding is kept when the
    sum of squares grows by at most ``exp(ln(n)/n)`` (the Bayesian information criterion's price
    of one constant: stricter than Akaike's, because a simple rational exponent is far more likely
    a priori than an arbitrary real one). Complexities are unchanged."""
    def rounded(node):
        r = nearest_simple_exponent(float(node.exp))
        return None if r is None or r == node.exp else (node.base**r, 0)
    return _replace_powers(descriptors, complexity, symbols, X, y, intercept, rounded, price=float(np.log(len(y))))


def refine(descriptors, symbols, X, y, intercept):
    """Fit every Float inside ``descriptors`` (SymPy trees over ``symbols``) jointly with the linear
    coefficients by least squares on ``(X, y)``. Returns the refined trees (unchanged when there is
    nothing to fit or the fit does not lower the sum of squares)."""
    constants = InnerConstants(descriptors, symbols, intercept)
    if not constants.floats:
        return descriptors
    p = constants.fit(X, y)
    return descriptors if np.array_equal(p, constants.start) else constants.trees(p)
