"""A restricted parser for printed formulas (SymbolicRegression.jl's and ours) -> SymPy.

Grammar (recursive descent; no ``eval``, no ``sympify`` of raw text)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('-' | '+') unary | power
    power  := atom ('^' | '**') unary        (right associative)
    atom   := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'

Function names are the catalog's ``julia_name``/``name`` plus ``safe_sqrt``, ``safe_log``,
``safe_pow``, ``pow``, ``neg``, ``Abs``. Names are any Python identifiers (``χ_P``); ``Inf``/``NaN``
become SymPy's ``oo``/``nan``; unknown names raise :class:`InputError`.

Caps (so a formula from a file can neither hang nor exhaust the stack; each breach is one
:class:`InputError`): at most :data:`MAX_CHARS` characters, bracket depth :data:`MAX_DEPTH`,
numeric literals that are finite as float64 (``1e999999`` is refused), and numeric exponents of
magnitude at most :data:`MAX_EXPONENT` (``9**9**9**9`` is refused before SymPy evaluates it).
Sums and products are built in one call each, so their cost is linear in the number of terms.
"""

from __future__ import annotations

import re

import numpy as np
import sympy

from sagatsr.errors import InputError
from sagatsr.sr.operators import OPERATORS

MAX_CHARS = 20_000
MAX_DEPTH = 64
MAX_EXPONENT = 64

# NAME: any Python identifier (non-ASCII too, e.g. χ_P), as the regressor's inputs accept
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([^\W\d]\w*)|(\*\*|[-+*/^(),]))")
#: non-finite constants as SymbolicRegression.jl prints them (a search can produce them)
_NON_FINITE = {"Inf": sympy.oo, "inf": sympy.oo, "NaN": sympy.nan, "nan": sympy.nan}

_EXTRA = {
    "safe_sqrt": (1, sympy.sqrt), "safe_log": (1, sympy.log), "neg": (1, lambda a: -a),
    "safe_pow": (2, lambda a, b: a**b), "pow": (2, lambda a, b: a**b), "Abs": (1, sympy.Abs),
    "sign": (1, sympy.sign),
}


def _functions() -> dict:
    table = dict(_EXTRA)
    for op in OPERATORS.values():
        if op.julia_name.isidentifier():
            table[op.julia_name] = (op.arity, op.sympy_fn)
        table.setdefault(op.name, (op.arity, op.sympy_fn))
    return table


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos, text = [], 0, text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise InputError(f"cannot parse formula {text!r}: unexpected character {text[pos]!r} "
                             f"at position {pos}")
        number, name, symbol = match.groups()
        tokens.append(("num", number) if number else ("name", name) if name else ("sym", symbol))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text, variables, functions):
        self.text, self.tokens, self.i = text, _tokenize(text), 0
        self.variables, self.functions = variables, functions

    def fail(self, why):
        raise InputError(f"cannot parse formula {self.text!r}: {why}")

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value=None):
        kind, tok = self.peek()
        if kind is None or (value is not None and tok != value):
            self.fail(f"expected {value!r}" if value else "unexpected end")
        self.i += 1
        return kind, tok

    def parse(self):
        if not self.tokens:
            self.fail("empty formula")
        out = self.expr()
        if self.i != len(self.tokens):
            self.fail(f"unexpected {self.peek()[1]!r}")
        return out

    def expr(self):
        terms = [self.term()]
        while self.peek()[1] in ("+", "-"):
            terms.append(self.term() if self.take()[1] == "+" else -self.term())
        return sympy.Add(*terms) if len(terms) > 1 else terms[0]

    def term(self):
        factors = [self.unary()]
        while self.peek()[1] in ("*", "/"):
            factors.append(self.unary() if self.take()[1] == "*" else 1 / self.unary())
        return sympy.Mul(*factors) if len(factors) > 1 else factors[0]

    def unary(self):
        if self.peek()[1] in ("-", "+"):
            return -self.unary() if self.take()[1] == "-" else self.unary()
        base = self.atom()
        if self.peek()[1] in ("^", "**"):
            self.take()
            exponent = self.unary()
            if exponent.is_number and exponent.is_finite is not False and abs(float(exponent)) > MAX_EXPONENT:
                self.fail(f"exponent {exponent} exceeds {MAX_EXPONENT} in magnitude")
            return base ** exponent
        return base

    def atom(self):
        kind, tok = self.take()
        if kind == "num":
            if not np.isfinite(float(tok)):
                self.fail(f"number {tok} is not finite in double precision")
            return sympy.Float(tok) if any(c in tok for c in ".eE") else sympy.Integer(tok)
        if tok == "(":
            out = self.expr()
            self.take(")")
            return out
        if kind != "name":
            self.fail(f"unexpected {tok!r}")
        if tok in _NON_FINITE and tok not in self.variables and self.peek()[1] != "(":
            return _NON_FINITE[tok]
        if self.peek()[1] == "(":
            if tok not in self.functions:
                self.fail(f"unknown function {tok!r}")
            arity, build = self.functions[tok]
            self.take("(")
            args = [self.expr()]
            while self.peek()[1] == ",":
                self.take()
                args.append(self.expr())
            self.take(")")
            if len(args) != arity:
                self.fail(f"{tok} takes {arity} argument(s), got {len(args)}")
            return build(*args)
        if tok not in self.variables:
            self.fail(f"unknown variable {tok!r} (known: {', '.join(self.variables) or 'none'})")
        return self.variables[tok]


def parse_expression(text: str, variable_names) -> sympy.Expr:
    """Parse ``text`` into a SymPy expression over real symbols named ``variable_names``."""
    if not isinstance(text, str):
        raise InputError(f"formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise InputError(f"formula of {len(text)} characters exceeds the cap of {MAX_CHARS}")
    depth = deepest = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise InputError(f"formula nests brackets {deepest} deep, more than the cap of {MAX_DEPTH}")
    variables = {name: sympy.Symbol(name, real=True) for name in variable_names}
    try:
        return _Parser(text, variables, _functions()).parse()
    except RecursionError:  # e.g. thousands of unary minus signs: the bracket cap does not see them
        raise InputError(f"formula nests operators too deeply to parse ({len(text)} characters)") from None
