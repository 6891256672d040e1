"""Training of SA-GAT on Lightning (:func:`fit`), its settings (:class:`TrainConfig`) and the saved
model (:class:`TrainedModel`: safe loading, prediction, importance coefficients)."""

from sagatsr.training.config import TrainConfig
from sagatsr.training.fit import fit
from sagatsr.training.trained import TrainedModel

__all__ = ["TrainConfig", "fit", "TrainedModel"]
