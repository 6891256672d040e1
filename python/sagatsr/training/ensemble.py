"""Ensembles of models trained with different seeds: the prediction is their mean, the spread is
reported per material.

For M members with predictions :math:`\\hat y^{(m)}_b`:

.. math::
    \\bar y_b = \\frac1M \\sum_m \\hat y^{(m)}_b, \\qquad
    s_b = \\Big(\\frac1M \\sum_m (\\hat y^{(m)}_b - \\bar y_b)^2\\Big)^{1/2}

(in the target's unit), and the importance coefficients are the members' mean, which still sum
to 1. An ensemble directory holds ``ensemble.json`` and one ordinary model directory per member
(``seed<k>/``, each trained, resumed and loaded like a single model);
:meth:`TrainedModel.load <sagatsr.training.TrainedModel.load>` on it returns a
:class:`TrainedEnsemble`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sagatsr.errors import CheckpointError
from sagatsr.training.trained import TrainedModel

__all__ = ["TrainedEnsemble", "fit_ensemble", "parse_seeds", "ENSEMBLE_FILE"]

ENSEMBLE_FILE = "ensemble.json"
FORMAT = "sagatsr-ensemble"


def parse_seeds(text: str | Sequence[int]) -> list[int]:
    """``"0,1,2"`` (or a list) -> ``[0, 1, 2]``; ``ValueError`` on anything else, on repeats and on
    negative seeds (numpy's generators and Lightning accept only non-negative ones)."""
    parts = [part.strip() for part in text.split(",")] if isinstance(text, str) else list(text)  # "1," fails
    try:
        seeds = [int(part) for part in parts]
    except (TypeError, ValueError):
        seeds = []
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(f"seeds must be distinct non-negative integers, e.g. 0,1,2; got {text!r}")
    return seeds


def member_directory(directory: Path, seed: int) -> Path:
    return Path(directory) / f"seed{seed}"


class TrainedEnsemble(TrainedModel):
    """Members sharing features and target; :meth:`predict` is their mean (see the module docstring).

    ``model`` is the first member's network (for its settings); the ICs and predictions use all.
    """

    def __init__(self, members: Sequence[TrainedModel], seeds: Sequence[int], directory=None) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one member")
        first = members[0]
        super().__init__(first.model, crystal_names=first.crystal_names, site_names=first.site_names,
                         crystal_units=first.crystal_units, target=first.target, train_config=first.train_config,
                         directory=directory)
        self.members, self.seeds = list(members), list(seeds)

    def predict_members(self, graphs: Sequence, batch_size: int = 256) -> np.ndarray:
        """``[M, n]`` predictions of every member (target unit)."""
        return np.stack([member.predict(graphs, batch_size) for member in self.members])

    def predict(self, graphs: Sequence, batch_size: int = 256) -> np.ndarray:
        return self.predict_members(graphs, batch_size).mean(0)

    def predict_with_spread(self, graphs: Sequence, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, standard deviation over members)`` per material, in the target's unit."""
        values = self.predict_members(graphs, batch_size)
        return values.mean(0), values.std(0)

    def _mean_importance(self, method: str, graphs, batch_size):
        arrays = [getattr(TrainedModel, method)(member, graphs, batch_size) for member in self.members]
        mean = sum(array for array in arrays) / len(arrays)
        mean.attrs.update(arrays[0].attrs, ensemble_size=len(arrays))
        return mean.rename(arrays[0].name)

    def crystal_importance(self, graphs: Sequence, batch_size: int = 256):
        return self._mean_importance("crystal_importance", graphs, batch_size)

    def site_importance(self, graphs: Sequence, batch_size: int = 256):
        return self._mean_importance("site_importance", graphs, batch_size)

    def save(self, directory: str | Path) -> Path:
        """Write every member to ``seed<k>/`` and ``ensemble.json``."""
        from sagatsr.io import prepare_output_dir, write_json

        directory = prepare_output_dir(directory)
        for member, seed in zip(self.members, self.seeds):
            member.save(member_directory(directory, seed))
        write_json(directory / ENSEMBLE_FILE, {"format": FORMAT, "format_version": 1, "seeds": self.seeds,
                                               "members": [f"seed{s}" for s in self.seeds]})
        self.directory = directory
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> TrainedEnsemble:
        directory = Path(directory)
        path = directory / ENSEMBLE_FILE
        try:
            payload = json.loads(path.read_text())
            seeds, names = [int(s) for s in payload["seeds"]], list(payload["members"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"{path} is not a readable sagatsr ensemble description ({exc})") from None
        if payload.get("format") != FORMAT or len(seeds) != len(names):
            raise CheckpointError(f"{path} is not a sagatsr ensemble description (format != {FORMAT!r})")
        members = [TrainedModel.load(directory / name) for name in names]
        return cls(members, seeds, directory=directory)


def fit_ensemble(train_graphs: Sequence, val_graphs: Sequence | None, out_dir: str | Path, config,
                 seeds: Sequence[int], **fit_options) -> TrainedEnsemble:
    """One :func:`~sagatsr.training.fit` per seed (same data, ``config`` with that seed) into
    ``out_dir/seed<k>``, then ``ensemble.json``. Each member resumes or reloads on its own."""
    from sagatsr.io import prepare_output_dir, write_json
    from sagatsr.training.fit import fit

    seeds = parse_seeds(seeds)
    out_dir = prepare_output_dir(out_dir)
    members = [fit(train_graphs, val_graphs, member_directory(out_dir, seed), dataclasses.replace(config, seed=seed),
                   **fit_options) for seed in seeds]
    write_json(out_dir / ENSEMBLE_FILE, {"format": FORMAT, "format_version": 1, "seeds": seeds,
                                         "members": [f"seed{s}" for s in seeds]})
    return TrainedEnsemble(members, seeds, directory=out_dir)
