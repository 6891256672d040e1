"""Datasets: loaders for structure folders, CSV + tarball, matminer JSON and the built-in demo;
target units (given or documented, never guessed); unlabeled structures for prediction."""

from sagatsr.data.folds import matbench_folds
from sagatsr.data.loaders import KNOWN_TARGET_UNITS, LoadedDataset, SkippedRow, load_dataset
from sagatsr.data.structures import load_for_model, load_structures
from sagatsr.data.targets import DOCUMENTED_UNITS, peek_target, resolve_target_unit

__all__ = ["load_dataset", "load_structures", "load_for_model", "LoadedDataset", "SkippedRow", "matbench_folds",
           "KNOWN_TARGET_UNITS", "DOCUMENTED_UNITS", "peek_target", "resolve_target_unit"]
