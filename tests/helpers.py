"""Reusable property checkers (the e3nn ``assert_equivariant`` idea): one checker per property,
called by the tests of every module that must have it.

Each section belongs to one part of the package; add checkers to your own section only.
"""

from __future__ import annotations

import numpy as np

# --- units -------------------------------------------------------------------------------------


def assert_unit_algebra(unit_a: str, unit_b: str, power: int) -> None:
    """Dimension vectors respect products, quotients and powers, and both map to DynamicQuantities."""
    from sagatsr.units import dimension_vector, to_dynamicquantities

    va, vb = dimension_vector(unit_a), dimension_vector(unit_b)
    np.testing.assert_allclose(dimension_vector(f"({unit_a})*({unit_b})"), va + vb)
    np.testing.assert_allclose(dimension_vector(f"({unit_a})/({unit_b})"), va - vb)
    np.testing.assert_allclose(dimension_vector(f"({unit_a})**{power}"), power * va)
    for unit in (unit_a, unit_b, f"({unit_a})*({unit_b})"):
        text = to_dynamicquantities(unit)
        assert isinstance(text, str) and text, unit


# --- features ----------------------------------------------------------------------------------

# --- graphs ------------------------------------------------------------------------------------

# --- model -------------------------------------------------------------------------------------

# --- symbolic regression -----------------------------------------------------------------------
