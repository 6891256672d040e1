"""Screening of crystal features by their SAE importance coefficients (rank, top-k, export, chart)."""

from sagatsr.screening.importance import plot_importance, rank_features, save_importance, top_k

__all__ = ["rank_features", "top_k", "plot_importance", "save_importance"]
