"""The contract every symbolic-regression backend fulfils.

A backend turns a :class:`SearchProblem` (X, y, names, units, operators, size limit) into a
:class:`BackendFit`: a list of :class:`~sagatsr.sr.equation.Equation` (the Pareto front, any order)
plus notes for the user. It reads its own tuning knobs from ``settings`` (the
:class:`~sagatsr.sr.regressor.SymbolicRegressor` that called it). Units: ``X_units``/``y_units`` are
pint strings, or ``None`` when the user gave none — then no dimensional analysis is done at all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from sagatsr.sr.equation import Equation

__all__ = ["SearchProblem", "BackendFit", "BackendStatus", "Backend"]


@dataclass(frozen=True)
class SearchProblem:
    """One regression task ``y ≈ f(X)``; numbers stay in the user's units.

    ``X`` is rows × features (float64), ``y`` has one value per row. ``X_units`` has one pint string
    per feature or is ``None`` (no units given); ``y_units`` likewise. ``operators`` are catalog names
    (:data:`sagatsr.sr.operators.OPERATORS`); ``maxsize`` bounds a formula's complexity.
    """

    X: np.ndarray
    y: np.ndarray
    variable_names: list[str]
    X_units: list[str] | None
    y_units: str | None
    operators: list[str]
    maxsize: int
    seed: int | None = 0

    @property
    def has_units(self) -> bool:
        """Dimensional analysis needs the features' units; y's unit alone constrains nothing."""
        return self.X_units is not None

    def operators_of_arity(self, arity: int) -> list[str]:
        from sagatsr.sr.operators import OPERATORS

        return [name for name in self.operators if OPERATORS[name].arity == arity]


@dataclass
class BackendFit:
    """A backend's answer: the front and anything the user should be told about how it was made."""

    front: list[Equation]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BackendStatus:
    """``available``: the backend can run here; ``reason``: what was found or why not (and what to
    do); ``summary``: the why in a few words, for one-line notes."""

    available: bool
    reason: str
    summary: str = ""


class Backend(ABC):
    """Base class of a backend: a ``name``, a cheap-as-possible ``status()`` and ``fit()``."""

    name: ClassVar[str]

    def status(self) -> BackendStatus:
        """Whether it can run here. Pure-Python backends are always available."""
        return BackendStatus(True, f"{self.name} runs in this Python process", self.name)

    @abstractmethod
    def fit(self, problem: SearchProblem, settings: Any) -> BackendFit:
        """The Pareto front for ``problem``; raise :class:`~sagatsr.errors.BackendError` on failure."""
