"""``sagatsr run``: structures → features → graphs → SA-GAT → E_p and ICs → top-k → formulas → report.

Every step writes its outputs into the run directory and is skipped on a rerun with the same
settings (:mod:`sagatsr.pipeline.steps`). Training saves ``last.ckpt`` as it goes, and cross-fitting
saves each fold's predictions as soon as that fold is done, so an interrupted run resumes where it
stopped. The run directory is locked while a run writes to it (:class:`sagatsr.io.OutputLock`), and
every file is replaced atomically (:mod:`sagatsr.io.atomic`), so a kill never leaves a half-written
output that a rerun would trust. Bad rows follow :mod:`sagatsr.data.badrows` (``skipped.csv``).
"""

from __future__ import annotations

import json
import logging
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from sagatsr.errors import InputError
from sagatsr.io import atomic_target, write_json
from sagatsr.pipeline.config import RunConfig
from sagatsr.pipeline.split import kfold, train_val_test
from sagatsr.pipeline.steps import StepLedger

log = logging.getLogger("sagatsr.pipeline")

__all__ = ["run_pipeline", "RunContext"]


def run_pipeline(config: RunConfig) -> Path:
    """Run (or resume) every step; returns the path of the report.

    The target's column and unit are checked (from the source's header) before the run directory
    is created, so a missing unit or column leaves nothing behind."""
    from sagatsr.data import peek_target
    from sagatsr.io import OutputLock, prepare_output_dir
    from sagatsr.threads import apply_threads

    config.target, config.target_unit = peek_target(config.data, config.target, config.target_unit)
    config.threads = apply_threads(config.threads)
    prepare_output_dir(config.out)
    with OutputLock(config.out):
        return _run_steps(config)


def _run_steps(config: RunConfig) -> Path:
    ledger = StepLedger.open(config.out)
    ctx = RunContext(config)
    write_json(config.out / "config.json", config.as_dict())
    load_params = {k: getattr(config, k) for k in ("data", "target", "target_unit", "limit", "strict", "cutoff",
                                                   "allow_outside")}
    ledger.run("load", load_params, ["dataset.json"], ctx.write_dataset)
    ledger.run("features", {"with_target": True}, ["features.nc"], ctx.write_features)
    split_params = {k: getattr(config, k) for k in ("seed", "val_fraction", "test_fraction")}
    ledger.run("split", split_params, ["split.json"], ctx.write_split)
    ctx.check_split_serves_settings()  # before any training: a run that cannot finish stops here
    train_params = {k: v for k, v in config.train.as_dict().items() if k not in ("num_threads", "progress")}
    if config.seeds:
        train_params["ensemble_seeds"] = config.seeds
    ledger.run("train", train_params, ["model/ensemble.json" if config.seeds else "model/model_card.json"],
               ctx.train_main)
    ledger.run("cross_fit", {"oof_folds": config.oof_folds}, ["sr_inputs.csv"], ctx.cross_fit)
    ledger.run("screen", {"top_k": config.top_k}, ["importance.csv", "importance.png"], ctx.screen)
    ledger.run("sr", config.sr.as_dict(), ["formulas.json"], ctx.symbolic_regression)
    ledger.run("report", {}, ["report.html", "report.md"], ctx.report)
    return config.out / "report.html"


