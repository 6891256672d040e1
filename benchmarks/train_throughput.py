"""Benchmark: training throughput (graphs/s) of SA-GAT vs a CGCNN-style PyG model of equal width.

Both models train on the same graphs (matbench_perovskites rows, or the demo) with the same batch
size, AdamW and L1 loss, in the same process. The CGCNN-style baseline: a linear embedding of the
standardised site features, ``layers`` × ``torch_geometric.nn.CGConv(hidden, dim=edge features,
batch_norm=True)``, mean pooling, and a 2-layer head — the architecture of Xie & Grossman (2018).

Usage: python benchmarks/train_throughput.py [--data ../shared/data/matbench_perovskites | demo]
       [--quick] [--limit 1000] [--epochs 3] [--batch-size 64]
Writes benchmarks/results/train_throughput.json.
"""

from __future__ import annotations

import argparse
import time

import torch
from _model_bench import DEFAULT_PEROVSKITES, perovskite_graphs, write_result
from torch import nn


class CGCNNStyle(nn.Module):
    """Site embedding -> CGConv × layers -> mean pool -> MLP (the CGCNN baseline)."""

    def __init__(self, num_site: int, num_edge: int, hidden: int, layers: int) -> None:
        super().__init__()
        from torch_geometric.nn import CGConv

        from sagatsr.model import Standardize

        self.standardize = Standardize(num_site)
        self.embed = nn.Linear(num_site, hidden)
        self.convs = nn.ModuleList(CGConv(hidden, dim=num_edge, batch_norm=True) for _ in range(layers))
        self.head = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.Softplus(), nn.Linear(2 * hidden, 1))

    def forward(self, batch):
        from torch_geometric.nn import global_mean_pool

        x = self.embed(self.standardize(batch.x))
        for conv in self.convs:
            x = nn.functional.softplus(conv(x, batch.edge_index, batch.edge_attr))
        return self.head(global_mean_pool(x, batch.batch)).squeeze(-1)


def graphs_per_second(model, graphs, epochs: int, batch_size: int) -> float:
    from torch_geometric.loader import DataLoader

    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loader = DataLoader(graphs, batch_size=batch_size, shuffle=True)
    model.train()
    seen, start = 0, None
    for epoch in range(epochs + 1):  # epoch 0 warms up and is not timed
        if epoch == 1:
            seen, start = 0, time.perf_counter()
        for batch in loader:
            optimizer.zero_grad()
            nn.functional.l1_loss(model(batch), batch.y).backward()
            optimizer.step()
            seen += batch.num_graphs
    return seen / (time.perf_counter() - start)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_PEROVSKITES), help='matbench_perovskites folder or "demo"')
    parser.add_argument("--quick", action="store_true", help="500 graphs, 2 timed epochs")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    limit, epochs = (500, 2) if args.quick else (args.limit, args.epochs)
    graphs, _ = perovskite_graphs(args.data, limit)
    torch.manual_seed(0)
    from sagatsr.model import SAGAT

    first = graphs[0]
    from sagatsr.training import TrainConfig

    # the model as `sagatsr train` builds it (the default recipe), at the requested width and depth
    settings = {**TrainConfig().model_kwargs(), "hidden": args.hidden, "layers": args.layers}
    sagat = SAGAT(first.x.size(1), first.u.size(1), first.edge_attr.size(1), **settings)
    sagat.fit_normalization(graphs)
    cgcnn = CGCNNStyle(first.x.size(1), first.edge_attr.size(1), args.hidden, args.layers)
    cgcnn.standardize.fit(torch.cat([g.x for g in graphs]))
    numbers = {}
    for name, model in (("sagat", sagat), ("cgcnn_style_cgconv", cgcnn)):
        numbers[name] = {"graphs_per_second": round(graphs_per_second(model, graphs, epochs, args.batch_size), 1),
                         "parameters": sum(p.numel() for p in model.parameters())}
    numbers["ratio_sagat_over_cgcnn"] = round(numbers["sagat"]["graphs_per_second"]
                                              / numbers["cgcnn_style_cgconv"]["graphs_per_second"], 3)
    return write_result("train_throughput", {
        "data": str(args.data), "n_graphs": len(graphs), "mean_atoms": sum(g.num_nodes for g in graphs) / len(graphs),
        "mean_edges": sum(g.num_edges for g in graphs) / len(graphs), "timed_epochs": epochs,
        "batch_size": args.batch_size, "sagat_settings": settings, **numbers,
        "note": "same graphs, same process, CPU shared with other jobs: compare the ratio, not absolute speed"})


if __name__ == "__main__":
    main()
