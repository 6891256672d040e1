"""The model contract: what training, saving and screening need from "a crystal model with
importance coefficients" (the pattern of matgl's model base: arguments recorded once, saved with
the class name, rebuilt by name).

A :class:`CrystalModel` maps a batch of crystal graphs (fields of
:class:`~sagatsr.graphs.CrystalGraphBuilder`) to

.. math::
    \\hat z_b \\ (\\text{standardised prediction}), \\qquad
    \\mathbf{a}^{\\text{site}}_i \\in \\Delta^{n_\\text{site}-1}, \\qquad
    \\mathbf{a}^{\\text{crystal}}_b \\in \\Delta^{n_\\text{crystal}-1}

through :meth:`~CrystalModel.encode` (the ICs may be ``None``: a model without importance
coefficients still trains and predicts, only screening refuses it). Predictions in the target's
unit are :math:`\\hat y_b = \\mu_y + \\sigma_y \\hat z_b`, with the training-target mean
:math:`\\mu_y` and standard deviation :math:`\\sigma_y` kept as buffers (``target_mean``,
``target_std``) and fitted by :meth:`~CrystalModel.fit_normalization`.

Every subclass is constructed as ``Model(num_site_features, num_crystal_features,
num_edge_features, **hyper_parameters)``. The bound arguments of that call are recorded in
``model.config`` automatically (one list of hyper-parameters: the signature), and
:meth:`~CrystalModel.description` / :func:`build_model` turn ``{"class": name, "args": config}``
into the same architecture again. Subclasses register themselves by class name.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = ["CrystalModel", "build_model", "model_class", "model_hyper_parameters", "MODEL_CLASSES"]

MODEL_CLASSES: dict[str, type[CrystalModel]] = {}
WIDTH_ARGUMENTS = ("num_site_features", "num_crystal_features", "num_edge_features")


class CrystalModel(nn.Module):
    """Base class of sagatsr's graph models (see the module docstring for the contract).

    Subclasses implement :meth:`encode` and may extend :meth:`fit_normalization` (call
    ``super().fit_normalization(graphs)`` for the target scaling), :attr:`has_importance` and
    :attr:`required_graph_fields`.
    """

    config: dict

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        original = cls.__init__
        signature = inspect.signature(original)
        missing = [name for name in WIDTH_ARGUMENTS if name not in signature.parameters]
        if missing:
            raise TypeError(f"{cls.__name__}.__init__ must take {', '.join(WIDTH_ARGUMENTS)}")

        @functools.wraps(original)
        def recording_init(self, *args, **kw):
            if "config" not in self.__dict__:  # the outermost subclass records its own call
                bound = signature.bind(self, *args, **kw)
                bound.apply_defaults()
                arguments = dict(bound.arguments)
                arguments.pop("self")
                _check_plain(cls.__name__, arguments)
                object.__setattr__(self, "config", arguments)
            original(self, *args, **kw)

        cls.__init__ = recording_init
        MODEL_CLASSES[cls.__name__] = cls

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("target_mean", torch.zeros(()))
        self.register_buffer("target_std", torch.ones(()))

    # ---- the contract ------------------------------------------------------------------------
    def encode(self, batch) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """``(standardised prediction [B], site ICs [N, n_site] | None, crystal ICs [B, n_crystal] | None)``."""
        raise NotImplementedError

    @property
    def has_importance(self) -> bool:
        """Whether :meth:`encode` returns importance coefficients."""
        return True

    @property
    def required_graph_fields(self) -> tuple[str, ...]:
        """The ``Data`` fields :meth:`encode` reads (checked before training and prediction)."""
        return ("x", "u", "edge_index", "edge_attr", "edge_rank")

    @property
    def input_widths(self) -> tuple[int, int, int]:
        """``(site, crystal, edge)`` feature widths the model was built for."""
        return tuple(int(self.config[name]) for name in WIDTH_ARGUMENTS)

    @torch.no_grad()
    def fit_normalization(self, graphs: Sequence) -> None:
        """Fit :math:`\\mu_y, \\sigma_y` on the finite targets of the training graphs."""
        targets = torch.cat([g.y.reshape(-1) for g in graphs]).double()
        targets = targets[torch.isfinite(targets)]
        if len(targets):
            self.target_mean.copy_(targets.mean().float())
            std = targets.std(unbiased=False) if len(targets) > 1 else torch.tensor(0.0)
            self.target_std.copy_(std.float() if std > 1e-12 else torch.tensor(1.0))

    # ---- derived -----------------------------------------------------------------------------
    def forward(self, batch) -> Tensor:
        """Predictions in target units, one per graph: ``[num_graphs]``."""
        return self.encode(batch)[0] * self.target_std + self.target_mean

    def predict_with_importance(self, batch) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """``(prediction [B] in target units, site ICs, crystal ICs)`` (ICs ``None`` if the model has none)."""
        prediction, site_ics, crystal_ics = self.encode(batch)
        return prediction * self.target_std + self.target_mean, site_ics, crystal_ics

    def description(self) -> dict:
        """``{"class": name, "args": hyper-parameters}``: enough for :func:`build_model`."""
        return {"class": type(self).__name__, "args": dict(self.config)}


def _check_plain(name: str, arguments: dict) -> None:
    """Hyper-parameters must survive JSON (they are saved beside the weights)."""
    try:
        text = json.dumps(arguments)
    except TypeError as exc:
        raise TypeError(f"{name}: hyper-parameters must be plain JSON values ({exc})") from None
    if json.loads(text) != arguments:
        raise TypeError(f"{name}: hyper-parameters change in a JSON round trip (use lists, not tuples)")


def model_class(name: str) -> type[CrystalModel]:
    """The registered model class called ``name`` (``ValueError`` listing the known ones)."""
    _register_builtin()
    if name not in MODEL_CLASSES:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(sorted(MODEL_CLASSES))}")
    return MODEL_CLASSES[name]


def model_hyper_parameters(name: str) -> dict:
    """The hyper-parameters of model ``name`` with their defaults (its signature, widths excluded)."""
    signature = inspect.signature(model_class(name).__init__)
    return {key: p.default for key, p in signature.parameters.items()
            if key != "self" and key not in WIDTH_ARGUMENTS and p.kind is not p.VAR_KEYWORD}


def build_model(name: str, widths: Sequence[int], args: dict | None = None) -> CrystalModel:
    """``Model(*widths, **args)`` for the registered class ``name``; unknown arguments raise
    ``TypeError`` naming them."""
    cls = model_class(name)
    args = {k: v for k, v in (args or {}).items() if k not in WIDTH_ARGUMENTS}
    unknown = sorted(set(args) - set(model_hyper_parameters(name)))
    if unknown:
        raise TypeError(f"{name} has no hyper-parameter(s) {', '.join(unknown)}")
    return cls(*[int(w) for w in widths], **args)


def _register_builtin() -> None:
    """Importing the package's models registers them (a saved card may name any of them)."""
    import sagatsr.model.sagat  # noqa: F401
