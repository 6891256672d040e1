"""The report a reader meets, built from a hand-made run directory (no training needed)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from sagatsr.report import write_report
from sagatsr.report.explain import julia_notice
from sagatsr.report.formula_render import display_formula, formula_mathtext, render_formula

JULIA_NOTE = ("julia unavailable (Julia cannot start: no Julia found and juliapkg could not download it "
              "(urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>)); used the "
              "sisso backend. `sagatsr doctor` says how to enable Julia")
NAMES = ["E_p", "fusion_heat_min", "cell_volume"]


def _formula(mode, expression, complexity, mae, best, inputs, coefficients=None):
    return {"mode": mode, "expression": expression, "complexity": complexity, "loss": mae ** 2, "units": "GPa",
            "backend": "sisso", "inputs": inputs, "best": best, "offered": NAMES if mode == "gnn+features" else NAMES[1:],
            "test": {"mae": mae, "rmse": mae * 1.2}, "notes": [JULIA_NOTE], "coefficients": coefficients,
            "pure_number_coefficients": False}


def _run_dir(tmp_path, identical=False):
    out = tmp_path / "run"
    out.mkdir()
    rng = np.random.default_rng(0)
    target = rng.uniform(10, 300, 30)
    split = ["train"] * 20 + ["val"] * 5 + ["test"] * 5
    pd.DataFrame({"id": [f"m{i}" for i in range(30)], "split": split, "target": target,
                  "e_p": target + rng.normal(0, 5, 30), "unit": "GPa"}).to_csv(out / "predictions.csv", index=False)
    (out / "dataset.json").write_text(json.dumps({"source": "demo", "target": "bulk_modulus", "target_unit": "GPa",
                                                  "n_materials": 30, "n_skipped": 0}))
    (out / "config.json").write_text(json.dumps({"top_k": 2, "train": {"seed": 0}}))
    (out / "steps.json").write_text(json.dumps({"load": {"seconds": 1.0}}))
    pd.DataFrame({"feature": ["fusion_heat_min", "cell_volume"], "unit": ["kJ/mol", "Å**3"],
                  "mean_ic": [0.6, 0.4], "std_ic": [0.1, 0.5], "rank": [1, 2]}).to_csv(out / "importance.csv",
                                                                                       index=False)
    coefficients = [{"descriptor": "1", "value": 27.667, "user_unit": "GPa", "pure_number": False},
                    {"descriptor": "fusion_heat_min/cell_volume", "value": 32.3157206381,
                     "user_unit": "GPa * Å ** 3 * mol / kJ", "pure_number": False}]
    features_front = [_formula("features", "27.6670261396 + 32.3157206381*fusion_heat_min/cell_volume", 6, 20.0,
                               True, ["fusion_heat_min", "cell_volume"], coefficients)]
    gnn_front = [dict(f, mode="gnn+features", offered=NAMES) for f in features_front] if identical else \
        [_formula("gnn+features", "1.05373396237*E_p - 3.76138085444", 4, 22.5, True, ["E_p"])]
    (out / "formulas.json").write_text(json.dumps(gnn_front + features_front))
    return out


def test_report_typesets_formulas_with_symbols_units_and_a_key(tmp_path):
    out = _run_dir(tmp_path)
    html = write_report(out).read_text()
    markdown = (out / "report.md").read_text()
    assert "\\frac" not in html and "1.05373396237" not in html  # no raw LaTeX, no 12-digit numbers
    images = re.findall(r'src="(formulas/[^"]+\.svg)"', html)
    assert len(images) == 2 and all((out / src).stat().st_size > 0 for src in images)
    assert "32.32·ΔH_fus_min/V_cell + 27.67" in markdown or "27.67 + 32.32·ΔH_fus_min/V_cell" in markdown
    assert "Å³·GPa·mol/kJ" in markdown or "GPa·Å³·mol/kJ" in markdown  # the coefficient's unit, user units
    key = markdown.split("## Key of the variables")[1]
    for symbol, unit in (("E_p", "GPa"), ("ΔH_fus_min", "kJ/mol"), ("V_cell", "Å³")):
        assert re.search(rf"`{symbol}`.*\| {re.escape(unit)} \|", key), symbol
    for term in ("**IC (importance coefficient)**", "**complexity**", "**selected formula**", "**MAE**"):
        assert term in markdown
    rule = markdown.split("**selected formula**: ")[1].split("\n")[0]  # the sisso rule, not PySR's
    assert rule.startswith("the simplest of the near-best formulas") and "PySR" not in rule
    assert "test MAE" in markdown and "RMSE" not in markdown
    assert "| 2 * |" in markdown  # std > mean: unstable rank marked


def test_julia_notice_once_in_plain_words(tmp_path):
    out = _run_dir(tmp_path)
    write_report(out)
    for name in ("report.md", "report.html"):
        text = (out / name).read_text()
        assert text.count("Julia engine (SymbolicRegression.jl) was not used") == 1, name
        assert "URLError" not in text and "urlopen" not in text and "Errno" not in text
    notice = julia_notice([JULIA_NOTE])
    assert "no network" in notice and "sagatsr doctor" in notice
    assert julia_notice(["sisso: 20 candidate descriptors"]) is None


def test_julia_notice_keeps_the_causes_own_brackets():
    """The probe's reason for a Julia built for another CPU ends with its remedy in brackets."""
    note = ("julia unavailable (Julia cannot start: /opt/julia/bin/julia exits with code 1: ERROR: Unable to "
            "find compatible target in cached code image. (its system image was compiled for instructions "
            "this CPU lacks, such as AVX-512; use a Julia built for this CPU)); used the sisso backend.")
    notice = julia_notice([note])
    cause = notice.split("was not used: ", 1)[1].split(". The formulas come", 1)[0]
    assert cause.startswith("Julia cannot start: /opt/julia/bin/julia exits with code 1: ERROR: Unable")
    assert cause.endswith("use a Julia built for this CPU)") and cause.count("(") == cause.count(")")


