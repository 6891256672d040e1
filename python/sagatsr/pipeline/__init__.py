"""The whole SA-GAT-SR pipeline as resumable steps (``sagatsr run`` / ``sagatsr demo``)."""

from sagatsr.pipeline.config import RunConfig, demo_config
from sagatsr.pipeline.run import run_pipeline

__all__ = ["RunConfig", "demo_config", "run_pipeline"]
