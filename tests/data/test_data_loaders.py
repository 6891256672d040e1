"""Loaders: demo always; the real datasets when ../shared/data is present; every bad-input case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure

from sagatsr.data import load_dataset, matbench_folds
from sagatsr.errors import InputError

NACL = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])


def test_demo_is_71_crystals_with_bulk_moduli_in_gpa():
    structures, targets, ids = load_dataset("demo")
    assert len(structures) == len(targets) == len(ids) == 71
    data = load_dataset("demo")
    assert data.target_name == "bulk_modulus" and data.target_unit == "GPa"
    assert np.isfinite(targets).all() and 0 < targets.min() and targets.max() < 500
    assert len(load_dataset("demo", limit=5)) == 5


def _folder(tmp_path, rows: list[tuple[str, str, str]]):
    """Write an id_prop folder; rows are (file name, file text, target text)."""
    for name, text, _ in rows:
        if text is not None:
            (tmp_path / name).write_text(text)
    (tmp_path / "id_prop.csv").write_text("".join(f"{n},{t}\n" for n, _, t in rows))
    return tmp_path


GOOD = NACL.to(fmt="cif")
DISORDERED = Structure(Lattice.cubic(4.0), [{"Fe": 0.5, "Ni": 0.5}], [[0, 0, 0]]).to(fmt="cif")
BAD_CASES = {
    "malformed": ("bad.cif", "data_x\n_cell_length_a oops\nloop_\n", "1.0", "not a readable CIF file"),
    "malformed poscar": ("bad.vasp", "garbage\n", "1.0", "not a readable POSCAR file"),
    "malformed json": ("bad.json", '{"lattice": 1}', "1.0", "not a readable pymatgen JSON file"),
    # VASP 4 layout: pymatgen would name the species H and He
    "poscar without symbols": ("nosym.vasp", "x\n1.0\n4 0 0\n0 4 0\n0 0 4\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n",
                               "1.0", "not a readable POSCAR file: it has no line of element symbols"),
    "several frames": ("frames.extxyz", "".join(f"1\nLattice=\"4 0 0 0 4 0 0 0 4\" Properties=species:S:1:pos:R:3 "
                                                f"pbc=\"T T T\"\n{e} 0 0 0\n" for e in ("Na", "K", "Rb")),
                       "1.0", "not a readable extended XYZ file: it holds 3 structures"),
    "empty": ("empty.cif", "", "1.0", "empty.cif"),
    "missing file": ("gone.cif", None, "1.0", "gone.cif"),
    "disordered": ("dis.cif", DISORDERED, "1.0", "disordered"),
    "nan target": ("nan.cif", GOOD, "nan", "target"),
    "duplicate id": ("good.cif", GOOD, "2.0", "duplicate"),
}


@pytest.mark.parametrize("workers", [1, 2], ids=["serial", "2 worker processes"])
@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_row_raises_naming_file_and_row_or_is_skipped(tmp_path, case, workers):
    name, text, target, message = BAD_CASES[case]
    folder = _folder(tmp_path, [("good.cif", GOOD, "1.0"), ("p2.cif", GOOD, "3.0"), (name, text, target)])
    with pytest.raises(InputError) as info:
        load_dataset(folder, workers=workers, target_unit="eV")
    # the bad row is the third line of id_prop.csv (no header): named as an editor numbers it
    assert "line 3" in str(info.value) and name in str(info.value) and message in str(info.value)
    assert "--skip-bad" in str(info.value)
    data = load_dataset(folder, on_error="skip", workers=workers, target_unit="eV")
    assert data.ids == ["good", "p2"] and data.rows == [1, 2]
    assert [(s.row, s.file.endswith(name)) for s in data.skipped] == [(3, True)]


def test_a_binary_file_is_named_as_not_text(tmp_path):
    folder = _folder(tmp_path, [("good.cif", GOOD, "1.0"), ("p2.cif", GOOD, "3.0"), ("bin.cif", None, "2.0")])
    (folder / "bin.cif").write_bytes(bytes(range(128, 256)))
    with pytest.raises(InputError, match=r"line 3: .*bin.cif: not a text file \(invalid start byte at byte 0\)"):
        load_dataset(folder, target_unit="eV")


def test_unknown_sources_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_dataset(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no id_prop.csv"):
        load_dataset(tmp_path)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="'file' column"):
        load_dataset(tmp_path / "x.csv")


def test_csv_with_files_beside_it_and_unit_override(tmp_path):
    (tmp_path / "a.cif").write_text(GOOD)
    pd.DataFrame({"id": ["a"], "file": ["a.cif"], "gap": [1.2]}).to_csv(tmp_path / "t.csv", index=False)
    data = load_dataset(tmp_path / "t.csv", "gap", target_unit="eV")
    assert data.ids == ["a"] and data.targets.tolist() == [1.2] and data.target_unit == "eV"


def test_sources_given_as_relative_paths_read_the_same_rows(tmp_path, monkeypatch):
    """A folder, a CSV and a structures-only folder named relative to the working directory (as a
    user types them) read the same files as when named by absolute paths."""
    from sagatsr.data import load_structures

    data = tmp_path / "data"
    data.mkdir()
    _folder(data, [("a.cif", GOOD, "1.0"), ("b.cif", GOOD, "2.0")])
    pd.DataFrame({"id": ["a", "b"], "file": ["a.cif", "b.cif"], "gap": [1.0, 2.0]}).to_csv(data / "t.csv",
                                                                                         index=False)
    (data / "c.cif").write_text("data_x\n_cell_length_a oops\n")
    (data / "id_prop.csv").write_text("a.cif,1.0\nb.cif,2.0\nc.cif,3.0\n")
    monkeypatch.chdir(tmp_path)
    for source in ("data", "data/t.csv"):
        relative = load_dataset(source, on_error="skip", target_unit="eV")
        absolute = load_dataset(tmp_path / source, on_error="skip", target_unit="eV")
        assert relative.ids == absolute.ids == ["a", "b"], source
        assert relative.targets.tolist() == [1.0, 2.0]
    # the skipped row is named by the path the user gave, and for the file's own fault
    assert [(s.row, s.file) for s in load_dataset("data", on_error="skip", target_unit="eV").skipped] == \
        [(3, "data/c.cif")]
    assert len(load_structures("data", on_error="skip")) == len(load_structures(tmp_path / "data",
                                                                                on_error="skip")) == 2
    with pytest.raises(InputError, match="outside the dataset folder"):
        (data / "id_prop.csv").write_text("../escape.cif,1.0\n")
        (tmp_path / "escape.cif").write_text(GOOD)
        load_dataset("data", target_unit="eV")


def test_material_id_columns_name_the_rows(tmp_path):
    """matminer's split JSON files number their rows and keep the ids in a material_id column."""
    import json

    from sagatsr.data import load_structures

    structure = NACL.as_dict()
    split = {"columns": ["material_id", "structure", "gap"], "index": [0, 1],
             "data": [["mp-22862", structure, 1.0], ["mp-2", structure, 2.0]]}
    (tmp_path / "set.json").write_text(json.dumps(split))
    assert load_dataset(tmp_path / "set.json", "gap", target_unit="eV").ids == ["mp-22862", "mp-2"]
    assert load_structures(tmp_path / "set.json").ids == ["mp-22862", "mp-2"]
    (tmp_path / "a.cif").write_text(GOOD)
    pd.DataFrame({"material_id": ["mp-7"], "file": ["a.cif"], "gap": [1.2]}).to_csv(tmp_path / "t.csv", index=False)
    assert load_dataset(tmp_path / "t.csv", "gap", target_unit="eV").ids == ["mp-7"]
    split["columns"][0] = "name"  # no id column: the rows are numbered as the file numbers them
    (tmp_path / "set.json").write_text(json.dumps(split))
    assert load_dataset(tmp_path / "set.json", "gap", target_unit="eV").ids == ["0", "1"]


