"""Feature screening from importance coefficients: ranking with units, top-k, export and chart.

For ICs :math:`a_{mi}` of material :math:`m` and feature :math:`i` (rows sum to 1), the ranking
statistic is the dataset mean :math:`\\bar a_i = \\frac1M \\sum_m a_{mi}` (the paper's choice),
reported with the standard deviation over materials; rank 1 = largest mean IC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.errors import InputError

__all__ = ["rank_features", "top_k", "plot_importance", "save_importance"]

COLUMNS = ["feature", "unit", "mean_ic", "std_ic", "rank"]


def _units_for(ic, names: list[str], units) -> list[str]:
    if units is None:
        if "unit" in ic.coords:
            return [str(u) for u in ic.coords["unit"].values]
        return ["?" for _ in names]  # unknown: say so rather than guess
    if isinstance(units, Mapping):
        missing = [n for n in names if n not in units]
        if missing:
            raise InputError(f"no unit given for feature(s) {', '.join(missing[:5])}")
        return [str(units[n]) for n in names]
    units = list(units)
    if len(units) != len(names):
        raise InputError(f"{len(units)} units for {len(names)} features")
    return [str(u) for u in units]


def rank_features(ic, units: Mapping[str, str] | Sequence[str] | None = None) -> pd.DataFrame:
    """Rank features by mean IC over materials.

    Args:
        ic: ``xarray.DataArray`` (material × feature), e.g. from
            :meth:`~sagatsr.training.TrainedModel.crystal_importance`.
        units: feature name -> pint unit (or a list in feature order); default: the ``unit``
            coordinate of ``ic`` when present.

    Returns:
        DataFrame with columns ``feature, unit, mean_ic, std_ic, rank`` sorted by rank (1 = most
        important; ties share the smaller rank).
    """
    if set(ic.dims) != {"material", "feature"}:
        raise InputError(f"importance array must have dims (material, feature), got {ic.dims}")
    values = ic.transpose("material", "feature").values.astype(float)
    if values.shape[0] == 0:
        raise InputError("importance array has no materials")
    names = [str(n) for n in ic.coords["feature"].values]
    table = pd.DataFrame({"feature": names, "unit": _units_for(ic, names, units),
                          "mean_ic": values.mean(axis=0), "std_ic": values.std(axis=0)})
    table["rank"] = table["mean_ic"].rank(ascending=False, method="min").astype(int)
    return table.sort_values(["rank", "feature"], kind="stable").reset_index(drop=True)[COLUMNS]


def top_k(ranking: pd.DataFrame, k: int) -> list[str]:
    """Names of the ``k`` best-ranked features (fewer if the table is shorter)."""
    if k < 1:
        raise InputError(f"top-k needs k ≥ 1, got {k}")
    return ranking.sort_values("rank", kind="stable")["feature"].head(k).tolist()


def plot_importance(ranking: pd.DataFrame, path: str | Path, top: int = 20, title: str | None = None) -> Path:
    """Horizontal bar chart of the ``top`` mean ICs (error bars = std over materials), units in labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = ranking.sort_values("rank", kind="stable").head(top).iloc[::-1]
    labels = [f"{f} [{u}]" if u not in ("dimensionless", "?", "") else f for f, u in zip(shown.feature, shown.unit)]
    # an IC is never negative: the lower bar stops at 0; std > mean marks a rank that is unstable
    # across materials (hatched, "*" in the label)
    unstable = (shown.std_ic > shown.mean_ic).to_numpy()
    labels = [f"{label} *" if flag else label for label, flag in zip(labels, unstable)]
    lower = np.minimum(shown.std_ic.to_numpy(), shown.mean_ic.to_numpy())
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(shown) + 1.2))
    bars = ax.barh(labels, shown.mean_ic, xerr=[lower, shown.std_ic.to_numpy()], color="tab:blue", ecolor="0.4",
                   capsize=2)
    for bar, flag in zip(bars, unstable):
        if flag:
            bar.set_hatch("//")
            bar.set_facecolor("#9ecae1")
    ax.set_xlim(left=0)
    uniform = 1.0 / len(ranking)
    ax.axvline(uniform, color="tab:red", ls="--", lw=1, label=f"uniform 1/{len(ranking)}")
    ax.set_xlabel("mean importance coefficient (± std over materials, clipped at 0; * std > mean)")
    ax.set_title(title or f"Top {len(shown)} crystal features by SAE importance")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def save_importance(ic, ranking: pd.DataFrame, out_dir: str | Path, top: int = 20) -> dict[str, Path]:
    """Write ``importance.csv`` (the ranking), ``importance.nc`` (per-material ICs) and
    ``importance.png`` (bar chart) into ``out_dir``, each atomically; returns their paths."""
    from sagatsr.io import atomic_target

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out_dir / "importance.csv", "netcdf": out_dir / "importance.nc", "png": out_dir / "importance.png"}
    with atomic_target(paths["csv"]) as tmp:
        ranking.to_csv(tmp, index=False)
    data = ic.copy()
    data.coords["material"] = np.asarray([str(m) for m in data.coords["material"].values], dtype=object)
    data.coords["feature"] = np.asarray([str(f) for f in data.coords["feature"].values], dtype=object)
    if "unit" in data.coords:
        data.coords["unit"] = ("feature", np.asarray([str(u) for u in data.coords["unit"].values], dtype=object))
    with atomic_target(paths["netcdf"]) as tmp:
        data.to_dataset(name=ic.name or "ic").to_netcdf(tmp)
    with atomic_target(paths["png"]) as tmp:
        plot_importance(ranking, tmp, top=top)
    return paths
