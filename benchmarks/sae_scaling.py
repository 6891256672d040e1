"""Benchmark: cost of the self-adaptable encoding vs number of features (the paper claims O(n)).

Times forward + backward of :class:`~sagatsr.model.SelfAdaptableEncoding` on a batch of rows for
N = 10 → 1000 features (binned and Gaussian modes) and fits the log-log slope of time vs N.

Usage: python benchmarks/sae_scaling.py [--quick] [--rows 512] [--dim 64]
Writes benchmarks/results/sae_scaling.json.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _model_bench import write_result

from sagatsr.model import SelfAdaptableEncoding


def time_once(sae: SelfAdaptableEncoding, values: torch.Tensor, repeats: int) -> float:
    """Fastest of ``repeats`` forward + backward passes (the minimum resists noise from other jobs
    sharing the CPU)."""
    times = []
    for _ in range(repeats + 1):
        sae.zero_grad(set_to_none=True)
        start = time.perf_counter()
        vector, ics = sae(values)
        (vector.square().mean() + ics.max()).backward()
        times.append(time.perf_counter() - start)
    return float(np.min(times[1:]))  # the first call warms up


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument("--rows", type=int, default=512)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    sizes = [10, 100, 1000] if args.quick else [10, 20, 50, 100, 200, 500, 1000]
    repeats = 5 if args.quick else 15
    torch.manual_seed(0)
    results = {}
    for mode in ("binned", "gaussian"):
        seconds = []
        for n in sizes:
            values = torch.randn(args.rows, n) * torch.logspace(-3, 3, n)
            sae = SelfAdaptableEncoding(n, args.dim, mode=mode, num_bins=250)
            sae.fit_ranges(values)
            seconds.append(time_once(sae, values, repeats))
        slope_all = float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])
        large = [i for i, n in enumerate(sizes) if n >= 100]
        slope_large = float(np.polyfit(np.log(np.array(sizes)[large]), np.log(np.array(seconds)[large]), 1)[0])
        local = np.diff(np.log(seconds)) / np.diff(np.log(sizes))
        results[mode] = {"n_features": sizes, "seconds_fwd_bwd": seconds,
                         "loglog_slope": slope_all, "loglog_slope_n_ge_100": slope_large,
                         "local_slopes": [round(float(v), 2) for v in local]}
    return write_result("sae_scaling", {"rows": args.rows, "dim": args.dim, "quick": args.quick, "results": results,
                                        "note": "slope 1 = linear in the number of features (the paper's O(n)); a step in the local "
                                                "slopes where the [rows, N, dim] intermediate outgrows the CPU cache is "
                                                "a memory effect, not extra work per feature"})


if __name__ == "__main__":
    main()
