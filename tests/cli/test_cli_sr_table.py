"""`sagatsr sr` on a table of descriptors (a CSV of numbers, no structures): units per column, and
a bad cell is one error naming its line and column, or a skipped row with --skip-bad."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sagatsr.cli import app
from sagatsr.data.feature_csv import read_feature_table
from sagatsr.errors import InputError
from test_cli_settings import assert_one_line_error

RNG = np.random.default_rng(0)
A, B = RNG.uniform(1, 3, 40), RNG.uniform(1, 3, 40)


def _write(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _table(tmp_path, bad=None):
    rows = [[f"m{k}", a, b, 2 * a / b**2] for k, (a, b) in enumerate(zip(A, B))]
    if bad is not None:
        k, column, text = bad
        rows[k][column] = text
    return _write(tmp_path / "table.csv", ["id", "a", "b", "y"], rows)


def _sr(*args):
    return CliRunner().invoke(app, ["sr", *[str(a) for a in args]])


def test_a_table_with_units_gives_the_law_with_its_units(tmp_path):
    out = tmp_path / "out"
    result = _sr("--data", _table(tmp_path), "--out", out, "--target", "y", "--target-unit", "eV/angstrom**2",
                 "--feature-units", "a=eV, b=angstrom", "--backend", "sisso", "--max-terms", 1)
    assert result.exit_code == 0, result.output
    best = next(r for r in json.loads((out / "formulas.json").read_text()) if r["best"])
    assert best["expression"].replace(" ", "") in ("2.0*a/b**2", "2.0*(a/b**2)")
    assert best["dimensionally_consistent"] and best["pure_number_coefficients"]


def test_column_names_that_are_not_variables_are_renamed_and_kept(tmp_path):
    rows = [[f"m{k}", a, b, 2 * a / b**2] for k, (a, b) in enumerate(zip(A, B))]
    data = _write(tmp_path / "table.csv", ["id", "E-form", "lattice a", "y"], rows)
    out = tmp_path / "out"
    # units may name the column as written or as renamed
    result = _sr("--data", data, "--out", out, "--target", "y", "--target-unit", "eV/angstrom**2",
                 "--feature-units", "E-form=eV, lattice_a=angstrom", "--backend", "sisso", "--max-terms", 1)
    assert result.exit_code == 0, result.output
    assert "'E-form' -> E_form" in result.output and "'lattice a' -> lattice_a" in result.output
    best = next(r for r in json.loads((out / "formulas.json").read_text()) if r["best"])
    assert best["expression"].replace(" ", "") in ("2.0*E_form/lattice_a**2", "2.0*(E_form/lattice_a**2)")
    assert best["columns"] == {"E_form": "E-form", "lattice_a": "lattice a"}
    assert best["dimensionally_consistent"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=6), min_size=1, max_size=6, unique=True))
def test_formula_names_are_distinct_usable_and_keep_good_names(columns):
    from sagatsr.data.feature_csv import formula_names
    from sagatsr.sr.inputs import check_variable_names

    names = formula_names(columns)
    assert list(names) == columns
    check_variable_names(list(names.values()))  # identifiers, read back, no duplicates
    for column in columns:
        try:
            check_variable_names([column])
        except InputError:
            continue
        assert names[column] == column  # a usable name is never changed


@pytest.mark.parametrize("k, column, text", [(4, 2, "abc"), (6, 1, "inf"), (9, 3, ""), (0, 2, "nan")])
def test_a_bad_cell_is_one_error_naming_line_and_column(tmp_path, k, column, text):
    result = _sr("--data", _table(tmp_path, (k, column, text)), "--out", tmp_path / "out", "--target", "y",
                 "--target-unit", "eV")
    assert_one_line_error(result, f"line {k + 2} (m{k})", f"column {['id', 'a', 'b', 'y'][column]!r}", "--skip-bad")
    assert not (tmp_path / "out" / "formulas.json").exists()


def test_skip_bad_leaves_the_row_out_and_lists_it(tmp_path):
    out = tmp_path / "out"
    result = _sr("--data", _table(tmp_path, (4, 2, "abc")), "--out", out, "--target", "y", "--target-unit", "eV",
                 "--backend", "sisso", "--max-terms", 1, "--skip-bad")
    assert result.exit_code == 0, result.output
    skipped = (out / "skipped.csv").read_text()
    assert "m4" in skipped and "'abc'" in skipped and skipped.count("\n") == 2  # header + one row


@pytest.mark.parametrize("args, fragment", [
    (["--target", "y", "--target-unit", "eV", "--feature-units", "a=eV"], "no unit for ['b']"),
    (["--target", "y", "--target-unit", "eV", "--feature-units", "a=eV,b=Å,c=K"], "['c']"),
    (["--target", "y", "--target-unit", "eV", "--feature-units", "a=eV;b=Å"], "NAME=UNIT"),
    (["--target", "y", "--target-unit", "eV", "--feature-units", "a=eV,b=angstromx"],
     "--feature-units, column 'b': cannot parse unit 'angstromx'"),
    (["--target-unit", "eV"], "needs --target"),
    (["--target", "z", "--target-unit", "eV"], "no target column 'z'"),
    (["--target", "y"], "--target-unit"),
])
def test_a_wrong_setting_is_one_error(tmp_path, args, fragment):
    assert_one_line_error(_sr("--data", _table(tmp_path), "--out", tmp_path / "out", *args), fragment)


def test_a_repeated_column_name_is_refused(tmp_path):
    path = _write(tmp_path / "t.csv", ["a", "a", "y"], [[1, 2, 3], [2, 3, 4]])
    assert_one_line_error(_sr("--data", path, "--out", tmp_path / "o", "--target", "y", "--target-unit", "eV"),
                          "['a'] more than once")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1, max_size=30),
       st.sets(st.integers(0, 29), max_size=5))
def test_kept_rows_hold_exactly_the_numbers_written(tmp_path_factory, rows, broken):
    """Every finite row comes back unchanged and in order; every broken one is listed, none lost."""
    path = tmp_path_factory.mktemp("t") / "t.csv"
    written = [[repr(a), "oops" if k in broken else repr(b)] for k, (a, b) in enumerate(rows)]
    _write(path, ["a", "y"], written)
    bad = [k for k in range(len(rows)) if k in broken]
    if len(bad) == len(rows):
        with pytest.raises(InputError, match="no row"):
            read_feature_table(path, "y", "eV", skip_bad=True)
        return
    ds, y, skipped = read_feature_table(path, "y", "eV", skip_bad=True)
    good = [k for k in range(len(rows)) if k not in broken]
    np.testing.assert_array_equal(ds["a"].values, [rows[k][0] for k in good])
    np.testing.assert_array_equal(y, [rows[k][1] for k in good])
    assert [s["row"] for s in skipped] == [k + 2 for k in bad]


def test_feature_units_are_refused_where_features_carry_their_own(tmp_path):
    assert_one_line_error(_sr("--data", "demo", "--out", tmp_path / "o", "--feature-units", "a=eV"),
                          "for a feature table")
