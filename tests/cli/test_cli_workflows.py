"""What a new user does: train, then predict/screen on structures without labels; featurize -> sr;
a target whose unit is given, documented, or missing."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from helpers import demo_structures
from sagatsr.cli import app
from sagatsr.data import load_dataset, load_structures
from sagatsr.errors import InputError, UnitError


def _ok(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    _ok("train", "--data", "demo", "--out", out, "--epochs", 1, "--batch-size", 16, "--limit", 16, "--threads", 1)
    return out


@pytest.fixture(scope="module")
def bare_folder(tmp_path_factory):
    """Four demo crystals as CIF, POSCAR, pymatgen JSON and extxyz files, no id_prop.csv."""
    folder = tmp_path_factory.mktemp("candidates")
    structures, ids = demo_structures(limit=4)
    structures[0].to(filename=str(folder / "a.cif"))
    structures[1].to(filename=str(folder / "POSCAR"), fmt="poscar")
    (folder / "c.json").write_text(json.dumps(structures[2].as_dict()))
    from ase.io import write
    from pymatgen.io.ase import AseAtomsAdaptor

    write(str(folder / "d.extxyz"), AseAtomsAdaptor.get_atoms(structures[3]), format="extxyz")
    (folder / "notes.txt").write_text("not a structure")
    return folder


def test_predict_on_a_bare_folder_uses_the_models_target_and_unit(model, bare_folder, tmp_path):
    result = _ok("predict", "--model", model, "--data", bare_folder, "--out", tmp_path / "p.csv")
    table = pd.read_csv(tmp_path / "p.csv")
    assert sorted(table["id"]) == ["POSCAR", "a", "c", "d"]
    assert list(table.columns) == ["id", "file", "prediction", "unit"] and (table["unit"] == "GPa").all()
    assert "bulk_modulus [GPa]" in result.output


@pytest.mark.parametrize("pattern", ["*.cif", "single"])
def test_predict_on_a_glob_or_a_single_file(model, bare_folder, tmp_path, pattern):
    data = bare_folder / "a.cif" if pattern == "single" else f"{bare_folder}/{pattern}"
    _ok("predict", "--model", model, "--data", data, "--out", tmp_path / "p.csv")
    assert pd.read_csv(tmp_path / "p.csv")["id"].tolist() == ["a"]


def test_screen_on_a_csv_listing_files_without_target(model, bare_folder, tmp_path):
    pd.DataFrame({"id": ["x", "y"], "file": ["a.cif", "c.json"]}).to_csv(bare_folder / "list.csv", index=False)
    _ok("screen", "--model", model, "--data", bare_folder / "list.csv", "--out", tmp_path / "s", "--top-k", 3)
    assert json.loads((tmp_path / "s" / "target.json").read_text()) == {"target": "bulk_modulus", "unit": "GPa"}
    assert len(pd.read_csv(tmp_path / "s" / "importance.csv")) > 100


def test_matminer_file_without_the_target_column(model, tmp_path):
    structures, ids = demo_structures(limit=3)
    split = {"columns": ["structure", "formula"], "index": ids,
             "data": [[s.as_dict(), s.composition.reduced_formula] for s in structures]}
    with gzip.open(tmp_path / "cands.json.gz", "wt") as handle:
        json.dump(split, handle)
    _ok("predict", "--model", model, "--data", tmp_path / "cands.json.gz", "--out", tmp_path / "p.csv")
    assert pd.read_csv(tmp_path / "p.csv")["id"].tolist() == ids


def test_featurize_then_sr_as_documented(tmp_path):
    _ok("featurize", "--data", "demo", "--out", tmp_path / "demo.nc", "--limit", 30)
    with xr.open_dataset(tmp_path / "demo.nc") as ds:
        assert ds["bulk_modulus"].attrs["units"] == "GPa" and ds.attrs["target"] == "bulk_modulus"
    result = _ok("sr", "--data", tmp_path / "demo.nc", "--target", "bulk_modulus", "--out", tmp_path / "sr",
                 "--backend", "sisso", "--max-terms", 1, "--rung", 1)
    assert "constant or not finite" in result.output  # e.g. composition spreads of elemental crystals
    formulas = json.loads((tmp_path / "sr" / "formulas.json").read_text())
    assert formulas and all(f["units"] == "GPa" and f["target"] == "bulk_modulus" for f in formulas)
    assert all(c["user_unit"] for f in formulas for c in f["coefficients"] or [])


def test_run_features_carry_the_target_for_sr(tmp_path):
    """A run's features.nc feeds `sagatsr sr` without naming the target (it is stored with its unit)."""
    from sagatsr import featurize
    from sagatsr.data.feature_table import attach_target, split_target

    data = load_dataset("demo", limit=12)
    ds = attach_target(featurize(data.structures, ids=data.ids), "bulk_modulus", data.targets, "GPa")
    ds.to_netcdf(tmp_path / "features.nc")
    features, y, name, unit = split_target(xr.load_dataset(tmp_path / "features.nc"))
    assert name == "bulk_modulus" and unit == "GPa" and "bulk_modulus" not in features.data_vars
    assert list(y) == list(data.targets)


