"""Graph-cache files: written atomically, and a truncated or foreign one is named and rebuilt
(never an ``OSError: [Errno 22]`` without a file name)."""

from __future__ import annotations

import logging

import torch
from pymatgen.core import Lattice, Structure

from sagatsr.graphs import CrystalGraphBuilder

STRUCTURES = [Structure.from_spacegroup("Fm-3m", Lattice.cubic(a), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
              for a in (5.5, 5.7)]


def _fields(graph):
    return {name: getattr(graph, name) for name in ("x", "u", "edge_index", "edge_attr", "edge_rank")}


def test_damaged_cache_files_are_named_and_rebuilt(tmp_path, caplog):
    builder = CrystalGraphBuilder()
    first = builder.build_many(STRUCTURES, [1.0, 2.0], ["a", "b"], cache_dir=tmp_path, progress=False)
    files = sorted(tmp_path.glob("*.pt"))
    assert len(files) == 2 and not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
    truncated, foreign = files
    truncated.write_bytes(truncated.read_bytes()[:100])
    torch.save({"not": torch.zeros(1)}, foreign)
    with caplog.at_level(logging.WARNING, logger="sagatsr.graphs"):
        again = builder.build_many(STRUCTURES, [1.0, 2.0], ["a", "b"], cache_dir=tmp_path, progress=False)
    messages = [record.getMessage() for record in caplog.records]
    assert any(str(truncated) in m and "unreadable graph cache file" in m and "rebuilding it" in m for m in messages)
    assert any(str(foreign) in m and "not a graph of this version" in m for m in messages)
    for a, b in zip(first, again):
        for name, value in _fields(a).items():
            torch.testing.assert_close(_fields(b)[name], value, rtol=0, atol=0)
    # the rebuilt files are whole again: a third pass reads them without a warning
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="sagatsr.graphs"):
        builder.build_many(STRUCTURES, [1.0, 2.0], ["a", "b"], cache_dir=tmp_path, progress=False)
    assert not caplog.records
