"""Datasets: loaders for structure folders, CSV + tarball, matminer JSON and the built-in demo."""

from sagatsr.data.folds import matbench_folds
from sagatsr.data.loaders import KNOWN_TARGET_UNITS, LoadedDataset, SkippedRow, load_dataset

__all__ = ["load_dataset", "LoadedDataset", "SkippedRow", "matbench_folds", "KNOWN_TARGET_UNITS"]
