"""Run reports: figures, Markdown and offline HTML built from a run directory's files."""

from sagatsr.report.baselines import published_baselines
from sagatsr.report.writer import collect_metrics, write_report

__all__ = ["write_report", "collect_metrics", "published_baselines"]
