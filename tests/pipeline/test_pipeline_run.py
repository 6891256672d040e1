"""End to end: `sagatsr demo` / `sagatsr run` on real data, resume, and bad input.

One short demo run (SAGATSR_SHORT sizes) is shared by the tests of this module.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import pytest
from typer.testing import CliRunner

from sagatsr.cli import app
from sagatsr.pipeline import RunConfig, run_pipeline
from sagatsr.pipeline.run import RunContext

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """`sagatsr demo` through the CLI, with the short sizes CI uses."""
    out = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("SAGATSR_SHORT", "1")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    mp.undo()
    assert result.exit_code == 0, result.output
    assert f"report: {out / 'report.html'}" in result.output
    assert "SA-GAT test MAE:" in result.output
    best = [f for f in json.loads((out / "formulas.json").read_text()) if f["best"]]
    from sagatsr.report.formula_render import short_formula

    assert len(best) == 2 and all(f"{short_formula(f['expression'], f['offered'])}  [GPa]" in result.output
                                  for f in best)
    return out


def test_demo_writes_every_output(demo_run):
    for name in ["features.nc", "split.json", "model/model_card.json", "predictions.csv", "sr_inputs.csv",
                 "importance.csv", "importance.png", "formulas.json", "pareto.png", "parity.png",
                 "report.md", "report.html", "skipped.csv"]:
        assert (demo_run / name).exists(), name
    ranking = pd.read_csv(demo_run / "importance.csv")
    assert list(ranking.columns[:5]) == ["feature", "unit", "mean_ic", "std_ic", "rank"]
    assert len(ranking) >= 180


def test_formulas_json_has_both_modes_with_units_and_inputs(demo_run):
    formulas = json.loads((demo_run / "formulas.json").read_text())
    modes = {f["mode"] for f in formulas}
    assert modes == {"gnn+features", "features"}
    ranked = pd.read_csv(demo_run / "importance.csv").sort_values("rank")["feature"].tolist()
    features = xr.open_dataset(demo_run / "features.nc").load()
    table = pd.read_csv(demo_run / "sr_inputs.csv")
    fit_ids = table.loc[table["split"] != "test", "id"].astype(str).to_numpy()
    for f in formulas:
        assert {"expression", "complexity", "loss", "units", "backend", "inputs"} <= set(f)
        assert set(f["inputs"]) <= set(f["offered"])
        offered = [name for name in f["offered"] if name != "E_p"]
        # the rule of sagatsr.screening.selection: IC top-6 candidates first, then SIS picks, each with a reason
        selection = json.loads((demo_run / "sr_selection.json").read_text())[f["mode"]]
        assert offered == selection["features"] and all(selection["reasons"][n] for n in offered)
        ic_picks = [n for n in offered if selection["reasons"][n][0].startswith("IC rank")]
        assert 1 <= len(ic_picks) <= 6 and offered[:len(ic_picks)] == sorted(ic_picks, key=ranked.index)
        fit_rows = features.sel(material=fit_ids)
        assert all(np.ptp(fit_rows[n].values) > 0 for n in offered)
        assert not any(n.startswith("frac_imputed_") for n in offered)  # missing-data flags never
        assert all(int(features[n].attrs["intensive"]) == 1 for n in offered)  # GPa is intensive
        # candidates ranked above the last IC pick were skipped only as constant, extensive, flag or duplicate
        skipped = [n for n in ranked[: ranked.index(ic_picks[-1])] if n not in offered]
        assert all(n in selection["excluded"] or np.ptp(fit_rows[n].values) == 0 or max(
            abs(np.corrcoef(fit_rows[n].values, fit_rows[m].values)[0, 1]) for m in ic_picks) > 0.999
            for n in skipped)
        assert f["test"]["mae"] >= 0
        if f["mode"] == "features":
            assert "E_p" not in f["inputs"]
    assert sum(f["best"] for f in formulas) == 2  # one selected formula per mode


def test_sr_never_sees_in_sample_gnn_predictions(demo_run):
    table = pd.read_csv(demo_run / "predictions.csv")
    sr_rows = table.dropna(subset=["e_p_sr"])
    fitted = sr_rows[sr_rows["split"] != "test"]
    assert fitted["e_p_source"].str.startswith("out-of-fold").all()
    test = sr_rows[sr_rows["split"] == "test"]
    np.testing.assert_allclose(test["e_p_sr"], test["e_p"])  # main model, which never saw test rows


def test_rerun_skips_finished_steps(demo_run, tmp_path, monkeypatch):
    monkeypatch.setenv("SAGATSR_SHORT", "1")
    run = tmp_path / "run"
    shutil.copytree(demo_run, run)  # the shared run stays as the fixture made it (no order dependence)
    before = json.loads((run / "steps.json").read_text())
    calls = []
    monkeypatch.setattr(RunContext, "train_main", lambda self: calls.append("train"))
    result = CliRunner().invoke(app, ["demo", "--out", str(run)])
    assert result.exit_code == 0, result.output
    assert calls == []
    assert json.loads((run / "steps.json").read_text()) == before


def test_interrupted_cross_fit_resumes_without_retraining_finished_folds(demo_run, tmp_path, monkeypatch):
    monkeypatch.setenv("SAGATSR_SHORT", "1")
    run = tmp_path / "run"
    shutil.copytree(demo_run, run)
    ledger = json.loads((run / "steps.json").read_text())
    for step in ("cross_fit", "screen", "sr", "report"):
        ledger.pop(step)
    (run / "steps.json").write_text(json.dumps(ledger))
    (run / "cross_fit" / "fold1.csv").unlink()  # as if interrupted while training fold 1
    trained = []
    original = RunContext._train

    def counting_train(self, fit_rows, val_rows, out_dir):
        trained.append(Path(out_dir).name)
        return original(self, fit_rows, val_rows, out_dir)

    monkeypatch.setattr(RunContext, "_train", counting_train)
    from sagatsr.pipeline import demo_config

    run_pipeline(demo_config(run))
    assert trained == ["fold1"]


def _broken_folder(tmp_path: Path) -> Path:
    """A CGCNN-style folder of real demo crystals plus two broken files."""
    from sagatsr.data import load_dataset

    demo = load_dataset("demo")
    folder = tmp_path / "broken"
    folder.mkdir()
    rows = []
    for i, (structure, target) in enumerate(zip(demo.structures[:30], demo.targets[:30])):
        structure.to(filename=str(folder / f"m{i}.cif"))
        rows.append(f"m{i}.cif,{target}")
    (folder / "bad.cif").write_text("data_broken\n_cell_length_a oops\n")
    rows += ["bad.cif,100.0", "missing.cif,50.0"]
    (folder / "id_prop.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_broken_files_are_skipped_and_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("SAGATSR_SHORT", "1")
    folder = _broken_folder(tmp_path)
    config = RunConfig.from_dict(dict(data=str(folder), target=None, target_unit="GPa", out=tmp_path / "run",
                                      epochs=2, oof_folds=2, top_k=3, sr_niterations=5, progress=False,
                                      strict=False))
    run_pipeline(config)
    skipped = pd.read_csv(tmp_path / "run" / "skipped.csv")
    # id_prop.csv: 30 good lines, then bad.cif on line 31 and missing.cif on line 32
    assert [(Path(f).name, row) for f, row in zip(skipped["file"].astype(str), skipped["row"])] == \
        [("bad.cif", 31), ("missing.cif", 32)]
    assert json.loads((tmp_path / "run" / "dataset.json").read_text())["n_materials"] == 30


def test_strict_mode_stops_with_one_clear_line(tmp_path):
    folder = _broken_folder(tmp_path)
    result = CliRunner().invoke(app, ["run", "--data", str(folder), "--target-unit", "GPa", "--out",
                                      str(tmp_path / "r")])  # strict is the default; --skip-bad skips
    lines = [line for line in result.output.splitlines() if line.strip() and line.startswith("error:")]
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert "id_prop.csv: line 31: " in lines[0] and "bad.cif" in lines[0] and "--skip-bad" in lines[0]
    assert "Traceback" not in result.output


def test_the_target_unit_travels_through_every_output(demo_run):
    from helpers import assert_units_propagate

    assert json.loads((demo_run / "dataset.json").read_text())["target_unit"] == "GPa"
    assert json.loads((demo_run / "model" / "model_card.json").read_text())["data"]["unit"] == "GPa"
    assert (pd.read_csv(demo_run / "predictions.csv")["unit"] == "GPa").all()
    with xr.open_dataset(demo_run / "features.nc") as ds:
        assert ds[ds.attrs["target"]].attrs["units"] == "GPa"
        units = {name: str(var.attrs["units"]) for name, var in ds.data_vars.items()}
    units["E_p"] = "GPa"
    formulas = json.loads((demo_run / "formulas.json").read_text())
    # sisso lists each coefficient's unit; Julia formulas (backend "auto" where Julia starts) have none
    assert any(f["coefficients"] for f in formulas) or all(f["backend"] == "julia" for f in formulas)
    assert_units_propagate(formulas, "GPa", units)
    report = (demo_run / "report.md").read_text()
    assert "## Key of the variables" in report and report.count("Julia engine (SymbolicRegression.jl)") <= 1


@pytest.mark.parametrize("options, message", [
    (["--limit", "12", "--oof-folds", "20"], "--oof-folds 20 needs at least 20 training+validation rows; this split "
                                             "leaves 11"),
    (["--limit", "30", "--oof-folds", "0"], "the formulas would be fitted on 3 validation rows (--oof-folds 0), too "
                                            "few for --sr-max-terms 3: need at least 20 (5 per coefficient); use "
                                            "--oof-folds K ≥ 2"),
])
def test_settings_the_split_cannot_serve_stop_before_training(tmp_path, options, message):
    out = tmp_path / "r"
    result = CliRunner().invoke(app, ["run", "--data", "demo", "--out", str(out), "--epochs", "1", *options])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output
    assert (out / "split.json").exists() and not (out / "model").exists()  # stopped before training
