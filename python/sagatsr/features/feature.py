"""The :class:`Feature` record shared by site and crystal feature definitions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    """A named physical feature.

    ``name`` is unique snake_case, ``symbol`` a short label, ``unit`` a pint string accepted by
    :func:`sagatsr.units.parse_unit`, ``kind`` is ``"site"`` or ``"crystal"``, and ``intensive``
    says whether the value is unchanged when the cell is replaced by a supercell.
    """

    name: str
    symbol: str
    unit: str
    description: str
    kind: str
    intensive: bool = True