def test_target_unit_is_given_documented_or_refused(tmp_path):
    structures, ids = demo_structures(limit=2)
    (tmp_path / "f").mkdir()
    for i, s in enumerate(structures):
        s.to(filename=str(tmp_path / "f" / f"s{i}.cif"))
    (tmp_path / "f" / "id_prop.csv").write_text("s0.cif,1.0\ns1.cif,2.0\n")
    with pytest.raises(UnitError, match="--target-unit"):
        load_dataset(tmp_path / "f")
    assert load_dataset(tmp_path / "f", "K_VRH", target_unit="GPa").target_unit == "GPa"
    assert load_dataset(tmp_path / "f", target_unit="dimensionless").target_name == "target"
    with pytest.raises(UnitError, match="documented in GPa"):
        load_dataset("demo", target_unit="eV")
    with pytest.raises(UnitError, match="cannot parse"):
        load_dataset(tmp_path / "f", target_unit="GPaa")
    for blank in ("", "  "):  # not a unit: pint would read it as dimensionless
        with pytest.raises(UnitError, match="--target-unit is empty"):
            load_dataset(tmp_path / "f", target_unit=blank)
    result = CliRunner().invoke(app, ["featurize", "--data", str(tmp_path / "f"), "--target-unit", " ", "--out",
                                      str(tmp_path / "f.nc")])
    assert result.exit_code == 2 and "--target-unit is empty" in result.output and not (tmp_path / "f.nc").exists()


def test_elastic_like_matminer_file_gives_gpa(tmp_path):
    """matminer's elastic_tensor_2015 documents K_VRH in GPa; under another file name it must be given."""
    structures, ids = demo_structures(limit=3)
    split = {"columns": ["structure", "K_VRH"], "index": ids, "data": [[s.as_dict(), 100.0 + i]
                                                                       for i, s in enumerate(structures)]}
    for name in ("elastic_tensor_2015.json.gz", "my_moduli.json.gz"):
        with gzip.open(tmp_path / name, "wt") as handle:
            json.dump(split, handle)
    assert load_dataset(tmp_path / "elastic_tensor_2015.json.gz", "K_VRH").target_unit == "GPa"
    with pytest.raises(UnitError, match="K_VRH"):
        load_dataset(tmp_path / "my_moduli.json.gz", "K_VRH")
    assert load_dataset(tmp_path / "my_moduli.json.gz", "K_VRH", target_unit="GPa").target_unit == "GPa"
    assert load_structures(tmp_path / "my_moduli.json.gz").targets is None
    with pytest.raises(InputError, match=r"no target column 'G_VRH'; numeric columns: \['K_VRH'\]"):
        load_dataset(tmp_path / "my_moduli.json.gz", "G_VRH", target_unit="GPa")
    with pytest.raises(InputError, match=r"choose a target column with --target; numeric columns: \['K_VRH'\]"):
        load_dataset(tmp_path / "my_moduli.json.gz", target_unit="GPa")
    result = CliRunner().invoke(app, ["featurize", "--data", str(tmp_path / "my_moduli.json.gz"), "--target", "G_VRH",
                                 "--out", str(tmp_path / "f.nc")])
    assert result.exit_code == 2 and "no target column 'G_VRH'" in result.output


def test_folder_with_no_structures_is_one_clear_error(tmp_path):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(InputError, match="no structure files"):
        load_structures(tmp_path)


def test_featurize_a_bare_folder_and_a_folder_without_a_unit(bare_folder, tmp_path):
    result = _ok("featurize", "--data", bare_folder, "--out", tmp_path / "bare.nc")
    with xr.open_dataset(tmp_path / "bare.nc") as ds:
        assert ds.sizes["material"] == 4 and "target" not in ds.attrs
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    (labelled / "a.cif").write_text((bare_folder / "a.cif").read_text())
    (labelled / "id_prop.csv").write_text("a.cif,3.0\n")
    result = _ok("featurize", "--data", labelled, "--out", tmp_path / "nounit.nc")
    assert "features only" in result.output and "--target-unit" in result.output
    _ok("featurize", "--data", labelled, "--target", "gap", "--target-unit", "eV", "--out", tmp_path / "gap.nc")
    with xr.open_dataset(tmp_path / "gap.nc") as ds:
        assert ds["gap"].attrs["units"] == "eV" and float(ds["gap"].values[0]) == 3.0