def test_a_target_column_without_numbers_is_refused_by_name(tmp_path):
    import json

    (tmp_path / "a.cif").write_text(GOOD)
    pd.DataFrame({"file": ["a.cif"], "note": ["x"], "gap": [1.2]}).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"target column 'note' holds no numbers \(first value 'x'\); numeric "
                                         r"columns: \['gap'\]"):
        load_dataset(tmp_path / "t.csv", "note", target_unit="eV")
    split = {"columns": ["structure", "gap"], "index": [0], "data": [[NACL.as_dict(), 1.0]]}
    (tmp_path / "set.json").write_text(json.dumps(split))
    with pytest.raises(InputError, match="target column 'structure' holds no numbers"):
        load_dataset(tmp_path / "set.json", "structure", target_unit="eV")
    pd.DataFrame({"file": ["a.cif", "a.cif"], "gap": ["1.2", "oops"]}).to_csv(tmp_path / "u.csv", index=False)
    with pytest.raises(InputError, match="line 3"):  # numbers with one bad cell: that row is named
        load_dataset(tmp_path / "u.csv", "gap", target_unit="eV")


@pytest.mark.shared_data
def test_real_folder_csv_tarball_and_split_json(shared_data):
    jarvis = load_dataset(shared_data / "jarvis_sample", "optb88vdw_bandgap", target_unit="eV")
    assert len(jarvis) == 50 and jarvis.target_unit == "eV" and (jarvis.targets == 0).sum() == 28
    perov = load_dataset(shared_data / "matbench_perovskites" / "targets.csv", "e_form", limit=20)
    assert perov.ids[0] == "mb-perovskites-00001" and all(len(s) == 5 for s in perov.structures)
    diel = load_dataset(shared_data / "mp_dielectric" / "dielectric_constant.json.gz", "poly_total", limit=10)
    assert len(diel) == 10 and diel.target_unit == "dimensionless"


@pytest.mark.shared_data
def test_matbench_folds_reproduce_the_mean_predictor_check(shared_data):
    targets = pd.read_csv(shared_data / "matbench_perovskites" / "targets.csv")["e_form"].to_numpy()
    folds = matbench_folds(len(targets))
    assert len(folds) == 5 and sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(len(targets)))
    fold_mae = [np.mean(np.abs(targets[test] - targets[train].mean())) for train, test in folds]
    # Matbench v0.1 leaderboard, "Dummy" (mean predictor) on matbench_perovskites: 0.5660 eV/cell
    # averaged over the 5 folds; fold 0: 0.5672 (both quoted in ../shared/data/README.md)
    assert abs(np.mean(fold_mae) - 0.5660) < 5e-4
    assert abs(fold_mae[0] - 0.5672) < 5e-4
