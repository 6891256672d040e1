"""The LightningModule that trains any :class:`~sagatsr.model.base.CrystalModel`: L1 loss on the
standardised target, AdamW (fused where torch has the kernel: :func:`adamw`), warm-up + polynomial
decay; then, with ``swa_epochs``, a constant rate whose epochs' weights are averaged
(:mod:`sagatsr.training.averaging`) and validated as the average.

.. math::
    \\mathcal{L} = \\frac{1}{B}\\sum_b \\Big|\\hat z_b - \\frac{y_b - \\mu_y}{\\sigma_y}\\Big|, \\qquad
    \\mathrm{MAE} = \\sigma_y \\mathcal{L} \\ \\text{(logged in target units)}
"""

from __future__ import annotations

import lightning as L
import torch

from sagatsr.model.base import CrystalModel
from sagatsr.training.averaging import WeightAverage
from sagatsr.training.config import TrainConfig

__all__ = ["CrystalModelModule", "SAGATModule", "lr_factor", "adamw"]


def lr_factor(step: int, warmup_steps: int, total_steps: int, power: float, final_fraction: float,
              swa_fraction: float | None = None) -> float:
    """Multiplier of the base learning rate at optimizer step ``step``; ``swa_fraction`` from
    ``total_steps`` on (the averaging phase), when given."""
    if swa_fraction is not None and step >= total_steps:
        return swa_fraction
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return final_fraction + (1.0 - final_fraction) * (1.0 - progress) ** power


def adamw(parameters, lr: float, weight_decay: float = 0.01) -> torch.optim.AdamW:
    """AdamW as sagatsr trains with it: the fused implementation (one pass over every parameter
    instead of about ten tensor operations per parameter tensor; SA-GAT has 67 of them, and the
    step took 2.6 ms against 0.35 ms fused on 1 CPU thread), the plain one on a device without the
    fused kernel. Same update rule, so the two differ by float rounding only."""
    parameters = list(parameters)
    try:
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=weight_decay, fused=True)
    except RuntimeError:  # torch refuses fused=True for parameters on a device without the kernel
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=weight_decay)


class CrystalModelModule(L.LightningModule):
    """Trains a :class:`~sagatsr.model.base.CrystalModel` (it uses only ``encode``, ``target_mean``
    and ``target_std``); ``steps_per_epoch`` sizes the schedule."""

    def __init__(self, model: CrystalModel, config: TrainConfig, steps_per_epoch: int) -> None:
        super().__init__()
        self.model, self.config, self.steps_per_epoch = model, config, steps_per_epoch
        self.swa = WeightAverage(model) if config.swa_epochs > 0 else None

    @property
    def averaging(self) -> bool:
        """Whether this epoch belongs to the weight-averaging phase (after ``config.epochs``)."""
        return self.swa is not None and self.current_epoch >= self.config.epochs

    def _loss(self, batch, model: CrystalModel | None = None) -> torch.Tensor:
        model = self.model if model is None else model
        prediction = model.encode(batch)[0]
        target = (batch.y.reshape(-1) - self.model.target_mean) / self.model.target_std
        return torch.nn.functional.l1_loss(prediction, target)

    def on_train_batch_start(self, batch, batch_idx) -> None:
        # dropout draws depend only on (seed, step): a resumed run repeats an uninterrupted one
        torch.manual_seed(self.config.seed * 1_000_003 + self.global_step)

    def training_step(self, batch, batch_idx):
        loss = self._loss(batch)
        self.log("train_mae", loss.detach() * self.model.target_std, batch_size=batch.num_graphs,
                 on_step=False, on_epoch=True, prog_bar=True, sync_dist=True)
        return loss

    def on_train_batch_end(self, outputs, batch, batch_idx) -> None:
        # the epoch's last step: before validation, which then scores the updated average
        if self.averaging and batch_idx + 1 == self.trainer.num_training_batches:
            self.swa.update(self.model)

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        # a run trained without averaging, extended with swa_epochs: its checkpoint has no average yet
        state = checkpoint["state_dict"]
        if self.swa is not None and not any(key.startswith("swa.") for key in state):
            state.update({f"swa.{key}": value for key, value in self.swa.state_dict().items()})
        # ... and its schedule (restored over ours) had no averaging rate: the rate is this run's
        for scheduler in checkpoint.get("lr_schedulers", []):
            for schedule in scheduler.get("lr_lambdas", []):
                if isinstance(schedule, dict):
                    schedule["swa_fraction"] = self.config.swa_lr_fraction if self.swa is not None else None

    def on_train_start(self) -> None:
        # the rate of the next step from this run's schedule: a no-op except after extending a
        # run with averaging epochs, whose stored optimizer holds the old schedule's final rate
        for scheduler in (c.scheduler for c in self.trainer.lr_scheduler_configs):
            if isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR):
                for group, base, schedule in zip(scheduler.optimizer.param_groups, scheduler.base_lrs,
                                                 scheduler.lr_lambdas):
                    group["lr"] = base * schedule(scheduler.last_epoch)

    def validation_step(self, batch, batch_idx):
        loss = self._loss(batch, self.swa.average if self.averaging and int(self.swa.count) else None)
        # sync_dist: under DDP every process sees the mean over all shards, so checkpointing and
        # early stopping take the same decision everywhere (a no-op in one process)
        self.log("val_mae", loss * self.model.target_std, batch_size=batch.num_graphs, on_epoch=True,
                 prog_bar=True, sync_dist=True)

    def configure_optimizers(self):
        cfg = self.config
        optimizer = adamw(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        steps_per_epoch = self.steps_per_epoch
        if self._trainer is not None and self.trainer.world_size > 1:
            # DDP shards every epoch over the processes: fewer optimizer steps per epoch
            steps_per_epoch = max(1, int(self.trainer.estimated_stepping_batches) // (cfg.epochs + cfg.swa_epochs))
        total = cfg.epochs * steps_per_epoch
        warmup = min(cfg.warmup_epochs, max(cfg.epochs - 1, 0)) * steps_per_epoch
        swa_fraction = cfg.swa_lr_fraction if cfg.swa_epochs > 0 else None
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, _Schedule(warmup, total, cfg.decay_power, cfg.final_lr_fraction, swa_fraction))
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


SAGATModule = CrystalModelModule  # the name of earlier versions


class _Schedule:
    """Picklable-free callable (only numbers in its state, so checkpoints stay plain data)."""

    def __init__(self, warmup: int, total: int, power: float, final_fraction: float,
                 swa_fraction: float | None = None) -> None:
        self.warmup, self.total, self.power, self.final_fraction = warmup, total, power, final_fraction
        self.swa_fraction = swa_fraction

    def __call__(self, step: int) -> float:
        return lr_factor(step, self.warmup, self.total, self.power, self.final_fraction, self.swa_fraction)
