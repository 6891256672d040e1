"""Training of SA-GAT on Lightning (:func:`fit`), its settings (:class:`TrainConfig`) and the saved
model (:class:`TrainedModel`: safe loading, prediction, importance coefficients); ensembles over
seeds (:func:`fit_ensemble`, :class:`TrainedEnsemble`: mean prediction, per-material spread)."""

from sagatsr.training.config import TrainConfig
from sagatsr.training.ensemble import TrainedEnsemble, fit_ensemble
from sagatsr.training.fit import fit
from sagatsr.training.trained import TrainedModel

__all__ = ["TrainConfig", "fit", "fit_ensemble", "TrainedModel", "TrainedEnsemble"]
