"""Formulas as a reader sees them: features' display symbols, 4 significant digits, rendered offline.

* :func:`display_formula` gives a one-line Unicode form (``27.67 + 32.32·ΔH_fus_min·(…)/V_cell``),
  used as text and as the image's alt text;
* :func:`formula_mathtext` gives matplotlib mathtext (a LaTeX subset) with symbols such as
  ``ΔH_{fus,min}``; :func:`render_formula` draws it to an SVG file with matplotlib (no network, no
  LaTeX installation). If mathtext cannot typeset a formula, nothing is drawn and the caller keeps
  the Unicode text.
"""

from __future__ import annotations

import re
from pathlib import Path

import sympy

from sagatsr.io import atomic_target

__all__ = ["SIGNIFICANT_DIGITS", "variable_symbols", "rounded", "display_formula", "short_formula", "formula_mathtext",
           "render_formula", "symbol_mathtext"]

SIGNIFICANT_DIGITS = 4
#: symbol and description of the GNN prediction used as an SR input
E_P = ("E_p", "SA-GAT's prediction of the target, from a model that never saw the row")


def variable_symbols(names, target_unit: str) -> dict[str, tuple[str, str, str]]:
    """name -> (display symbol, unit, description) for formula variables (features and E_p)."""
    from sagatsr.features import FeatureSpace

    space = FeatureSpace.default()
    known = {f.name: f for f in space.crystal_features}
    table = {}
    for name in names:
        if name == "E_p":
            table[name] = (E_P[0], target_unit, E_P[1])
        elif name in known:
            feature = known[name]
            table[name] = (feature.symbol, feature.unit, feature.description)
        else:
            table[name] = (name, "?", "")
    return table


def rounded(expr: sympy.Expr, digits: int = SIGNIFICANT_DIGITS) -> sympy.Expr:
    """``expr`` with every float rounded to ``digits`` significant digits."""
    return expr.xreplace({f: sympy.Float(float(f"{float(f):.{digits}g}"), digits) for f in expr.atoms(sympy.Float)})


def _parse(expression: str, names):
    from sagatsr.sr.parse import parse_expression

    return rounded(parse_expression(expression, list(names)))


def display_formula(expression: str, names, symbols: dict[str, str]) -> str:
    """One line of Unicode: display symbols, ``·`` for products, 4 significant digits."""
    expr = _parse(expression, names)
    renamed = expr.xreplace({sympy.Symbol(n, real=True): sympy.Symbol(symbols.get(n, n), real=True)
                             for n in names})
    text = sympy.sstr(renamed, full_prec=False)
    superscript = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
    text = re.sub(r"\*\*(-?\d+)(?![\d.])", lambda m: m.group(1).translate(superscript), text)
    return text.replace("**", "^").replace("*", "·")


def short_formula(expression: str, names) -> str:
    """The formula with its variable names and 4 significant digits (for terminal output)."""
    return sympy.sstr(_parse(expression, names), full_prec=False)


def symbol_mathtext(symbol: str) -> str:
    """``ΔH_fus_min`` → ``ΔH_{\\mathrm{fus,min}}``; multi-letter heads upright."""
    head, _, rest = symbol.partition("_")
    head_text = head if len(head) <= 2 and not head.isascii() or len(head) == 1 else rf"\mathrm{{{head}}}"
    return head_text + (rf"_{{\mathrm{{{rest.replace('_', ',')}}}}}" if rest else "")


def formula_mathtext(expression: str, names, symbols: dict[str, str]) -> str:
    """The formula as matplotlib mathtext (without the surrounding ``$``)."""
    expr = _parse(expression, names)
    symbol_names = {sympy.Symbol(n, real=True): symbol_mathtext(symbols.get(n, n)) for n in names}
    latex = sympy.latex(expr, symbol_names=symbol_names, mul_symbol="dot", full_prec=False)
    return latex.replace(r"\operatorname{sign}", r"\mathrm{sign}")


def render_formula(mathtext: str, path: Path, fontsize: int = 13) -> bool:
    """Draw ``$mathtext$`` to ``path`` (SVG or PNG, by suffix); False when mathtext cannot typeset it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(0.01, 0.01))
    try:
        fig.text(0, 0, f"${mathtext}$", fontsize=fontsize)
        with atomic_target(path) as tmp:
            fig.savefig(tmp, bbox_inches="tight", pad_inches=0.04, transparent=True)
        return True
    except (ValueError, RuntimeError):  # mathtext parse error: keep the Unicode text instead
        Path(path).unlink(missing_ok=True)
        return False
    finally:
        plt.close(fig)
