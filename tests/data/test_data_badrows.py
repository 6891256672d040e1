"""The bad-row policy across loading and graph building: the row a skipped.csv names is the line
of the source file, whichever step refused it, and the reason is the real one."""

from __future__ import annotations

import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure

from sagatsr.data import load_dataset
from sagatsr.data.badrows import build_graphs, skip_summary, skipped_path, write_skipped
from sagatsr.errors import InputError
from sagatsr.graphs import CrystalGraphBuilder

NACL = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
# two atoms 26 Å apart: readable and sane, but no neighbour within the 12 Å graph cutoff
SPARSE = Structure(Lattice.cubic(30.0), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])


@pytest.fixture()
def folder(tmp_path):
    """id_prop.csv: line 2 unreadable (refused by the loader), line 4 sparse (refused by the graph
    builder): the loader's skip shifts positions, the graph step must still name line 4."""
    (tmp_path / "a.cif").write_text(NACL.to(fmt="cif"))
    (tmp_path / "b.cif").write_text(NACL.to(fmt="cif"))
    (tmp_path / "sparse.cif").write_text(SPARSE.to(fmt="cif"))
    (tmp_path / "broken.cif").write_text("data_x\n_cell_length_a oops\n")
    (tmp_path / "id_prop.csv").write_text("a.cif,1\nbroken.cif,2\nb.cif,3\nsparse.cif,4\n")
    return tmp_path


def test_skipped_rows_from_both_steps_name_the_file_line_and_reason(folder, tmp_path):
    loaded = load_dataset(folder, target_unit="eV", on_error="skip")
    result = build_graphs(loaded, CrystalGraphBuilder(), skip=True, progress=False)
    assert [g.material_id for g in result.graphs] == ["a", "b"]
    assert [(r["row"], r["file"].split("/")[-1]) for r in result.skipped] == [(2, "broken.cif"), (4, "sparse.cif")]
    assert "no neighbour within 12.0 Å; raise --cutoff" in result.skipped[1]["reason"]
    assert result.n_rows == 4 and result.positions == [0, 1]
    path = write_skipped(tmp_path / "out", result.skipped)
    table = pd.read_csv(path)
    assert path == tmp_path / "out" / "skipped.csv"
    assert table["row"].tolist() == [2, 4] and list(table.columns) == ["row", "id", "file", "reason"]
    assert skip_summary(result.skipped, result.n_rows, path).startswith("skipped 2 of 4 rows")


def test_strict_mode_names_the_line_of_a_graph_failure(folder, tmp_path):
    (folder / "id_prop.csv").write_text("a.cif,1\nb.cif,3\nsparse.cif,4\n")
    loaded = load_dataset(folder, target_unit="eV")
    with pytest.raises(InputError, match=r"id_prop.csv: line 3: .*sparse.cif: .*no neighbour within 12.0 Å"):
        build_graphs(loaded, CrystalGraphBuilder(), skip=False, progress=False)
    # a larger cutoff makes the same row usable
    result = build_graphs(loaded, CrystalGraphBuilder(cutoff=30.0), skip=False, progress=False)
    assert len(result.graphs) == 3 and result.skipped == []


def test_empty_skipped_file_is_written_and_file_outputs_get_their_own(tmp_path):
    assert skipped_path(tmp_path / "pred.csv") == tmp_path / "pred.skipped.csv"
    assert skipped_path(tmp_path / "run") == tmp_path / "run" / "skipped.csv"
    path = write_skipped(tmp_path / "features.nc", [])
    assert path.read_text() == "row,id,file,reason\n"
