"""The run report: ``report.md`` and a self-contained ``report.html`` (PNG figures beside it, no
network needed to view), built only from the files a run directory holds, so it can be rebuilt.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.report.baselines import published_baselines
from sagatsr.report.plots import parity_plot
from sagatsr.units import pretty_unit

__all__ = ["write_report", "collect_metrics"]


def collect_metrics(out: Path) -> dict:
    """Test metrics of the GNN, the mean predictor and the best formula of each SR mode."""
    pred = pd.read_csv(out / "predictions.csv")
    train, test = pred[pred["split"] == "train"], pred[pred["split"] == "test"]
    metrics = {
        "n_train": int(len(train)), "n_val": int((pred["split"] == "val").sum()), "n_test": int(len(test)),
        "gnn_test_mae": float(np.mean(np.abs(test["e_p"] - test["target"]))),
        "mean_predictor_test_mae": float(np.mean(np.abs(train["target"].mean() - test["target"]))),
    }
    formulas = json.loads((out / "formulas.json").read_text())
    for record in formulas:
        if record.get("best") and record.get("test"):
            metrics[f"formula_{record['mode']}_test_mae"] = record["test"]["mae"]
    return metrics


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _markdown(out: Path) -> str:
    cfg = json.loads((out / "config.json").read_text())
    data = json.loads((out / "dataset.json").read_text())
    unit = data.get("target_unit") or "dimensionless"
    shown_unit = pretty_unit(unit) or "dimensionless"
    metrics = collect_metrics(out)
    steps = json.loads((out / "steps.json").read_text())
    ranking = pd.read_csv(out / "importance.csv").sort_values("rank")
    formulas = json.loads((out / "formulas.json").read_text())

    lines = [f"# sagatsr run: {data['target']} ({shown_unit})", "",
             f"Data: `{data['source']}` — {data['n_materials']} materials "
             f"({data['n_skipped']} skipped, see `skipped.csv`); split train/val/test = "
             f"{metrics['n_train']}/{metrics['n_val']}/{metrics['n_test']} (seed {cfg.get('seed', cfg.get('train', {}).get('seed'))}).", "",
             "## Accuracy on the test rows", ""]
    rows = [["SA-GAT (this run)", f"{metrics['gnn_test_mae']:.4g}"],
            ["mean predictor (this run)", f"{metrics['mean_predictor_test_mae']:.4g}"]]
    for mode in ("gnn+features", "features"):
        if f"formula_{mode}_test_mae" in metrics:
            rows.append([f"selected formula, {mode}", f"{metrics[f'formula_{mode}_test_mae']:.4g}"])
    for name, mae in published_baselines(data["source"], data["target"]).items():
        rows.append([f"{name} (published, official 5-fold protocol)", f"{mae:.4g}"])
    lines += _table(["model", f"MAE ({shown_unit})"], rows)
    lines += ["", "![parity plot](parity.png)", "",
              f"## Feature importance (top {max(cfg['top_k'], 10)} of {len(ranking)} by mean IC)", "",
              f"The {cfg['top_k']} highest-ranked features that vary on the fitting rows go to symbolic "
              "regression (`formulas.json` lists them under `offered`).", ""]
    lines += _table(["rank", "feature", "unit", "mean IC", "std IC"],
                    [[int(r["rank"]), f"`{r['feature']}`", pretty_unit(str(r["unit"])) or "–",
                      f"{r['mean_ic']:.4f}", f"{r['std_ic']:.4f}"]
                     for _, r in ranking.head(max(cfg["top_k"], 10)).iterrows()])
    lines += ["", "![importance](importance.png)", "", "## Formulas", "",
              "E_p is the SA-GAT prediction made by a model that never saw the row "
              "(out-of-fold for fitting rows, the main model for test rows).", ""]
    for mode in ("gnn+features", "features"):
        front = [f for f in formulas if f["mode"] == mode]
        if not front:
            continue
        backend = front[0]["backend"]
        lines += [f"### {mode} (backend: {backend})", ""]
        for note in front[0].get("notes") or []:
            lines += [f"> {note}", ""]
        lines += _table(["", "complexity", "test MAE", "formula", "units"],
                        [["**selected**" if f["best"] else "", f["complexity"],
                          f"{f['test']['mae']:.4g}" if f.get("test") else "–",
                          f"${f['latex']}$", pretty_unit(f["units"]) or "–"] for f in front])
        lines.append("")
    lines += ["![Pareto fronts](pareto.png)", "", "## Steps", ""]
    lines += _table(["step", "seconds"], [[name, entry.get("seconds")] for name, entry in steps.items()])
    return "\n".join(lines) + "\n"


def _html(markdown: str, title: str) -> str:
    """A small markdown-to-HTML for what ``_markdown`` emits (tables, headings, images, quotes)."""
    body, table = [], []

    def flush():
        if table:
            head, *rest = table
            body.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr>"
                        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rest)
                        + "</table>")
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [_inline(c.strip()) for c in line.strip("|").split("|")]
            if not set(line) <= set("|-"):
                table.append(cells)
            continue
        flush()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line.lstrip('# '))}</h{level}>")
        elif line.startswith("!["):
            alt, src = line[2:].split("](")
            body.append(f'<img alt="{html.escape(alt)}" src="{html.escape(src.rstrip(")"))}">')
        elif line.startswith("> "):
            body.append(f"<blockquote>{_inline(line[2:])}</blockquote>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    flush()
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:3px 8px}img{max-width:100%}code{background:#f3f3f3}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _inline(text: str) -> str:
    out = html.escape(text)
    for mark, tag in (("**", "b"), ("`", "code"), ("$", "code")):
        parts = out.split(mark)
        out = "".join(p if i % 2 == 0 else f"<{tag}>{p}</{tag}>" for i, p in enumerate(parts))
    return out


def write_report(out: Path) -> Path:
    """Write ``parity.png``, ``report.md`` and ``report.html`` into the run directory ``out``."""
    out = Path(out)
    data = json.loads((out / "dataset.json").read_text())
    parity_plot(pd.read_csv(out / "predictions.csv"), out / "parity.png",
                target=data["target"], unit=pretty_unit(data.get("target_unit") or ""))
    markdown = _markdown(out)
    (out / "report.md").write_text(markdown)
    (out / "report.html").write_text(_html(markdown, f"sagatsr: {data['target']}"))
    return out / "report.html"