class RunContext:
    """Lazily loaded state of one run directory, shared by the steps."""

    def __init__(self, config: RunConfig):
        self.config = config
        self.out = config.out

    # ---- inputs ------------------------------------------------------------------------------
    @cached_property
    def dataset(self):
        from sagatsr.data import load_dataset

        on_error = "raise" if self.config.strict else "skip"
        return load_dataset(self.config.data, self.config.target, limit=self.config.limit, on_error=on_error,
                            target_unit=self.config.target_unit, allow_outside=self.config.allow_outside)

    @cached_property
    def _built(self):
        """(graphs, kept positions in the loaded dataset, skipped rows of loading and graph building,
        numbered as the source file's lines) — graph cache on disk."""
        from sagatsr.data.badrows import build_graphs
        from sagatsr.graphs import CrystalGraphBuilder

        built = build_graphs(self.dataset, CrystalGraphBuilder(cutoff=self.config.cutoff), skip=not self.config.strict,
                             cache_dir=self.out / "graph_cache", progress=self.config.progress)
        return built.graphs, np.array(built.positions, dtype=int), built.skipped

    @property
    def graphs(self):
        return self._built[0]

    @property
    def ids(self) -> list[str]:
        return [g.material_id for g in self.graphs]

    @property
    def targets(self) -> np.ndarray:
        return np.asarray(self.dataset.targets, dtype=float)[self._built[1]]

    @cached_property
    def split(self) -> dict[str, np.ndarray]:
        saved = json.loads((self.out / "split.json").read_text())
        return {name: np.asarray(rows, dtype=int) for name, rows in saved["rows"].items()}

    @cached_property
    def features(self):
        import xarray as xr

        from sagatsr.data.feature_table import split_target

        with xr.open_dataset(self.out / "features.nc") as opened:
            ds = opened.load()
        return split_target(ds, source=self.out / "features.nc")[0] if ds.attrs.get("target") else ds

    @cached_property
    def model(self):
        from sagatsr.training import TrainedModel

        return TrainedModel.load(self.out / "model")

    # ---- steps -------------------------------------------------------------------------------
    def write_dataset(self) -> None:
        from sagatsr.data.badrows import write_skipped

        ds = self.dataset
        skipped = self._built[2]
        if len(self.graphs) < 10:
            raise InputError(f"only {len(self.graphs)} usable materials; a run needs at least 10",
                             source=self.config.data)
        write_skipped(self.out, skipped)
        if skipped:
            log.warning("skipped %d bad rows (see %s)", len(skipped), self.out / "skipped.csv")
        summary = {"source": str(self.config.data), "target": ds.target_name, "target_unit": ds.target_unit,
                   "n_materials": len(self.graphs), "n_skipped": len(skipped), "ids": self.ids}
        write_json(self.out / "dataset.json", summary)

    def write_features(self) -> None:
        from sagatsr.data.feature_table import attach_target
        from sagatsr.features.featurize import features_from_graphs

        ds = features_from_graphs(self.graphs)  # computed once, by the graph builder (exact float64)
        with atomic_target(self.out / "features.nc") as tmp:
            attach_target(ds, self.dataset.target_name, self.targets, self.dataset.target_unit).to_netcdf(tmp)

    def write_split(self) -> None:
        cfg = self.config
        rows = train_val_test(len(self.graphs), cfg.val_fraction, cfg.test_fraction, cfg.seed)
        payload = {"rows": {k: v.tolist() for k, v in rows.items()},
                   "ids": {k: [self.ids[i] for i in v] for k, v in rows.items()}}
        write_json(self.out / "split.json", payload)

    def check_split_serves_settings(self) -> None:
        """Refuse, naming the options, settings the split's row counts cannot serve: more
        out-of-fold models than training+validation rows, or too few rows for the formulas' terms
        (the formulas are fitted on the out-of-fold rows, or on the validation rows alone when
        ``--oof-folds 0``)."""
        from sagatsr.sr.sisso.select import MIN_ROWS_PER_TERM

        cfg, split = self.config, self.split
        pool = len(split["train"]) + len(split["val"])
        if cfg.oof_folds > pool:
            raise InputError(f"--oof-folds {cfg.oof_folds} needs at least {cfg.oof_folds} training+validation "
                             f"rows; this split leaves {pool} (lower --oof-folds)")
        n_fit = pool if cfg.oof_folds >= 2 else len(split["val"])
        need = MIN_ROWS_PER_TERM * (cfg.sr.max_terms + 1)
        if n_fit < need:
            fix = ("use --oof-folds K ≥ 2 (the formulas are then fitted on all "
                   f"{pool} training+validation rows), " if cfg.oof_folds < 2 and pool >= need else "")
            where = "training+validation rows" if cfg.oof_folds >= 2 else "validation rows (--oof-folds 0)"
            raise InputError(f"the formulas would be fitted on {n_fit} {where}, too few for --sr-max-terms "
                             f"{cfg.sr.max_terms}: need at least {need} ({MIN_ROWS_PER_TERM} per coefficient); "
                             f"{fix}lower --sr-max-terms, or add rows")

    def _train(self, fit_rows: np.ndarray, val_rows: np.ndarray, out_dir: Path):
        from sagatsr.training import fit

        cfg = self.config
        train_config = cfg.train_config()
        meta = {"data": str(cfg.data), "target": self.dataset.target_name, "unit": self.dataset.target_unit,
                "n_train": len(fit_rows), "n_val": len(val_rows)}
        return fit([self.graphs[i] for i in fit_rows], [self.graphs[i] for i in val_rows], out_dir,
                   train_config, meta=meta)

    def train_main(self) -> None:
        if self.config.seeds:  # an ensemble over seeds (TrainedModel.load reads it back as one)
            from sagatsr.training import fit_ensemble

            rows = self.split["train"], self.split["val"]
            meta = {"data": str(self.config.data), "target": self.dataset.target_name,
                    "unit": self.dataset.target_unit, "n_train": len(rows[0]), "n_val": len(rows[1])}
            fit_ensemble(*([self.graphs[i] for i in part] for part in rows), self.out / "model",
                         self.config.train_config(), self.config.seeds, meta=meta)
            return
        self._train(self.split["train"], self.split["val"], self.out / "model")

    def cross_fit(self) -> None:
        """E_p for the SR step, never from a model that saw the row (see :class:`RunConfig`)."""
        cfg = self.config
        e_p = self.model.predict(self.graphs)
        source = np.full(len(self.graphs), "", dtype=object)
        e_p_sr = np.full(len(self.graphs), np.nan)
        test = self.split["test"]
        e_p_sr[test], source[test] = e_p[test], "main model (test row)"
        if cfg.oof_folds >= 2:
            pool = np.concatenate([self.split["train"], self.split["val"]])
            for k, (fit_rows, held) in enumerate(kfold(pool, cfg.oof_folds, cfg.seed)):
                e_p_sr[held] = self._fold_predictions(k, fit_rows, held)
                source[held] = f"out-of-fold model {k}"
        else:
            val = self.split["val"]
            e_p_sr[val], source[val] = e_p[val], "main model (validation row)"
        split_name = np.full(len(self.graphs), "train", dtype=object)
        for name in ("val", "test"):
            split_name[self.split[name]] = name
        table = pd.DataFrame({"id": self.ids, "split": split_name, "target": self.targets,
                              "e_p": e_p, "e_p_sr": e_p_sr, "e_p_source": source,
                              "unit": self.dataset.target_unit})
        with atomic_target(self.out / "predictions.csv") as tmp:
            table.to_csv(tmp, index=False)
        with atomic_target(self.out / "sr_inputs.csv") as tmp:
            table.dropna(subset=["e_p_sr"]).to_csv(tmp, index=False)

    def _fold_predictions(self, k: int, fit_rows: np.ndarray, held: np.ndarray) -> np.ndarray:
        """Train fold ``k`` (or reuse its saved predictions) and predict its held-out rows."""
        saved = self.out / "cross_fit" / f"fold{k}.csv"
        if saved.exists():
            table = pd.read_csv(saved)
            if table["row"].tolist() == held.tolist():
                return table["e_p"].to_numpy()
        n_val = max(1, len(fit_rows) // 10)
        order = np.random.default_rng(self.config.seed + 100 + k).permutation(fit_rows)
        model = self._train(np.sort(order[n_val:]), np.sort(order[:n_val]), self.out / "cross_fit" / f"fold{k}")
        pred = model.predict([self.graphs[i] for i in held])
        with atomic_target(saved) as tmp:  # a fold file is trusted on resume: never half-written
            pd.DataFrame({"row": held, "e_p": pred}).to_csv(tmp, index=False)
        return pred

    def screen(self) -> None:
        from sagatsr.screening import rank_features, save_importance

        units = [self.features[name].attrs.get("units", "dimensionless") for name in self.features.data_vars]
        ic = self.model.crystal_importance(self.graphs)
        ranking = rank_features(ic, dict(zip(self.features.data_vars, units)))
        save_importance(ic, ranking, self.out)
        from sagatsr.screening.runstep import screen_diagnostics

        screen_diagnostics(self, ranking)  # SR candidates, IC stability, permutation agreement

    def symbolic_regression(self) -> None:
        from sagatsr.pipeline.formulas import fit_formulas

        fit_formulas(self)

    def report(self) -> None:
        from sagatsr.report import write_report

        write_report(self.out)
