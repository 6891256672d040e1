"""The run report: ``report.md`` and a self-contained ``report.html`` (figures beside it, no network
needed to view), built only from the files a run directory holds, so it can be rebuilt.

What a materials scientist reads: the target and its unit; test MAE of the network, the mean
predictor and each mode's selected formula (the same metric as the plots); the IC ranking with
unstable ranks marked; each mode's Pareto front with formulas typeset (SVG, matplotlib mathtext),
4 significant digits and the features' display symbols; each selected formula's coefficients with
their units in the inputs' own units; a key of every variable (symbol, unit, description); one
sentence on each term; and the Julia notice once.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.io import write_text
from sagatsr.report.baselines import published_baselines
from sagatsr.report.explain import MODE_SENTENCES, glossary, julia_notice
from sagatsr.report.plots import parity_plot
from sagatsr.units import parse_unit, pretty_unit

__all__ = ["write_report", "collect_metrics", "identical_fronts"]

MODES = ("gnn+features", "features")
_PURE = {True: "pure numbers", False: "carry units"}


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


def identical_fronts(formulas: list[dict]) -> bool:
    """True when both modes returned the same formulas (E_p was never worth using)."""
    fronts = [sorted((f["complexity"], f["expression"]) for f in formulas if f["mode"] == m) for m in MODES]
    return bool(fronts[0]) and fronts[0] == fronts[1]


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _unit(unit: str) -> str:
    return pretty_unit(unit) or "–"


def _formula_cell(out: Path, record: dict, symbols: dict, key: str) -> str:
    """An SVG of the typeset formula whose alt text is the Unicode form (text if it cannot be drawn)."""
    from sagatsr.report.formula_render import display_formula, formula_mathtext, render_formula

    names = record["offered"]
    text = display_formula(record["expression"], names, symbols)
    path = out / "formulas" / f"{key}.svg"
    path.parent.mkdir(exist_ok=True)
    if render_formula(formula_mathtext(record["expression"], names, symbols), path):
        return f"![{text}](formulas/{path.name})"
    return f"`{text}`"


def _coefficient_lines(record: dict, symbols: dict) -> list[str]:
    """The selected formula's coefficients, each with its unit in the inputs' own units."""
    from sagatsr.report.formula_render import display_formula

    rows = []
    for coef in record.get("coefficients") or []:
        term = "intercept" if coef["descriptor"] == "1" else \
            display_formula(coef["descriptor"], record["offered"], symbols)
        unit = "pure number" if coef.get("pure_number") else _unit(coef.get("user_unit", coef.get("units", "")))
        rows.append([f"`{term}`", f"{coef['value']:.4g}", unit])
    if not rows:
        return []
    outer = next((c["outer"] for c in record["coefficients"] if c.get("outer")), None)
    of = _OUTER_TARGET.get(outer, "target unit")
    lead = (f"Coefficients of the selected formula (a linear model of {_OUTER_TARGET_OF.get(outer, 'y')}: "
            f"unit = {of} ÷ term unit, in the inputs' own units):")
    if any("term_user_unit" in c for c in record["coefficients"]):  # a free tree (Julia)
        lead = ("Constants of the selected formula (unit = the unit their place in the formula needs "
                "÷ the unit of the term they multiply, in the inputs' own units):")
    return [lead, "", *_table(["term", "coefficient", "unit"], rows), ""]


#: models of a transformed target (sagatsr.sr.sisso.outer): what the coefficients' units refer to
_OUTER_TARGET_OF = {"square": "y²", "inverse": "1/y", "inverse_square": "1/y²", "log": "ln y"}
_OUTER_TARGET = {"square": "(target unit)²", "inverse": "1/target unit", "inverse_square": "1/(target unit)²",
                 "log": "1 (the constant term is ln of a value in the target unit)"}


def _formula_sections(out: Path, formulas: list[dict], symbols: dict) -> list[str]:
    lines = []
    notice = julia_notice([n for f in formulas for n in f.get("notes") or []])
    if notice:
        lines += [f"> {notice}", ""]
    same = identical_fronts(formulas)
    modes = MODES[:1] if same else MODES
    if same:
        lines += ["Both modes returned the same formulas (none uses E_p), so the front is shown once.", ""]
    for mode in modes:
        front = sorted((f for f in formulas if f["mode"] == mode), key=lambda f: f["complexity"])
        if not front:
            continue
        title = "both modes" if same else mode
        lines += [f"### {title} (engine: {front[0]['backend']})", "", MODE_SENTENCES[mode], ""]
        rows = [["**selected**" if f["best"] else "", f["complexity"],
                 f"{f['test']['mae']:.4g}" if f.get("test") else "–",
                 _formula_cell(out, f, symbols, f"{mode.replace('+', '_')}_{k}"), _unit(f["units"]),
                 _PURE.get(f.get("pure_number_coefficients"), "–")]
                for k, f in enumerate(front)]
        lines += _table(["", "complexity", "test MAE", "formula", "unit", "coefficients"], rows) + [""]
        lines += _coefficient_lines(next(f for f in front if f["best"]), symbols)
    return lines


def _key(formulas: list[dict], table: dict) -> list[str]:
    used = sorted({v for f in formulas for v in f.get("inputs", [])}, key=lambda n: (n != "E_p", n))
    rows = [[f"`{table[n][0]}`", f"`{n}`", _unit(table[n][1]), table[n][2]] for n in used]
    return ["## Key of the variables", "", *_table(["symbol", "name", "unit", "description"], rows), ""]


def _markdown(out: Path) -> str:
    from sagatsr.report.formula_render import variable_symbols

    cfg = json.loads((out / "config.json").read_text())
    data = json.loads((out / "dataset.json").read_text())
    unit = data.get("target_unit") or "dimensionless"
    shown_unit = pretty_unit(unit) or "dimensionless"
    metrics = collect_metrics(out)
    steps = json.loads((out / "steps.json").read_text())
    ranking = pd.read_csv(out / "importance.csv").sort_values("rank")
    formulas = json.loads((out / "formulas.json").read_text())
    table = variable_symbols(sorted({n for f in formulas for n in f["offered"]} | set(ranking["feature"])), unit)
    symbols = {n: v[0] for n, v in table.items()}
    seed = cfg.get("seed", cfg.get("train", {}).get("seed"))
    top_k = cfg["top_k"]

    lines = [f"# sagatsr run: {data['target']} ({shown_unit})", "",
             f"Data: `{data['source']}` — {data['n_materials']} materials "
             f"({data['n_skipped']} skipped, see `skipped.csv`); split train/val/test = "
             f"{metrics['n_train']}/{metrics['n_val']}/{metrics['n_test']} (seed {seed}). "
             f"Target unit: {shown_unit}.", "", "## How to read this report", ""]
    lines += [f"- **{term}**: {sentence}" for term, sentence in glossary(f["backend"] for f in formulas)] + [""]
    lines += ["## Accuracy on the test rows", ""]
    rows = [["SA-GAT (this run)", f"{metrics['gnn_test_mae']:.4g}"],
            ["mean predictor (this run)", f"{metrics['mean_predictor_test_mae']:.4g}"]]
    rows += [[f"selected formula, {mode}", f"{metrics[f'formula_{mode}_test_mae']:.4g}"]
             for mode in MODES if f"formula_{mode}_test_mae" in metrics]
    rows += [[f"{name} (published, official 5-fold protocol)", f"{mae:.4g}"]
             for name, mae in published_baselines(data["source"], data["target"]).items()]
    lines += _table(["model", f"test MAE ({shown_unit})"], rows)
    candidates = ranking[ranking["sr_candidate"].astype(bool)] if "sr_candidate" in ranking else ranking
    shown = candidates.head(max(top_k, 10))  # SR candidates only: no flags, no extensive features (issue 14)
    lines += ["", "![parity plot](parity.png)", "",
              f"## Feature importance (top {len(shown)} of {len(candidates)} SR candidates by mean IC; "
              f"rank among all {len(ranking)} features)", "",
              f"The {top_k} highest-ranked SR candidates, together with the features SIS finds on the fitting "
              "rows, go to symbolic regression (see \"Features offered\" below; `formulas.json` lists them "
              "under `offered`). * marks an unstable rank (std > mean).", ""]
    lines += _table(["rank", "symbol", "feature", "unit", "mean IC", "std IC"],
                    [[f"{int(r['rank'])}{' *' if r['std_ic'] > r['mean_ic'] else ''}",
                      f"`{symbols.get(r['feature'], r['feature'])}`", f"`{r['feature']}`", _unit(str(r["unit"])),
                      f"{r['mean_ic']:.4f}", f"{r['std_ic']:.4f}"] for _, r in shown.iterrows()])
    lines += ["", "![importance](importance.png)", ""]
    from sagatsr.report.yardstick import yardstick_lines
    from sagatsr.screening.diagnostics import stability_lines

    lines += stability_lines(out)  # IC stability and agreement with permutation importance
    lines += ["## Formulas", ""]
    lines += _formula_sections(out, formulas, symbols)
    lines += yardstick_lines(out, formulas)  # the one-descriptor yardstick, E_p use, why features were offered
    lines += ["![Pareto fronts: test MAE against complexity](pareto.png)", ""]
    lines += _key(formulas, table)
    lines += ["## Steps", ""]
    lines += _table(["step", "seconds"], [[name, entry.get("seconds")] for name, entry in steps.items()])
    return "\n".join(lines) + "\n"


def _html(markdown: str, title: str) -> str:
    """A small markdown-to-HTML for what ``_markdown`` emits (tables, headings, lists, images, quotes)."""
    body, table, items = [], [], []

    def flush():
        if table:
            head, *rest = table
            body.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr>"
                        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rest)
                        + "</table>")
            table.clear()
        if items:
            body.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [_inline(c.strip()) for c in line.strip().strip("|").split(" | ")]
            if not set(line) <= set("|-"):
                table.append(cells)
            continue
        if line.startswith("- "):
            items.append(_inline(line[2:]))
            continue
        flush()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line.lstrip('# '))}</h{level}>")
        elif line.startswith("> "):
            body.append(f"<blockquote>{_inline(line[2:])}</blockquote>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    flush()
    style = ("body{font-family:sans-serif;max-width:64em;margin:2em auto;line-height:1.4}"
             "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
             "vertical-align:middle}img{max-width:100%}code{background:#f3f3f3}"
             "blockquote{border-left:4px solid #e0a800;background:#fff8e1;margin:1em 0;padding:0.5em 1em}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def _inline(text: str) -> str:
    """Images, bold and code spans of one line of our markdown, everything else escaped."""
    parts, last = [], 0
    for match in _IMAGE.finditer(text):
        parts.append(_marks(text[last:match.start()]))
        parts.append(f'<img alt="{html.escape(match.group(1))}" title="{html.escape(match.group(1))}" '
                     f'src="{html.escape(match.group(2))}">')
        last = match.end()
    parts.append(_marks(text[last:]))
    return "".join(parts)


def _marks(text: str) -> str:
    """Code spans first (their text is literal: ``a**2`` stays), then bold in the rest."""
    pieces = text.split("`")
    out = []
    for i, piece in enumerate(pieces):
        escaped = html.escape(piece, quote=False)
        if i % 2:
            out.append(f"<code>{escaped}</code>")
        else:
            bold = escaped.split("**")
            out.append("".join(p if k % 2 == 0 else f"<b>{p}</b>" for k, p in enumerate(bold)))
    return "".join(out)


def write_report(out: Path) -> Path:
    """Write ``parity.png``, ``formulas/*.svg``, ``report.md`` and ``report.html`` into the run directory."""
    out = Path(out)
    data = json.loads((out / "dataset.json").read_text())
    unit = data.get("target_unit") or ""
    parity_plot(pd.read_csv(out / "predictions.csv"), out / "parity.png", target=data["target"],
                unit=pretty_unit(unit) if unit and not parse_unit(unit).dimensionless else "")
    markdown = _markdown(out)
    write_text(out / "report.md", markdown)
    write_text(out / "report.html", _html(markdown, f"sagatsr: {data['target']}"))
    return out / "report.html"
