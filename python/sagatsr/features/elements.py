"""Elemental property table, Z = 1..103, loaded once from data shipped inside wheels.

Sources: mendeleev's bundled SQLite database (read directly with :mod:`sqlite3`, no ORM) and
pymatgen's :class:`~pymatgen.core.periodic_table.Element` (its bundled ``periodic_table.json``).
Nothing is downloaded. Radii are converted from pm to Å and polarisabilities from bohr^3 to Å^3
so that every property carries one of the project's pint units.

The raw table may contain NaN (missing data); :mod:`sagatsr.features.missing` fills it and
records which entries were imputed. Use :func:`element_table` for the filled table.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_Z = 103
_PM_TO_ANGSTROM = 0.01
_BOHR3_TO_ANGSTROM3 = 0.529177210903**3


@dataclass(frozen=True)
class ElementProperty:
    """One elemental property: ``name`` (snake_case), ``symbol``, pint ``unit``, ``description``."""

    name: str
    symbol: str
    unit: str
    description: str


# (name, symbol, unit, description, mendeleev column or None, scale applied to the column)
_MENDELEEV = [
    ("en_pauling", "χ_P", "dimensionless", "Pauling electronegativity", "en_pauling", 1.0),
    ("en_allen", "χ_A", "eV", "Allen electronegativity (mean valence-electron energy)", "en_allen", 1.0),
    ("en_ghosh", "χ_G", "dimensionless", "Ghosh electronegativity", "en_ghosh", 1.0),
    ("atomic_radius", "r_at", "Å", "empirical atomic radius (Slater)", "atomic_radius", _PM_TO_ANGSTROM),
    ("atomic_radius_rahm", "r_Rahm", "Å", "atomic radius of Rahm et al.", "atomic_radius_rahm", _PM_TO_ANGSTROM),
    ("covalent_radius", "r_cov", "Å", "single-bond covalent radius (Cordero)", "covalent_radius_cordero", _PM_TO_ANGSTROM),
    ("covalent_radius_pyykko", "r_cov_P", "Å", "single-bond covalent radius (Pyykkö)", "covalent_radius_pyykko", _PM_TO_ANGSTROM),
    ("vdw_radius", "r_vdW", "Å", "van der Waals radius", "vdw_radius", _PM_TO_ANGSTROM),
    ("vdw_radius_alvarez", "r_vdW_Al", "Å", "van der Waals radius (Alvarez)", "vdw_radius_alvarez", _PM_TO_ANGSTROM),
    ("metallic_radius", "r_met", "Å", "metallic radius (CN 12)", "metallic_radius_c12", _PM_TO_ANGSTROM),
    ("electron_affinity", "EA", "eV", "electron affinity", "electron_affinity", 1.0),
    ("polarizability", "α", "Å^3", "static dipole polarisability", "dipole_polarizability", _BOHR3_TO_ANGSTROM3),
    ("fusion_heat", "ΔH_fus", "kJ/mol", "heat of fusion", "fusion_heat", 1.0),
    ("evaporation_heat", "ΔH_vap", "kJ/mol", "heat of evaporation", "evaporation_heat", 1.0),
    ("elemental_density", "ρ_el", "g/cm^3", "density of the elemental solid (condensed phase for the gases)",
     "density", 1.0),
    ("specific_heat", "c_p", "J/(g*K)", "specific heat capacity of the element", "specific_heat_capacity", 1.0),
    ("molar_heat_capacity", "C_p", "J/(mol*K)", "molar heat capacity of the element", "molar_heat_capacity", 1.0),
    ("thermal_conductivity", "κ", "W/(m*K)", "thermal conductivity of the element", "thermal_conductivity", 1.0),
    ("atomic_mass", "m", "amu", "standard atomic weight", "atomic_weight", 1.0),
    ("mendeleev_number", "M", "dimensionless", "Mendeleev number", "mendeleev_number", 1.0),
    ("pettifor_number", "P", "dimensionless", "Pettifor chemical scale number", "pettifor_number", 1.0),
    ("glawe_number", "Gl", "dimensionless", "Glawe number", "glawe_number", 1.0),
    ("group", "g", "dimensionless", "periodic-table group (1-18)", "group_id", 1.0),
    ("row", "n_row", "dimensionless", "periodic-table row (period)", "period", 1.0),
    ("atomic_number", "Z", "dimensionless", "atomic number", "atomic_number", 1.0),
]
_EXTRA = [
    ("ionization_energy_1", "IE1", "eV", "first ionisation energy"),
    ("ionization_energy_2", "IE2", "eV", "second ionisation energy"),
    ("valence_s", "N_s", "dimensionless", "valence s electrons (outside the noble-gas core)"),
    ("valence_p", "N_p", "dimensionless", "valence p electrons (outside the noble-gas core)"),
    ("valence_d", "N_d", "dimensionless", "valence d electrons (outside the noble-gas core)"),
    ("valence_f", "N_f", "dimensionless", "valence f electrons (outside the noble-gas core)"),
    ("valence_total", "N_v", "dimensionless", "total valence electrons (outside the noble-gas core)"),
    ("melting_point", "T_m", "K", "melting point of the element (pymatgen)"),
    ("molar_volume", "V_m", "cm^3/mol", "molar volume of the element (pymatgen)"),
    ("ionic_radius", "r_ion", "Å", "average Shannon ionic radius over common oxidation states (pymatgen)"),
    ("oxidation_state", "q_ox", "dimensionless", "most common oxidation state (cheap guess, pymatgen)"),
    ("ionic_radius_common", "r_ion_q", "Å", "Shannon radius at the most common oxidation state (pymatgen)"),
]

PROPERTIES: tuple[ElementProperty, ...] = tuple(
    ElementProperty(n, s, u, d) for n, s, u, d, *_ in (*_MENDELEEV, *_EXTRA)
)
PROPERTY_NAMES: tuple[str, ...] = tuple(p.name for p in PROPERTIES)


def _mendeleev_db() -> Path:
    import mendeleev

    return Path(mendeleev.__file__).parent / "elements.db"


def _valence_counts(config: str) -> tuple[float, float, float, float]:
    """s, p, d, f electron counts of a configuration string like ``"[Ar] 3d2 4s2"`` (core excluded)."""
    counts = {"s": 0, "p": 0, "d": 0, "f": 0}
    for _, letter, n in re.findall(r"(\d+)([spdf])(\d*)", config.split("]")[-1]):
        counts[letter] += int(n) if n else 1
    return counts["s"], counts["p"], counts["d"], counts["f"]


def _pymatgen_columns(z: int) -> tuple[float, float, float, float, float]:
    from pymatgen.core.periodic_table import Element

    el = Element.from_Z(z)
    import warnings

    warnings.filterwarnings("ignore", message="No data available", category=UserWarning)

    def num(value):
        try:
            return float(value) if value is not None else np.nan
        except (TypeError, ValueError):
            return np.nan

    ox = el.common_oxidation_states
    radius_at_ox = num(el.ionic_radii.get(ox[0])) if ox else np.nan
    return (num(el.melting_point), num(el.molar_volume), num(el.average_ionic_radius) or np.nan,
            float(ox[0]) if ox else np.nan, radius_at_ox)


@functools.lru_cache(maxsize=1)
def raw_element_table() -> np.ndarray:
    """Raw (MAX_Z + 1, n_properties) float64 array indexed by Z; row 0 unused; NaN = missing."""
    table = np.full((MAX_Z + 1, len(PROPERTIES)), np.nan)
    with sqlite3.connect(f"file:{_mendeleev_db()}?mode=ro", uri=True) as con:
        columns = ", ".join(col for *_, col, _ in _MENDELEEV)
        rows = con.execute(f"SELECT atomic_number, {columns}, electronic_configuration FROM elements "
                           f"WHERE atomic_number <= {MAX_Z}").fetchall()
        ies = con.execute(f"SELECT atomic_number, ion_charge, ionization_energy FROM ionizationenergies "
                          f"WHERE ion_charge < 2 AND atomic_number <= {MAX_Z}").fetchall()
    n_m = len(_MENDELEEV)
    scales = np.array([s for *_, s in _MENDELEEV])
    for z, *values, config in rows:
        table[z, :n_m] = np.array([np.nan if v is None else float(v) for v in values]) * scales
        s, p, d, f = _valence_counts(config or "")
        table[z, n_m + 2:n_m + 7] = (s, p, d, f, s + p + d + f)
    for z, charge, energy in ies:
        if energy is not None:
            table[z, n_m + charge] = float(energy)
    for z in range(1, MAX_Z + 1):
        table[z, n_m + 7:n_m + 12] = _pymatgen_columns(z)
    _condensed_densities(table)
    table[0] = np.nan
    return table


#: below this (g/cm³) a tabulated density is that of a gas at STP: the lightest solid element, Li,
#: is 0.53 g/cm³, the densest gas, Rn, 0.0097 g/cm³
GAS_DENSITY = 0.05


def _condensed_densities(table: np.ndarray) -> None:
    """Replace the gas densities mendeleev lists for H, He, N, O, F, Ne, Cl, Ar, Kr, Xe, Rn
    (1e-4 to 1e-2 g/cm³) by the condensed-phase density M / V_m from pymatgen's molar volume of
    the element (N 1.03, O 0.92, Ar 1.77 g/cm³): "density of the elemental solid" must not be a
    thousand times smaller for the gases, or any descriptor divided by it explodes on oxides,
    nitrides and halides. NaN when no molar volume is known (then imputed like any gap)."""
    from pymatgen.core.periodic_table import Element

    rho, molar_volume = PROPERTY_NAMES.index("elemental_density"), PROPERTY_NAMES.index("molar_volume")
    for z in range(1, MAX_Z + 1):
        if table[z, rho] < GAS_DENSITY:
            table[z, rho] = float(Element.from_Z(z).atomic_mass) / table[z, molar_volume]
