"""Training settings (:class:`TrainConfig`), stored in every model card."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

__all__ = ["TrainConfig", "RECIPES"]

#: The recipe measured best on Matbench perovskites, as overrides of each model's own defaults
#: (its signature is the one list of its hyper-parameters).
#: SAE: the quantile mode with 6 basis functions (README "Encoding ablation": it matches or beats the
#: linear encoding on small data, where the 16-centre Gaussian SAE lost to it).
RECIPES: dict[str, dict] = {"SAGAT": {"sae_mode": "quantile", "num_basis": 6, "sae_heads": 4, "dropout": 0.0}}


@dataclass(init=False)
class TrainConfig:
    """Hyperparameters of one training run: the optimisation settings, ``model`` (the name of a
    :class:`~sagatsr.model.base.CrystalModel` class) and ``model_args`` (its hyper-parameters).

    ``TrainConfig(hidden=16, encoding="linear")`` still works: keyword arguments that are not
    training settings but hyper-parameters of ``model`` go into ``model_args`` (unknown names raise
    ``TypeError``), and ``config.hidden`` reads them back. ``model_args`` is always complete: the
    model's signature defaults, then :data:`RECIPES`, then what was given.

    Defaults are sized for CPU (2 cores): hidden 64, 3 layers × 4 heads, batch 64, lr 1e-3 for
    batched training. The SAE is the quantile mode with 6 basis functions and 4 IC heads (README,
    "Encoding ablation": it beats or matches the linear encoding on small data), no dropout and
    weight decay 0.01. The previous default, the continuous Gaussian-basis SAE
    (``sae_mode="gaussian", num_basis=16``), cut the Matbench test MAE on 6,000 training rows
    from 0.091 (the paper's binned SAE, dropout 0.1) to 0.066 eV/cell: the per-bin embedding
    rows each see few materials and over-fit. ``sae_mode="binned", sae_heads=1, dropout=0.3``
    gives the paper's encoding (it used hidden 128/256, 4 layers, batch size 1, lr 8e-5,
    200 epochs with 80 warm-up epochs on a GPU). ``num_threads`` sets ``torch.set_num_threads``
    (1 is often fastest on a busy 2-core machine).

    Schedule: linear warm-up from 0 to ``lr`` over ``warmup_epochs``, then polynomial decay
    :math:`\\eta = \\eta_{\\min} + (\\eta - \\eta_{\\min})(1 - p)^{\\text{power}}` to
    ``lr * final_lr_fraction`` at the last epoch (per optimizer step).

    Weight averaging (SWA): ``swa_epochs`` more epochs after the schedule at the constant rate
    ``lr * swa_lr_fraction``; the weights at the end of each of them are averaged
    (:class:`~sagatsr.training.averaging.WeightAverage`), the validation MAE of those epochs is the
    averaged model's, and the saved model is the average when it validates best. Early stopping
    is off when ``swa_epochs > 0`` (the average needs the whole schedule before it). A finished run
    asked again with more ``swa_epochs`` resumes from its ``last.ckpt`` and only adds them.

    ``accelerator="auto"`` uses a GPU when present. Multi-process: ``devices`` (e.g. ``4``),
    ``strategy="ddp"`` and ``num_nodes``; Lightning's DDP then shards the batches. Tested on CPU
    with two processes (``accelerator="cpu", devices=2, strategy="ddp"``, gloo; see
    ``tests/training/test_training_ddp.py``); GPUs and nodes run the same code.
    """

    epochs: int = 100
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_epochs: int = 5
    decay_power: float = 3.0
    final_lr_fraction: float = 0.01
    patience: int = 30
    gradient_clip: float | None = 5.0
    swa_epochs: int = 0
    swa_lr_fraction: float = 0.1
    seed: int = 0
    deterministic: bool = False
    # model
    model: str = "SAGAT"
    model_args: dict = field(default_factory=dict)
    # hardware
    accelerator: str = "auto"
    devices: int | str = "auto"
    strategy: str = "auto"
    num_nodes: int = 1
    num_workers: int = 0
    num_threads: int | None = None
    progress: bool = True

    def __init__(self, **values) -> None:
        from sagatsr.model.base import model_hyper_parameters

        given_args = dict(values.pop("model_args", None) or {})
        for spec in fields(self):
            if spec.name != "model_args":
                default = spec.default_factory() if callable(spec.default_factory) else spec.default
                object.__setattr__(self, spec.name, values.pop(spec.name, default))
        known = model_hyper_parameters(self.model)  # ValueError naming the known models
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise TypeError(f"TrainConfig got unknown setting(s) {', '.join(unknown)} (neither a training "
                            f"setting nor a hyper-parameter of {self.model})")
        args = {**known, **RECIPES.get(self.model, {}), **given_args, **values}
        object.__setattr__(self, "model_args", {k: v for k, v in args.items() if k in known})
        self.__post_init__()

    def __getattr__(self, name: str):
        # only called when normal lookup fails: the model's hyper-parameters read as attributes
        args = self.__dict__.get("model_args") or {}
        if name in args:
            return args[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name not in self.__dataclass_fields__ and name in (self.__dict__.get("model_args") or {}):
            self.model_args[name] = value
        else:
            object.__setattr__(self, name, value)

    def __post_init__(self) -> None:
        from sagatsr.model.base import build_model

        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be at least 1")
        if self.swa_epochs < 0 or not 0 < self.swa_lr_fraction <= 1:
            raise ValueError(f"swa_epochs must be >= 0 (got {self.swa_epochs}) and swa_lr_fraction in (0, 1] "
                             f"(got {self.swa_lr_fraction})")
        build_model(self.model, (1, 1, 1), self.model_args)  # the model's own checks, on tiny widths

    def model_kwargs(self) -> dict:
        """The hyper-parameters of the model (``model_args``, a copy)."""
        return dict(self.model_args)

    def build_model(self, widths):
        """A fresh ``model`` for graphs with ``(site, crystal, edge)`` feature widths."""
        from sagatsr.model.base import build_model

        return build_model(self.model, widths, self.model_args)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """From :meth:`as_dict`, or from the flat dicts of earlier versions (hyper-parameters beside
        the training settings); names known to neither are ignored."""
        from sagatsr.model.base import model_hyper_parameters

        data = dict(data)
        known = {f.name for f in fields(cls)} | set(model_hyper_parameters(data.get("model") or "SAGAT"))
        return cls(**{k: v for k, v in data.items() if k in known})
