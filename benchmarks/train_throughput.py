"""Benchmark: training throughput (graphs/s) of SA-GAT vs a CGCNN-style PyG model of equal width.

Both models train on the same graphs (matbench_perovskites rows, or the demo) with the same batch
size, optimizer (sagatsr's fused AdamW; ``--plain-adamw``: torch's default AdamW) and L1 loss, in
the same process, epoch by epoch in turn (so both see the same load on a shared machine).
Throughput is counted in CPU time of this process (``time.process_time``, one torch thread): other
jobs on the machine slow the wall clock, not the CPU seconds a training step needs. Wall-clock
rates are reported too. The CGCNN-style baseline: a linear embedding of the standardised site
features, ``layers`` × ``torch_geometric.nn.CGConv(hidden, dim=edge features, batch_norm=True)``,
mean pooling, and a 2-layer head — the architecture of Xie & Grossman (2018).

``--profile`` adds the forward+backward CPU time per part of one SA-GAT training step (site and
crystal SAE, shell attention, its rank-bias term, angle updates, readout, optimizer) from the
PyTorch profiler, and the CPU time of batching the graphs (data loading).

Usage: python benchmarks/train_throughput.py [--data ../shared/data/matbench_perovskites | demo]
       [--quick] [--limit 1000] [--epochs 3] [--batch-size 64] [--threads 1] [--angle-layers A]
       [--sae-mode MODE] [--model-arg NAME=INT ...] [--profile] [--plain-adamw] [--name NAME]
Writes benchmarks/results/train_throughput.json (or NAME.json).
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


def _epoch(model, optimizer, loader) -> tuple[int, float, float]:
    """One training epoch: (graphs, CPU seconds, wall seconds)."""
    model.train()
    seen, cpu, wall = 0, time.process_time(), time.perf_counter()
    for batch in loader:
        optimizer.zero_grad()
        nn.functional.l1_loss(model(batch), batch.y).backward()
        optimizer.step()
        seen += batch.num_graphs
    return seen, time.process_time() - cpu, time.perf_counter() - wall


def throughput(models: dict, graphs, epochs: int, batch_size: int, plain_adamw: bool = False) -> dict:
    """Graphs per CPU second and per wall second of each model, epochs interleaved; epoch 0 warms up.
    Both use sagatsr's optimizer (fused AdamW), or torch's default AdamW with ``plain_adamw``."""
    from torch_geometric.loader import DataLoader

    from sagatsr.training.module import adamw

    loader = DataLoader(graphs, batch_size=batch_size, shuffle=True)
    optimizers = {name: torch.optim.AdamW(model.parameters(), lr=1e-3) if plain_adamw
                  else adamw(model.parameters(), lr=1e-3) for name, model in models.items()}
    totals = {name: [0, 0.0, 0.0] for name in models}
    for epoch in range(epochs + 1):
        for name, model in models.items():
            seen, cpu, wall = _epoch(model, optimizers[name], loader)
            if epoch > 0:
                totals[name] = [t + v for t, v in zip(totals[name], (seen, cpu, wall))]
    return {name: {"graphs_per_cpu_second": round(seen / cpu, 1), "graphs_per_wall_second": round(seen / wall, 1),
                   "parameters": sum(p.numel() for p in models[name].parameters())}
            for name, (seen, cpu, wall) in totals.items()}


def _labelled(module, label: str) -> None:
    """Run ``module``'s forward inside a profiler range called ``label``."""
    from torch.profiler import record_function

    forward = module.forward

    def wrapped(*args, **kwargs):
        with record_function(label):
            return forward(*args, **kwargs)

    module.forward = wrapped


def _rank_bias_ms(conv, batch, repeats: int = 20) -> float:
    """CPU ms of the shell-rank term of one attention layer, as the layer computes it: the bias
    rows, the softmax of scores and bias together (twice as wide as the scores' alone), and the
    softmax that combines them (which exists only because of the bias)."""
    from sagatsr.model.incoming import IncomingEdges

    incoming, heads = IncomingEdges(batch.edge_index[1], batch.num_nodes), conv.heads
    scores = torch.randn(batch.edge_index.size(1), heads, requires_grad=True)
    started = time.process_time()
    for _ in range(repeats):
        bias = conv.rank_bias.weight.index_select(0, batch.edge_rank.clamp(0, conv.max_rank))
        both = incoming.softmax(torch.cat([scores, bias], dim=-1))
        alpha = incoming.softmax(both[:, :heads] + both[:, heads:])
        alpha.backward(torch.ones_like(alpha))
    return 1000 * (time.process_time() - started) / repeats


