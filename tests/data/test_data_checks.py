"""Structure sanity checks and the bad-row policy of the loaders: impossible structures are named
(never trained on), rows are numbered as the file's lines, paths stay inside the dataset."""

from __future__ import annotations

import pytest
from pymatgen.core import Lattice, Structure

from sagatsr.data import load_dataset
from sagatsr.data.checks import MIN_DISTANCE, check_structure, structure_problem
from sagatsr.errors import InputError

NACL = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
XX_CIF = """data_x
_cell_length_a 4
_cell_length_b 4
_cell_length_c 4
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Xx1 Xx 0 0 0
Na1 Na 0.5 0.5 0.5
"""
ZERO_VOLUME_POSCAR = "flat\n1.0\n4 0 0\n0 4 0\n0 0 0\nNa\n1\ndirect\n0 0 0\n"


def test_real_crystals_pass():
    assert structure_problem(NACL) is None
    assert structure_problem(NACL, cutoff=12.0) is None


def test_coincident_atoms_are_named():
    doubled = Structure(Lattice.cubic(4.0), ["Na", "Cl", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]])
    assert structure_problem(doubled) == (f"site 1 (Cl) and site 2 (Cl) are 0 Å apart, closer than {MIN_DISTANCE} Å "
                                          "(coincident atoms?)")
    # 0.3 Å apart across the periodic boundary still counts
    close = Structure(Lattice.cubic(4.0), ["Na", "Na"], [[0.01, 0, 0], [0.985, 0, 0]])
    assert "0.1 Å apart" in structure_problem(close)


@pytest.mark.parametrize("lattice", [[[4, 0, 0], [0, 4, 0], [0, 0, 0]], [[4, 0, 0], [0, 4, 0], [4, 4, 0]],
                                     [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5]]])
def test_zero_or_tiny_volume(lattice):
    with pytest.raises(ValueError, match="near\\) zero"):
        check_structure(Structure(Lattice(lattice), ["Na"], [[0, 0, 0]]))


def test_unknown_element_is_named_by_its_symbol():
    structure = Structure.from_str(XX_CIF, fmt="cif")
    assert structure_problem(structure) == "unknown element 'Xx' at site 0"


def test_isolated_atom_needs_a_larger_cutoff():
    sparse = Structure(Lattice.cubic(30.0), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    assert structure_problem(sparse, cutoff=12.0) == "site 0 (Na) has no neighbour within 12.0 Å; raise --cutoff"
    assert structure_problem(sparse, cutoff=30.0) is None


def _folder(root, lines: str, files: dict[str, str]):
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "id_prop.csv").write_text(lines)
    return root


@pytest.mark.parametrize("name,text,reason", [
    ("xx.cif", XX_CIF, "unknown element 'Xx'"),
    ("flat.vasp", ZERO_VOLUME_POSCAR, "cell volume 0 Å^3 is (near) zero"),
])
def test_bad_structures_in_a_dataset_are_refused_or_skipped_with_the_reason(tmp_path, name, text, reason):
    folder = _folder(tmp_path / "d", f"good.cif,1\n{name},2\n", {"good.cif": NACL.to(fmt="cif"), name: text})
    with pytest.raises(InputError) as info:
        load_dataset(folder, target_unit="eV")
    assert "id_prop.csv: line 2: " in str(info.value) and f"{name}: {reason}" in str(info.value)
    data = load_dataset(folder, target_unit="eV", on_error="skip")
    assert data.ids == ["good"]
    assert [(s.row, s.reason.startswith(reason)) for s in data.skipped] == [(2, True)]


def test_rows_are_the_lines_of_the_file_with_header_and_blank_lines(tmp_path):
    (tmp_path / "a.cif").write_text(NACL.to(fmt="cif"))
    (tmp_path / "t.csv").write_text("id,file,gap\na,a.cif,1.0\n\nb,missing.cif,2.0\nc,a.cif,3.0\n")
    data = load_dataset(tmp_path / "t.csv", "gap", target_unit="eV", on_error="skip")
    # line 1 is the header, line 3 blank: b is on line 4, c (a duplicate structure, distinct id) on 5
    assert [(s.row, s.id) for s in data.skipped] == [(4, "b")]
    assert data.ids == ["a", "c"] and data.rows == [2, 5]
    with pytest.raises(InputError, match="t.csv: line 4: missing.cif"):
        load_dataset(tmp_path / "t.csv", "gap", target_unit="eV")


@pytest.mark.parametrize("limit", [-1, 0])
def test_nonpositive_limit_is_refused(tmp_path, limit):
    folder = _folder(tmp_path / "d", "good.cif,1\ngood2.cif,2\n", {"good.cif": NACL.to(fmt="cif"),
                                                                    "good2.cif": NACL.to(fmt="cif")})
    with pytest.raises(InputError, match="limit"):
        load_dataset(folder, target_unit="eV", limit=limit)


def test_paths_stay_inside_the_dataset_folder(tmp_path):
    (tmp_path / "outside.cif").write_text(NACL.to(fmt="cif"))
    folder = _folder(tmp_path / "d", "good.cif,1\n../outside.cif,2\n", {"good.cif": NACL.to(fmt="cif")})
    with pytest.raises(InputError, match="line 2.*outside the dataset folder.*--allow-outside"):
        load_dataset(folder, target_unit="eV")
    assert load_dataset(folder, target_unit="eV", on_error="skip").ids == ["good"]
    assert len(load_dataset(folder, target_unit="eV", allow_outside=True)) == 2
    (folder / "t.csv").write_text(f"file,gap\ngood.cif,1\n{tmp_path / 'outside.cif'},2\n")
    with pytest.raises(InputError, match="line 3.*outside the dataset folder"):
        load_dataset(folder / "t.csv", "gap", target_unit="eV")


def test_unlabelled_reading_of_a_folder_is_confined_and_numbered_by_line(tmp_path):
    from sagatsr.data import load_structures

    (tmp_path / "outside.cif").write_text(NACL.to(fmt="cif"))
    folder = _folder(tmp_path / "d", "good.cif,1\n\n../outside.cif,2\n", {"good.cif": NACL.to(fmt="cif")})
    with pytest.raises(InputError, match="id_prop.csv: line 3: .*outside the dataset folder"):
        load_structures(folder)
    assert [(s.row, s.id) for s in load_structures(folder, on_error="skip").skipped] == [(3, "outside")]
    assert len(load_structures(folder, allow_outside=True)) == 2