def test_identical_fronts_are_shown_once_and_said_so(tmp_path):
    out = _run_dir(tmp_path, identical=True)
    markdown = write_report(out).with_suffix(".md").read_text()
    assert "same formulas" in markdown and markdown.count("### ") == 1


@pytest.mark.parametrize("expression, expected", [
    ("1.05373396237*E_p - 3.76138085444", "1.054·E_p - 3.761"),
    ("2.0*cell_volume**2", "2.0·V_cell²"),
    ("cell_volume**0.63333", "V_cell^0.6333"),
])
def test_display_formula_uses_symbols_and_four_digits(expression, expected):
    symbols = {"E_p": "E_p", "cell_volume": "V_cell", "fusion_heat_min": "ΔH_fus_min"}
    assert display_formula(expression, NAMES, symbols) == expected


def test_mathtext_renders_offline(tmp_path):
    text = formula_mathtext("exp(-cell_volume) + Abs(E_p - 3.0) + sqrt(fusion_heat_min)", NAMES,
                            {"E_p": "E_p", "cell_volume": "V_cell", "fusion_heat_min": "ΔH_fus_min"})
    assert render_formula(text, tmp_path / "f.svg") and (tmp_path / "f.svg").read_text().startswith("<?xml")
    assert not render_formula(r"\frac{", tmp_path / "bad.svg") and not (tmp_path / "bad.svg").exists()


def test_code_spans_keep_powers_literal():
    from sagatsr.report.writer import _inline

    assert _inline("**best**: `a**2*b**3`") == "<b>best</b>: <code>a**2*b**3</code>"


def test_coefficients_of_a_model_of_a_transformed_target_say_what_they_multiply(tmp_path):
    # y = sqrt(c·ΔH² + ...): the coefficients belong to a linear model of y², unit GPa²/term
    out = _run_dir(tmp_path)
    formulas = json.loads((out / "formulas.json").read_text())
    formulas[1].update(expression="sqrt(3.5*fusion_heat_min**2/cell_volume**2)", coefficients=[
        {"descriptor": "fusion_heat_min**2/cell_volume**2", "value": 3.5, "outer": "square",
         "user_unit": "GPa ** 2 * Å ** 6 * mol ** 2 / kJ ** 2", "pure_number": False}])
    (out / "formulas.json").write_text(json.dumps(formulas))
    write_report(out)
    markdown = (out / "report.md").read_text()
    assert "a linear model of y²" in markdown and "(target unit)² ÷ term unit" in markdown
    (tmp_path / "plain").mkdir()
    plain = _run_dir(tmp_path / "plain")
    write_report(plain)
    assert "(a linear model of y: unit = target unit ÷ term unit" in (plain / "report.md").read_text()


def test_the_glossary_states_the_selection_rule_of_each_engine_used():
    from sagatsr.report.explain import glossary

    terms = dict(glossary(["julia"]))
    assert "PySR's 'best' rule" in terms["selected formula"]
    both = dict(glossary(["sisso", "julia", "sisso"]))
    assert set(both) >= {"selected formula (sisso)", "selected formula (julia)"} and "selected formula" not in both
