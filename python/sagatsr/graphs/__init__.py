"""Crystal graphs: periodic neighbour lists, Gaussian distance expansion, distance-shell ranks."""

from sagatsr.graphs.builder import CrystalGraphBuilder, shell_ranks

__all__ = ["CrystalGraphBuilder", "shell_ranks"]
