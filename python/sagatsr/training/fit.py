"""``fit``: train a crystal model (``config.model``, default SA-GAT) with Lightning, keep the best
epoch, write a model card; resumable.

Files written to ``out_dir``: ``model.pt`` + ``model_config.json`` (the best epoch, loadable with
:meth:`TrainedModel.load`), ``model_card.json``, ``best.ckpt`` / ``last.ckpt`` (Lightning
checkpoints, for resuming only), ``metrics.csv`` (per-epoch train/val MAE in target units, see
:mod:`sagatsr.training.history`) and ``run_config.json``. If ``last.ckpt`` exists from an
interrupted run with the same settings and data, training resumes from it; a finished run with the
same settings is loaded, not redone; a finished run asked again with more ``swa_epochs`` (weight
averaging, see :class:`TrainConfig`) continues from its ``last.ckpt`` with only the added epochs.

Reliability: the folder is locked for the run (:class:`sagatsr.io.OutputLock`); every file is
replaced atomically; an unreadable ``last.ckpt`` stops with a :class:`CheckpointError` naming it
before anything is changed; Ctrl-C raises :class:`~sagatsr.errors.TrainingInterrupted` saying
which epochs ``last.ckpt`` holds (Lightning itself would turn it into a silent ``exit(1)``).
"""

from __future__ import annotations

import json
import logging
import platform
import signal
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import torch

from sagatsr.errors import TrainingInterrupted
from sagatsr.io import OutputLock, prepare_output_dir, write_json
from sagatsr.training.config import TrainConfig
from sagatsr.training.distributed import is_primary_process
from sagatsr.training.trained import CONFIG_FILE, WEIGHTS_FILE, TrainedModel, check_graphs

__all__ = ["fit", "EpochShuffleSampler"]

log = logging.getLogger(__name__)


