"""A trained crystal model on disk: safe loading, batched prediction and importance coefficients.

A model directory holds ``model.pt`` (a plain ``state_dict`` of tensors, read with
``torch.load(..., weights_only=True)`` so nothing is ever unpickled as code) and
``model_config.json`` (``model_class``, the name of a :class:`~sagatsr.model.base.CrystalModel`,
and ``model``, its hyper-parameters; feature names and units; target). Format 1 (earlier
versions) had no ``model_class`` and always meant SA-GAT. Lightning checkpoints (``best.ckpt``,
``last.ckpt``) beside them serve only to resume training.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from sagatsr.errors import CheckpointError, InputError
from sagatsr.model.base import CrystalModel, build_model

__all__ = ["TrainedModel", "check_graphs", "WEIGHTS_FILE", "CONFIG_FILE"]

FORMAT = "sagatsr-sagat"
FORMAT_VERSION = 2
WEIGHTS_FILE = "model.pt"
CONFIG_FILE = "model_config.json"


def _material_id(graph, k: int) -> str:
    return str(getattr(graph, "material_id", None) or f"material-{k}")


def check_graphs(graphs: Sequence, num_site: int | None = None, num_crystal: int | None = None,
                 num_edge: int | None = None, *, need_target: bool = False,
                 fields: Sequence[str] = ("x", "u", "edge_index", "edge_attr", "edge_rank")) -> None:
    """Raise :class:`InputError` naming the material whose graph does not fit the model."""
    if len(graphs) == 0:
        raise InputError("no graphs given")
    for k, graph in enumerate(graphs):
        mid = _material_id(graph, k)
        for field in fields:
            if getattr(graph, field, None) is None:
                raise InputError(f"graph has no '{field}' (build graphs with this version's "
                                 "CrystalGraphBuilder; clear an older graph cache)", item=mid)
        widths = (("site features", graph.x.size(-1), num_site), ("crystal features", graph.u.size(-1), num_crystal),
                  ("edge features", graph.edge_attr.size(-1), num_edge))
        for what, got, want in widths:
            if want is not None and got != want:
                raise InputError(f"graph has {got} {what}, the model expects {want} (built with another "
                                 "feature space or graph builder?)", item=mid)
        if not (torch.isfinite(graph.x).all() and torch.isfinite(graph.u).all()):
            raise InputError("graph has non-finite features", item=mid)
        if need_target and (getattr(graph, "y", None) is None or not torch.isfinite(graph.y).all()):
            raise InputError("graph has no finite target value y", item=mid)


class TrainedModel:
    """A :class:`~sagatsr.model.base.CrystalModel` with its feature names, units and target description."""

    def __init__(self, model: CrystalModel, *, crystal_names: Sequence[str], site_names: Sequence[str] | None = None,
                 crystal_units: Sequence[str] | None = None, target: dict | None = None,
                 train_config: dict | None = None, directory: str | Path | None = None) -> None:
        self.model = model.eval()
        self.crystal_names = list(crystal_names)
        self.site_names = list(site_names) if site_names is not None else \
            [f"site_{k}" for k in range(model.input_widths[0])]
        self.crystal_units = list(crystal_units) if crystal_units is not None else None
        self.target = dict(target or {})
        self.train_config = dict(train_config or {})
        self.directory = Path(directory) if directory is not None else None

    # ---- persistence -------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write ``model.pt`` and ``model_config.json`` into ``directory``, each atomically."""
        from sagatsr.io import atomic_target, prepare_output_dir, write_json

        directory = prepare_output_dir(directory)
        with atomic_target(directory / WEIGHTS_FILE) as tmp:
            torch.save({k: v.detach().cpu() for k, v in self.model.state_dict().items()}, tmp)
        description = self.model.description()
        payload = {"format": FORMAT, "format_version": FORMAT_VERSION, "model_class": description["class"],
                   "model": description["args"],
                   "crystal_names": self.crystal_names, "site_names": self.site_names,
                   "crystal_units": self.crystal_units, "target": self.target, "train_config": self.train_config}
        write_json(directory / CONFIG_FILE, payload, default=str)
        self.directory = directory
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> TrainedModel:
        """Load a model directory written by :func:`~sagatsr.training.fit` (or :meth:`save`); on an
        ensemble directory (``ensemble.json``) a :class:`~sagatsr.training.ensemble.TrainedEnsemble`."""
        directory = Path(directory)
        if cls is TrainedModel and (directory / "ensemble.json").is_file():
            from sagatsr.training.ensemble import TrainedEnsemble

            return TrainedEnsemble.load(directory)
        config_path, weights_path = directory / CONFIG_FILE, directory / WEIGHTS_FILE
        for path in (config_path, weights_path):
            if not path.is_file():
                raise CheckpointError(f"{path} not found: {directory} is not a trained sagatsr model directory"
                                      + _what_it_is(directory))
        try:
            payload = json.loads(config_path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CheckpointError(f"{config_path} is not valid JSON ({exc})") from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise CheckpointError(f"{config_path} is not a sagatsr model description (format != {FORMAT!r})")
        if payload.get("format_version", 0) > FORMAT_VERSION:
            raise CheckpointError(f"{config_path} was written by a newer sagatsr (format version "
                                  f"{payload.get('format_version')}); upgrade sagatsr")
        try:
            state = torch.load(weights_path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - any failure means an unusable file
            raise CheckpointError(f"{weights_path} is corrupt or not a plain weights file "
                                  f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None
        if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
            raise CheckpointError(f"{weights_path} does not hold a state dict of tensors")
        try:
            args = dict(payload["model"])
            widths = [args.pop(name) for name in ("num_site_features", "num_crystal_features", "num_edge_features")]
            model = build_model(payload.get("model_class", "SAGAT"), widths, args)
            model.load_state_dict(state, strict=True)
        except (TypeError, KeyError, RuntimeError, ValueError) as exc:
            raise CheckpointError(f"{weights_path} does not match the architecture in {config_path} "
                                  f"({str(exc).splitlines()[0][:300]}); retrain it with this sagatsr") from None
        return cls(model, crystal_names=payload.get("crystal_names") or [], site_names=payload.get("site_names"),
                   crystal_units=payload.get("crystal_units"), target=payload.get("target"),
                   train_config=payload.get("train_config"), directory=directory)

    # ---- inference ---------------------------------------------------------------------------
    def _run(self, graphs: Sequence, batch_size: int):
        from torch_geometric.loader import DataLoader

        check_graphs(graphs, *self.model.input_widths, fields=self.model.required_graph_fields)
        device = next(self.model.parameters()).device
        self.model.eval()
        with torch.no_grad():
            for batch in DataLoader(list(graphs), batch_size=batch_size, shuffle=False):
                yield batch, self.model.predict_with_importance(batch.to(device))

    def predict(self, graphs: Sequence, batch_size: int = 256) -> np.ndarray:
        """Predictions in the target's unit, one per graph (float64)."""
        return np.concatenate([out[0].cpu().double().numpy() for _, out in self._run(graphs, batch_size)])

    def _require_ics(self) -> None:
        if not self.model.has_importance:
            encoding = getattr(self.model, "encoding", None)
            raise InputError("importance coefficients need a model that has them (SA-GAT: encoding='sae'); "
                             + (f"this model uses '{encoding}'" if encoding else f"{type(self.model).__name__} has none"))

    def crystal_importance(self, graphs: Sequence, batch_size: int = 256):
        """Crystal-feature ICs as ``xarray.DataArray`` (material × feature); rows sum to 1."""
        import xarray as xr

        self._require_ics()
        ics = np.concatenate([out[2].cpu().double().numpy() for _, out in self._run(graphs, batch_size)])
        coords = {"material": [_material_id(g, k) for k, g in enumerate(graphs)], "feature": self.crystal_names}
        if self.crystal_units is not None:
            coords["unit"] = ("feature", self.crystal_units)
        return xr.DataArray(ics, dims=("material", "feature"), coords=coords, name="crystal_ic",
                            attrs={"description": "importance coefficients of the crystal SAE",
                                   "units": "dimensionless"})

    def site_importance(self, graphs: Sequence, batch_size: int = 256):
        """Site-feature ICs as ``xarray.DataArray`` (site × feature), with the material of each site."""
        import xarray as xr

        self._require_ics()
        ics = np.concatenate([out[1].cpu().double().numpy() for _, out in self._run(graphs, batch_size)])
        materials = [_material_id(g, k) for k, g in enumerate(graphs) for _ in range(g.num_nodes)]
        site_index = [i for g in graphs for i in range(g.num_nodes)]
        return xr.DataArray(ics, dims=("site", "feature"), name="site_ic",
                            coords={"material": ("site", materials), "site_index": ("site", site_index),
                                    "feature": self.site_names},
                            attrs={"description": "importance coefficients of the site SAE",
                                   "units": "dimensionless"})


def _what_it_is(directory: Path) -> str:
    """A hint for a folder that is not a model but points to one: a run of ``sagatsr run`` (its
    model is in ``model/``) or a training that has not finished."""
    if (directory / "model" / CONFIG_FILE).is_file() or (directory / "model" / "ensemble.json").is_file():
        return f" (it is a run folder: its model is {directory / 'model'})"
    if (directory / "run_config.json").is_file() or (directory / "last.ckpt").is_file():
        return " (a training there has not finished: rerun its `sagatsr train` command to resume it)"
    return ""
