"""Published reference numbers shown beside a run's metrics when its data is a known benchmark."""

from __future__ import annotations

__all__ = ["published_baselines"]

# Matbench v0.1 matbench_perovskites, mean test MAE over the 5 official folds, eV per cell
# (Dunn et al., npj Comput. Mater. 6, 138 (2020) and the Matbench leaderboard).
_MATBENCH_PEROVSKITES = {
    "mean predictor": 0.5660,
    "RF-SCM/Magpie": 0.2355,
    "MODNet": 0.0908,
    "CGCNN": 0.0452,
    "MEGNet": 0.0352,
    "SchNet": 0.0342,
    "ALIGNN": 0.0288,
    "coGN (record)": 0.0269,
}


def published_baselines(source: str, target: str | None) -> dict[str, float]:
    """Published test MAEs for (data source, target), or ``{}`` when the pair is not a known task.

    The numbers are for the official 5-fold protocol; a ``sagatsr run`` uses its own random split,
    so they are a scale for comparison, not a like-for-like result.
    """
    if "matbench_perovskites" in str(source) and target == "e_form":
        return dict(_MATBENCH_PEROVSKITES)
    return {}