def profile_step(model, graphs, batch_size: int, plain_adamw: bool = False) -> dict:
    """CPU ms per batch: forward time of each part of SA-GAT, backward and optimizer in total, the
    shell-rank term (forward + backward, all layers) and batching the graphs (data loading)."""
    from torch.profiler import ProfilerActivity, profile, record_function
    from torch_geometric.data import Batch

    parts = {"site_sae": [model.site_encoder], "crystal_sae": [model.crystal_encoder],
             "shell_attention": list(model.convs), "angle_updates": list(getattr(model, "angle_updates", [])),
             "head": [model.head]}
    for label, modules in parts.items():
        for module in modules:
            _labelled(module, label)
    from sagatsr.training.module import adamw

    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3) if plain_adamw else adamw(model.parameters(), lr=1e-3)
    starts = range(0, len(graphs), batch_size)
    started = time.process_time()
    batches = [Batch.from_data_list(graphs[i:i + batch_size]) for i in starts]
    batching = 1000 * (time.process_time() - started) / len(batches)
    batches = batches[:8]
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for batch in batches:
            with record_function("forward_total"):
                loss = nn.functional.l1_loss(model(batch), batch.y)
            with record_function("backward_total"):
                optimizer.zero_grad()
                loss.backward()
            with record_function("optimizer"):
                optimizer.step()
    labels = {*parts, "forward_total", "backward_total", "optimizer"}
    times = {e.key: round(e.cpu_time_total / 1000 / len(batches), 2) for e in prof.key_averages() if e.key in labels}
    times["readout_and_rest_of_forward"] = round(times["forward_total"] - sum(times.get(k, 0.0) for k in parts), 2)
    times["shell_rank_bias_fwd_bwd_all_layers"] = round(len(model.convs) * _rank_bias_ms(model.convs[0], batches[0]), 2)
    times["batching_graphs"] = round(batching, 2)
    return times


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_PEROVSKITES), help='matbench_perovskites folder or "demo"')
    parser.add_argument("--quick", action="store_true", help="500 graphs, 2 timed epochs")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--angle-layers", type=int, default=0, help="SA-GAT with bond-angle updates")
    parser.add_argument("--sae-mode", default=None, help="SAE mode (default: the training recipe's)")
    parser.add_argument("--model-arg", action="append", default=[], metavar="NAME=INT",
                        help="another integer model hyper-parameter (repeatable), e.g. num_basis=16")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (CPU-time rates assume 1)")
    parser.add_argument("--profile", action="store_true", help="per-part CPU time of a SA-GAT step")
    parser.add_argument("--plain-adamw", action="store_true",
                        help="torch's default AdamW for both models (as before sagatsr trained with the fused one)")
    parser.add_argument("--name", default="train_throughput")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    limit, epochs = (500, 2) if args.quick else (args.limit, args.epochs)
    graphs, _ = perovskite_graphs(args.data, limit)
    torch.manual_seed(0)
    from sagatsr.training import TrainConfig

    first = graphs[0]
    # the model as `sagatsr train` builds it (the default recipe), at the requested width and depth
    config = TrainConfig(hidden=args.hidden, layers=args.layers, angle_layers=args.angle_layers,
                         **({"sae_mode": args.sae_mode} if args.sae_mode else {}),
                         **{name: int(value) for name, _, value in (item.partition("=") for item in args.model_arg)})
    sagat = config.build_model((first.x.size(1), first.u.size(1), first.edge_attr.size(1)))
    sagat.fit_normalization(graphs)
    cgcnn = CGCNNStyle(first.x.size(1), first.edge_attr.size(1), args.hidden, args.layers)
    cgcnn.standardize.fit(torch.cat([g.x for g in graphs]))
    numbers = throughput({"sagat": sagat, "cgcnn_style_cgconv": cgcnn}, graphs, epochs, args.batch_size,
                         args.plain_adamw)
    for kind in ("cpu", "wall"):
        numbers[f"ratio_sagat_over_cgcnn_{kind}"] = round(numbers["sagat"][f"graphs_per_{kind}_second"]
                                                          / numbers["cgcnn_style_cgconv"][f"graphs_per_{kind}_second"], 3)
    if args.profile:
        numbers["sagat_profile_cpu_ms_per_batch"] = profile_step(sagat, graphs, args.batch_size,
                                                                 args.plain_adamw)
    return write_result(args.name, {
        "data": str(args.data), "n_graphs": len(graphs), "mean_atoms": sum(g.num_nodes for g in graphs) / len(graphs),
        "mean_edges": sum(g.num_edges for g in graphs) / len(graphs), "timed_epochs": epochs,
        "batch_size": args.batch_size, "threads": args.threads,
        "optimizer": "AdamW (torch default)" if args.plain_adamw else "AdamW, fused (sagatsr.training.module.adamw)",
        "sagat_settings": config.model_kwargs(), **numbers,
        "note": "same graphs, same process, epochs interleaved; rates per CPU second of this process are robust "
                "to other jobs on the machine, wall-clock rates are not"})


if __name__ == "__main__":
    main()
