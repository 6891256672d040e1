"""Report figures (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.io import atomic_target

__all__ = ["parity_plot", "pareto_plot"]

_SPLIT_STYLE = {"train": ("#9aa5b1", 12), "val": ("#2b7bba", 22), "test": ("#d7301f", 26)}
_MODE_STYLE = {"gnn+features": ("#2b7bba", "o"), "features": ("#d7301f", "s")}


def _figure(width=4.8, height=4.2):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, *plt.subplots(figsize=(width, height), dpi=120)


def parity_plot(predictions: pd.DataFrame, path: Path, *, target: str, unit: str) -> None:
    """Predicted vs DFT target for train / validation / test rows, with each split's MAE."""
    plt, fig, ax = _figure()
    for split, (color, size) in _SPLIT_STYLE.items():
        rows = predictions[predictions["split"] == split]
        if rows.empty:
            continue
        mae = np.mean(np.abs(rows["e_p"] - rows["target"]))
        ax.scatter(rows["target"], rows["e_p"], s=size, c=color, alpha=0.75, edgecolors="none",
                   label=f"{split} (n={len(rows)}, MAE {mae:.3g})")
    lo = float(min(predictions["target"].min(), predictions["e_p"].min()))
    hi = float(max(predictions["target"].max(), predictions["e_p"].max()))
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
    suffix = f" ({unit})" if unit and unit != "dimensionless" else ""
    ax.set_xlabel(f"DFT {target}{suffix}")
    ax.set_ylabel(f"SA-GAT prediction E_p{suffix}")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    with atomic_target(path) as tmp:
        fig.savefig(tmp)
    plt.close(fig)


def pareto_plot(records: list[dict], path: Path, *, unit: str) -> None:
    """Complexity vs test MAE (the metric of the report's tables; training RMSE only when there is no
    test score) for each SR mode. Identical fronts are drawn once and the legend says so."""
    from sagatsr.report.writer import identical_fronts

    plt, fig, ax = _figure(5.4, 3.8)
    same = identical_fronts(records)
    has_test = all(r.get("test") for r in records)
    for mode, (color, marker) in _MODE_STYLE.items():
        rows = sorted((r for r in records if r["mode"] == mode), key=lambda r: r["complexity"])
        if not rows or (same and mode != "gnn+features"):
            continue
        err = [r["test"]["mae"] if has_test else float(np.sqrt(r["loss"])) for r in rows]
        label = "both modes (identical fronts)" if same else mode
        ax.plot([r["complexity"] for r in rows], err, marker=marker, color=color, label=label)
        for r, e in zip(rows, err):
            if r.get("best"):
                ax.scatter([r["complexity"]], [e], s=140, facecolors="none", edgecolors="k", zorder=3)
    ax.set_xlabel("complexity (size of the formula)")
    suffix = f" ({unit})" if unit and unit != "dimensionless" else ""
    ax.set_ylabel(("test MAE" if has_test else "training RMSE") + suffix)
    ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda value, _: f"{value:.3g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.tick_params(axis="y", which="minor", labelsize=7)
    ax.set_title("Pareto fronts (circled: selected formula)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_target(path) as tmp:
        fig.savefig(tmp)
    plt.close(fig)
