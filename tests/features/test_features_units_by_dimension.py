"""Every feature has the *right* unit, not just a parsable one: its physical dimension must equal
the dimension of the quantity its definition names, from a table written here from physics
(independent of the units the code declares). A new feature without an entry in the table fails,
so its dimension has to be stated once, by hand."""

from __future__ import annotations

import pint
import pytest

from sagatsr.features import FeatureSpace

UREG = pint.UnitRegistry()
# base dimensions written out, so the table does not depend on how the code spells its units
NONE = UREG.dimensionless.dimensionality
LENGTH = UREG.meter.dimensionality
MASS = UREG.kilogram.dimensionality
TEMPERATURE = UREG.kelvin.dimensionality
SUBSTANCE = UREG.mole.dimensionality
ENERGY = (UREG.kilogram * UREG.meter**2 / UREG.second**2).dimensionality
POWER = ENERGY / UREG.second.dimensionality

#: elemental property -> dimension of the quantity it is (by its definition)
ELEMENTAL = {
    "en_pauling": NONE,  # Pauling: square roots of bond-energy differences in eV^(1/2), used as pure numbers
    "en_allen": ENERGY,  # Allen: mean valence-electron ionisation energy
    "en_ghosh": NONE,
    **{name: LENGTH for name in ("atomic_radius", "atomic_radius_rahm", "covalent_radius", "covalent_radius_pyykko",
                                 "vdw_radius", "vdw_radius_alvarez", "metallic_radius", "ionic_radius",
                                 "ionic_radius_common")},
    "electron_affinity": ENERGY,
    "ionization_energy_1": ENERGY,
    "ionization_energy_2": ENERGY,
    "polarizability": LENGTH**3,  # polarisability volume α/(4πε0)
    "fusion_heat": ENERGY / SUBSTANCE,  # molar enthalpy
    "evaporation_heat": ENERGY / SUBSTANCE,
    "elemental_density": MASS / LENGTH**3,
    "specific_heat": ENERGY / (MASS * TEMPERATURE),
    "molar_heat_capacity": ENERGY / (SUBSTANCE * TEMPERATURE),
    "thermal_conductivity": POWER / (LENGTH * TEMPERATURE),
    "atomic_mass": MASS,
    "melting_point": TEMPERATURE,
    "molar_volume": LENGTH**3 / SUBSTANCE,
    **{name: NONE for name in ("mendeleev_number", "pettifor_number", "glawe_number", "group", "row", "atomic_number",
                               "valence_s", "valence_p", "valence_d", "valence_f", "valence_total", "oxidation_state")},
}

#: structural descriptor -> dimension (see their definitions in sagatsr.features.structural)
STRUCTURAL = {
    "density": MASS / LENGTH**3, "volume_per_atom": LENGTH**3, "cell_volume": LENGTH**3,
    **{f"nn_distance_{s}": LENGTH for s in ("mean", "std", "min", "max")},
    **{f"lattice_{s}": LENGTH for s in "abc"},
    **{name: NONE for name in ("packing_fraction", "n_elements", "coordination_mean", "coordination_std",
                               "coordination_min", "coordination_max", "is_perovskite", "tolerance_factor",
                               "octahedral_factor", "octahedral_over_tolerance", "cos_bxb", "cos_lattice_angle_1",
                               "cos_lattice_angle_2", "cos_lattice_angle_3", "n_sites")},
}

STATISTICS = ("mean", "std", "min", "max", "range")  # each keeps the property's dimension


def expected_dimension(name: str):
    """The dimension a crystal or site feature must have, from the tables above (KeyError if none)."""
    if name in ELEMENTAL:
        return ELEMENTAL[name]
    if name in STRUCTURAL:
        return STRUCTURAL[name]
    if name.startswith("frac_imputed_") and name.removeprefix("frac_imputed_") in ELEMENTAL:
        return NONE  # an atomic fraction
    base, _, stat = name.rpartition("_")
    if stat in STATISTICS and base in ELEMENTAL:
        return ELEMENTAL[base]
    raise KeyError(name)


SPACE = FeatureSpace.default()


@pytest.mark.parametrize("feature", SPACE.crystal_features + SPACE.site_features, ids=lambda f: f.name)
def test_unit_has_the_dimension_of_the_defined_quantity(feature):
    try:
        expected = expected_dimension(feature.name)
    except KeyError:
        pytest.fail(f"{feature.name}: no expected dimension; add it to the tables of this test from its definition")
    assert UREG.Quantity(1, feature.unit).dimensionality == expected, (feature.name, feature.unit)


def test_the_table_is_not_trivially_dimensionless():
    """A check that every unit is right must not pass because everything is a pure number."""
    kinds = {str(expected_dimension(f.name)) for f in SPACE.crystal_features}
    assert len(kinds) >= 10
    dimensional = [f for f in SPACE.crystal_features if expected_dimension(f.name) != NONE]
    assert len(dimensional) >= len(SPACE.crystal_features) // 2


def test_a_wrong_unit_is_caught():
    """The check itself can fail: a radius declared in eV, or a molar heat without 'per mol'."""
    assert UREG.Quantity(1, "eV").dimensionality != expected_dimension("atomic_radius_mean")
    assert UREG.Quantity(1, "kJ").dimensionality != expected_dimension("fusion_heat_max")
