"""report/writer.py directly: metrics computed by hand, published baselines with their source, and
HTML that escapes whatever text a dataset or a formula brings (no markup injection)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sagatsr.report.baselines import published_baselines
from sagatsr.report.writer import _html, collect_metrics


def test_metrics_are_the_hand_computed_maes(tmp_path):
    # train targets 1, 2, 3 -> mean 2; test targets 4 and 6, both predicted 5
    pd.DataFrame({"id": list("abcdef"), "split": ["train", "train", "train", "val", "test", "test"],
                  "target": [1.0, 2.0, 3.0, 9.0, 4.0, 6.0], "e_p": [0.0, 0.0, 0.0, 0.0, 5.0, 5.0]}
                 ).to_csv(tmp_path / "predictions.csv", index=False)
    (tmp_path / "formulas.json").write_text(json.dumps([
        {"mode": "features", "best": True, "test": {"mae": 0.25}},
        {"mode": "features", "best": False, "test": {"mae": 9.0}},
        {"mode": "gnn+features", "best": True, "test": None}]))
    metrics = collect_metrics(tmp_path)
    assert metrics["n_train"] == 3 and metrics["n_val"] == 1 and metrics["n_test"] == 2
    assert metrics["gnn_test_mae"] == pytest.approx((1 + 1) / 2)  # |5-4|, |5-6|
    assert metrics["mean_predictor_test_mae"] == pytest.approx((2 + 4) / 2)  # |2-4|, |2-6|: the val row is not used
    assert metrics["formula_features_test_mae"] == 0.25  # only the selected formula counts
    assert "formula_gnn+features_test_mae" not in metrics  # no test score, nothing invented


def test_published_baselines_only_for_their_task():
    # Matbench v0.1 leaderboard (matbench_perovskites, mean MAE over the 5 official folds, eV/cell):
    # Dummy 0.5660, CGCNN 0.0452, ALIGNN 0.0288; quoted in ../shared/data/README.md
    numbers = published_baselines("../shared/data/matbench_perovskites/targets.csv", "e_form")
    assert numbers["mean predictor"] == 0.5660 and numbers["CGCNN"] == 0.0452 and numbers["ALIGNN"] == 0.0288
    assert published_baselines("../shared/data/matbench_perovskites/targets.csv", "other") == {}
    assert published_baselines("demo", "bulk_modulus") == {}


def test_html_escapes_text_from_data_and_formulas():
    hostile = "<script>alert(1)</script>"
    markdown = "\n".join([f"# Report for {hostile}", "", f"Target {hostile} & more", "",
                          "| feature | unit |", "|---|---|", f"| {hostile} | <b>eV</b> |",
                          f"- formula `x<y && {hostile}`", f"> note {hostile}",
                          f'![caption "quoted" {hostile}](plot.png?a=1&b=<2>)'])
    page = _html(markdown, title=f"run {hostile}")
    assert "<script>" not in page and "<b>eV</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>run &lt;script&gt;" in page
    assert "<code>x&lt;y &amp;&amp; &lt;script&gt;" in page  # code spans escaped too
    assert 'src="plot.png?a=1&amp;b=&lt;2&gt;"' in page and "&quot;quoted&quot;" in page