class EpochShuffleSampler(torch.utils.data.Sampler):
    """A shuffle that depends only on ``(seed, epoch)``; Lightning calls :meth:`set_epoch`, so a
    resumed run sees exactly the batches of an uninterrupted one.

    Under DDP (W processes, Lightning's own sampler replacement switched off) process r takes
    positions r, r + W, r + 2W, ... of the same permutation (padded by wrapping to a multiple of
    W): with batches of B per process, each optimizer step sees the same W·B materials as one
    process with batches of W·B."""

    def __init__(self, size: int, seed: int) -> None:
        self.size, self.seed, self.epoch = size, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    @staticmethod
    def _shard() -> tuple[int, int]:
        distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
        return (torch.distributed.get_rank(), torch.distributed.get_world_size()) if distributed else (0, 1)

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed * 7919 + self.epoch)
        order = torch.randperm(self.size, generator=generator).tolist()
        rank, world = self._shard()
        if world > 1:
            order = (order * world)[:len(self) * world][rank::world]
        return iter(order)

    def __len__(self) -> int:
        world = self._shard()[1]
        return -(-self.size // world)


def _versions() -> dict:
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for package in ("sagatsr", "torch", "torch_geometric", "lightning", "numpy"):
        try:
            versions[package] = metadata.version(package.replace("_", "-"))
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def _feature_description(num_crystal: int, num_site: int, feature_names):
    """(crystal names, crystal units, site names): given, else the default FeatureSpace if widths match."""
    crystal_units = site_names = None
    if feature_names is None:
        try:
            from sagatsr.features import FeatureSpace

            space = FeatureSpace.default()
            if len(space.crystal_names) == num_crystal:
                feature_names, crystal_units = space.crystal_names, space.crystal_units
            if len(space.site_names) == num_site:
                site_names = space.site_names
        except Exception as exc:  # noqa: BLE001 - names are a convenience; training must not fail
            log.warning("feature names unavailable (%s); using generic names", exc)
    if feature_names is None:
        feature_names = [f"crystal_{k}" for k in range(num_crystal)]
    elif len(feature_names) != num_crystal:
        raise ValueError(f"{len(feature_names)} feature names for {num_crystal} crystal features")
    return list(feature_names), crystal_units, site_names


def _fingerprint(train_graphs, val_graphs) -> str:
    """Hash of the ids, targets and feature sums of both sets: a rerun resumes only on the same data."""
    import hashlib

    digest = hashlib.sha256()
    for part, graphs in (("train", train_graphs), ("val", val_graphs)):
        digest.update(part.encode())
        for k, graph in enumerate(graphs):
            summary = (graph.y.double().sum().item(), graph.x.double().sum().item(), graph.u.double().sum().item())
            digest.update(f"{getattr(graph, 'material_id', k)}|{summary}".encode())
    return digest.hexdigest()[:16]


def _loader(graphs, batch_size, sampler=None, num_workers=0):
    from torch_geometric.loader import DataLoader

    return DataLoader(list(graphs), batch_size=batch_size, sampler=sampler, shuffle=False,
                      num_workers=num_workers)


def fit(train_graphs: Sequence, val_graphs: Sequence | None, out_dir: str | Path, config: TrainConfig | None = None,
        *, feature_names: Sequence[str] | None = None, meta: dict | None = None,
        callbacks: Sequence | None = None) -> TrainedModel:
    """Train on ``train_graphs``, select the epoch with the lowest validation MAE, save and return it.

    Args:
        train_graphs, val_graphs: ``Data`` graphs from :class:`~sagatsr.graphs.CrystalGraphBuilder`
            with finite ``y``. Without validation graphs the training MAE picks the epoch.
        out_dir: where checkpoints, metrics and the model card go (resumes from ``last.ckpt``).
        config: hyperparameters (defaults: :class:`TrainConfig`).
        feature_names: crystal feature names (default: the default FeatureSpace's, if widths match).
        meta: free description stored in the card (data source, target, unit, split...).
        callbacks: extra Lightning callbacks.
    """
    config = config or TrainConfig()
    out_dir = Path(out_dir)
    train_graphs, val_graphs = list(train_graphs), list(val_graphs or [])
    check_graphs(train_graphs, need_target=True)
    first = train_graphs[0]
    widths = (first.x.size(-1), first.u.size(-1), first.edge_attr.size(-1))
    needed = config.build_model(widths).required_graph_fields  # e.g. edge_vec for bond angles
    check_graphs(train_graphs, *widths, need_target=True, fields=needed)
    if val_graphs:
        check_graphs(val_graphs, *widths, need_target=True, fields=needed)
    prepare_output_dir(out_dir)
    if not is_primary_process():  # an extra DDP process: the primary holds the lock and writes the files
        return _fit_locked(train_graphs, val_graphs, out_dir, config, widths, feature_names, meta, callbacks,
                           primary=False)
    with OutputLock(out_dir):
        return _fit_locked(train_graphs, val_graphs, out_dir, config, widths, feature_names, meta, callbacks)


def _read_json(path: Path):
    """A JSON file's content, or None when it is missing or unreadable (then it is rewritten)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


#: settings that change how a run executes, not what it computes: a finished model trained with 1
#: thread is the same model when asked for again with 2 (it must be loaded, not trained again)
EXECUTION_ONLY = ("num_threads", "progress", "num_workers")


def _stored_run(stored, run: dict) -> dict | None:
    """``run_config.json``'s content with its config read through :meth:`TrainConfig.from_dict`
    (so a config written by an earlier version, with flat hyper-parameters, still compares), or
    None when it is not a run description. A run stored before the target was part of a run's
    description is taken to have this run's target."""
    if not isinstance(stored, dict) or not isinstance(stored.get("config"), dict):
        return None
    try:
        return {"target": run.get("target"), **stored, "config": TrainConfig.from_dict(stored["config"]).as_dict()}
    except (TypeError, ValueError):
        return None


def _identity(run: dict, ignore: tuple[str, ...] = ()) -> dict:
    run = json.loads(json.dumps(run))
    return {**run, "config": {k: v for k, v in run["config"].items() if k not in EXECUTION_ONLY + ignore}}


def _same_run(stored, run: dict) -> bool:
    """Whether ``run_config.json`` describes this run, :data:`EXECUTION_ONLY` settings aside."""
    stored = _stored_run(stored, run)
    return stored is not None and _identity(stored) == _identity(run)


def _differences(stored, run: dict) -> list[str]:
    """What differs between a stored run and this one, as ``name: old → new`` (for the log)."""
    stored = _stored_run(stored, run)
    if stored is None:
        return []
    before, after = _identity(stored), _identity(run)
    flat = [(f"{k}", before.get(k), after.get(k)) for k in after if k != "config"]
    flat += [(k, before["config"].get(k), v) for k, v in after["config"].items()]
    return [f"{name}: {old} → {new}" for name, old, new in flat if old != new]


AVERAGING = ("swa_epochs", "swa_lr_fraction")


def _extends(stored, run: dict) -> bool:
    """Whether this run is ``stored`` with more weight-averaging epochs: the stored run's epochs are
    then the first epochs of this one (the averaging comes after the whole schedule), so its
    ``last.ckpt`` resumes it."""
    stored = _stored_run(stored, run)
    if stored is None:
        return False
    before, after = stored["config"], run["config"]
    same_rate = before["swa_epochs"] == 0 or before["swa_lr_fraction"] == after["swa_lr_fraction"]
    return (before["swa_epochs"] < after["swa_epochs"] and same_rate
            and _identity(stored, AVERAGING) == _identity(run, AVERAGING))


def _fit_locked(train_graphs, val_graphs, out_dir: Path, config: TrainConfig, widths, feature_names, meta,
                callbacks, primary: bool = True) -> TrainedModel:
    from sagatsr.training.checkpoints import load_checkpoint

    crystal_names, crystal_units, site_names = _feature_description(widths[1], widths[0], feature_names)
    run = {"config": config.as_dict(), "n_train": len(train_graphs), "n_val": len(val_graphs), "widths": widths,
           "data_fingerprint": _fingerprint(train_graphs, val_graphs),
           # the same numbers under another target name or unit are another model's card
           "target": {key: (meta or {}).get(key) for key in ("target", "unit")}}
    run_file, card_file = out_dir / "run_config.json", out_dir / "model_card.json"
    same_run = _same_run(_read_json(run_file), run)
    finished = (_read_json(card_file) or {}).get("status") == "complete"
    if same_run and finished:
        log.info("%s already holds this finished run; loading it", out_dir)
        return TrainedModel.load(out_dir)
    if finished and primary and not _extends(_read_json(run_file), run):
        changed = "; ".join(_differences(_read_json(run_file), run)) or "its description is unreadable"
        log.warning("%s holds a finished model of other settings (%s): training anew, replacing it", out_dir,
                    changed)
    resumable = same_run or _extends(_read_json(run_file), run)
    resume = out_dir / "last.ckpt" if resumable and (out_dir / "last.ckpt").is_file() else None
    if resume is not None:
        load_checkpoint(resume)  # a corrupt or hostile file stops here, before anything is changed
    if primary:  # in this order: see sagatsr.training.distributed
        if resume is None:
            (out_dir / "last.ckpt").unlink(missing_ok=True)  # another run's; Lightning would overwrite it
        write_json(run_file, run)
    trained, trainer, best, stop, seconds, weights = _train(train_graphs, val_graphs, out_dir, config, widths, resume,
                                                   callbacks, crystal_names, crystal_units, site_names, meta)
    metrics = {"best_val_mae": _number(best.best_model_score), "epochs_run": trainer.current_epoch,
               "weights": weights,
               "stopped_early": bool(stop and stop.stopped_epoch),
               "final_train_mae": _number(trainer.callback_metrics.get("train_mae")),
               "monitor": "val_mae on validation graphs" if val_graphs else "val_mae on training graphs (no validation set)",
               "train_seconds_this_session": round(seconds, 2), "resumed_from": str(resume) if resume else None,
               "processes": trainer.world_size}
    if not primary:
        return trained
    card = {"status": "complete", "data": meta or {}, "split": {"n_train": len(train_graphs), "n_val": len(val_graphs)},
            "hyperparameters": config.as_dict(), "model": trained.model.config,
            "model_class": type(trained.model).__name__, "metrics": metrics,
            "device": str(trainer.strategy.root_device), "packages": _versions(),
            "files": {"weights": WEIGHTS_FILE, "config": CONFIG_FILE, "metrics": "metrics.csv",
                      "resume_checkpoint": "last.ckpt"}}
    write_json(card_file, card, default=str)
    return trained


def _train(train_graphs, val_graphs, out_dir, config, widths, resume, callbacks, crystal_names, crystal_units,
           site_names, meta):
    """Run Lightning (resuming from ``resume``); returns (best model, trainer, best, stop, seconds,
    which weights were kept: ``"epoch k"`` or the SWA average)."""
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

    from sagatsr.training.checkpoints import AtomicCheckpointIO, load_checkpoint
    from sagatsr.training.history import MetricsHistory
    from sagatsr.training.module import CrystalModelModule

    previous_threads = torch.get_num_threads()
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    L.seed_everything(config.seed, workers=True, verbose=False)
    model = config.build_model(widths)
    model.fit_normalization(train_graphs)
    train_loader = _loader(train_graphs, config.batch_size, EpochShuffleSampler(len(train_graphs), config.seed),
                           config.num_workers)
    val_loader = _loader(val_graphs or train_graphs, max(config.batch_size, 256), num_workers=config.num_workers)
    module = CrystalModelModule(model, config, steps_per_epoch=len(train_loader))
    best = ModelCheckpoint(dirpath=out_dir, filename="best", monitor="val_mae", mode="min",
                           enable_version_counter=False)
    # a separate unmonitored checkpoint, rewritten at the end of every epoch, after the history row
    # (Lightning's save_last only follows epochs that improved the monitored metric)
    last = ModelCheckpoint(dirpath=out_dir, filename="last", monitor=None, save_top_k=1,
                           enable_version_counter=False, save_on_train_epoch_end=True)
    # with weight averaging the schedule runs to its end (the average follows it): no early stop,
    # not even one restored with its patience from the checkpoint of the run being extended
    stop = None if config.swa_epochs else EarlyStopping(monitor="val_mae", mode="min", patience=config.patience)
    history = MetricsHistory(out_dir / "metrics.csv")
    started = time.perf_counter()
    with warnings.catch_warnings(), _quiet_lightning(), _keep_sigint_handler():
        warnings.filterwarnings("ignore", message=".*(exists and is not empty|LeafSpec|does not have many workers|"
                                                  "logging interval|callbacks used to create the checkpoint).*")
        trainer = L.Trainer(
            max_epochs=config.epochs + config.swa_epochs, accelerator=config.accelerator, devices=config.devices,
            strategy=config.strategy, num_nodes=config.num_nodes, deterministic=config.deterministic,
            gradient_clip_val=config.gradient_clip, callbacks=[history, best, last, *([stop] if stop else []), *(callbacks or [])],
            logger=False, plugins=[AtomicCheckpointIO()], use_distributed_sampler=False,  # see EpochShuffleSampler
            enable_progress_bar=config.progress and sys.stderr.isatty(), enable_model_summary=False,
            num_sanity_val_steps=0, default_root_dir=out_dir)
        try:
            trainer.fit(module, train_loader, val_loader, ckpt_path=resume, weights_only=True)
        except (KeyboardInterrupt, SystemExit) as exc:
            if isinstance(exc, SystemExit) and trainer.state.status.value != "interrupted":
                raise
            raise TrainingInterrupted(_kept_after_interrupt(out_dir, history)) from None
        finally:
            torch.set_num_threads(previous_threads)
    seconds = time.perf_counter() - started

    weights = f"epoch {trainer.current_epoch - 1}"
    if best.best_model_path and Path(best.best_model_path).is_file():
        checkpoint = load_checkpoint(best.best_model_path, remedy="delete it and last.ckpt to train again")
        epoch, state = int(checkpoint["epoch"]), checkpoint["state_dict"]
        averaged = module.swa is not None and epoch >= config.epochs  # that epoch validated the average
        prefix = "swa.average." if averaged else "model."
        model.load_state_dict({k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)})
        weights = (f"average of epochs {config.epochs}-{epoch} (SWA)" if averaged else f"epoch {epoch}")
    trained = TrainedModel(model.cpu(), crystal_names=crystal_names, site_names=site_names,
                           crystal_units=crystal_units, target=meta, train_config=config.as_dict())
    if trainer.is_global_zero:
        trained.save(out_dir)
    return trained, trainer, best, stop, seconds, weights


def _kept_after_interrupt(out_dir: Path, history) -> str:
    """What an interrupted training left behind, in one sentence (from ``last.ckpt`` itself)."""
    from sagatsr.training.checkpoints import load_checkpoint

    try:
        done = int(load_checkpoint(out_dir / "last.ckpt")["epoch"]) + 1
    except Exception:  # noqa: BLE001 - no (readable) checkpoint yet
        done = 0
    if done == 0:
        return (f"training in {out_dir} was interrupted before its first checkpoint was saved; "
                "a rerun starts from epoch 0")
    return (f"training in {out_dir} was interrupted; kept last.ckpt after epoch {done - 1} "
            f"({done} epochs done) and their history in metrics.csv")


@contextmanager
def _keep_sigint_handler():
    """Lightning ignores SIGINT for good after the first Ctrl-C; give the caller its handler back."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    try:
        yield
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def _quiet_lightning():
    """Silence Lightning's start-up banner (device lines, tips); warnings and errors still show."""
    loggers = [logging.getLogger(name) for name in ("lightning.pytorch", "lightning.fabric")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _number(value):
    return None if value is None else float(value)


