"""Perovskite descriptors against the documented formulas, and the documented non-perovskite fill."""

import math

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from sagatsr.features import FeatureSpace, featurize
from sagatsr.features.elements import PROPERTY_NAMES
from sagatsr.features.missing import element_table


def _srtio3(a=3.905):
    return Structure.from_spacegroup("Pm-3m", Lattice.cubic(a), ["Sr", "Ti", "O"],
                                     [[0.5, 0.5, 0.5], [0, 0, 0], [0.5, 0, 0]])


def test_srtio3_tolerance_octahedral_and_angle():
    radius = element_table()[:, PROPERTY_NAMES.index("ionic_radius_common")]
    r_a, r_b, r_x = radius[38], radius[22], radius[8]
    t = (r_a + r_x) / (math.sqrt(2) * (r_b + r_x))
    ds = featurize([_srtio3()], ids=["SrTiO3"], progress=False)
    assert ds["is_perovskite"].item() == 1
    assert ds["tolerance_factor"].item() == pytest.approx(t)
    assert 0.8 < ds["tolerance_factor"].item() < 1.1
    assert ds["octahedral_factor"].item() == pytest.approx(r_b / r_x)
    assert ds["octahedral_over_tolerance"].item() == pytest.approx(r_b / r_x / t)
    assert ds["cos_bxb"].item() == pytest.approx(-1.0)  # straight Ti–O–Ti in the cubic cell


def test_tilted_bxb_angle_from_geometry():
    s = _srtio3()
    s.translate_sites([2], [0.0, 0.05, 0.0])  # move O off the Ti–Ti axis
    ti, o = s.cart_coords[1], s.cart_coords[2]
    v1, v2 = ti - o, ti + np.array([s.lattice.a, 0, 0]) - o
    expected_o2 = v1 @ v2 / np.linalg.norm(v1) / np.linalg.norm(v2)
    value = FeatureSpace.default().crystal_matrix([s])[0, FeatureSpace.default().crystal_names.index("cos_bxb")]
    # the two undistorted O sites give −1; the displaced one gives expected_o2
    assert value == pytest.approx((2 * -1.0 + expected_o2) / 3, abs=1e-9)


def test_non_perovskite_gets_documented_fill():
    nacl = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    ds = featurize([nacl], progress=False)
    for name in ("is_perovskite", "tolerance_factor", "octahedral_factor", "octahedral_over_tolerance", "cos_bxb"):
        assert ds[name].item() == 0.0
