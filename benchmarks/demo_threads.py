"""The whole demo (`sagatsr demo`) with different thread settings, without and with a competing load.

The competing load is N busy-looping processes started beside the demo (what other users' jobs do to
a shared machine). For each setting we record the wall time, the CPU time the demo used (user +
system of the demo process and its children) and the 1-minute load average before the start.
``--threads default`` means no option: sagatsr's own default (free physical cores).
``--threads torch`` approximates the behaviour before the default existed: one thread per core
whatever else runs, with OpenMP threads that spin while they wait (``OMP_WAIT_POLICY=ACTIVE``).

    python benchmarks/demo_threads.py --threads default,1,torch --load 0,2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def _busy(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


def run_demo(threads: str, load: int, short: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SAGATSR_THREADS", "OMP_NUM_THREADS")}
    args = [sys.executable, "-m", "sagatsr", "demo"]
    if threads == "torch":
        env.update(SAGATSR_THREADS=str(os.cpu_count()), OMP_WAIT_POLICY="ACTIVE")
    elif threads != "default":
        args += ["--threads", threads]
    if short:
        env["SAGATSR_SHORT"] = "1"
    loaders = [multiprocessing.Process(target=_busy, args=(time.time() + 3600,), daemon=True) for _ in range(load)]
    for process in loaders:
        process.start()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(args + ["--out", out], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for process in loaders:
        process.terminate()
    if done.returncode != 0:
        raise SystemExit(f"demo failed ({threads}, load {load}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = [line for line in done.stdout.splitlines() if line.startswith("SA-GAT test MAE")]
    return {"threads": threads, "competing_processes": load, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "loadavg_1min_before": round(load_before, 2), "summary": summary[0] if summary else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", default="default,1,torch")
    parser.add_argument("--load", default="0,2", help="numbers of competing busy processes")
    parser.add_argument("--short", action="store_true", help="SAGATSR_SHORT=1 sizes (CI)")
    parser.add_argument("--name", default="demo_threads")
    args = parser.parse_args()
    rows = []
    RESULTS.mkdir(exist_ok=True)
    for load in (int(n) for n in args.load.split(",")):
        for threads in args.threads.split(","):
            rows.append(run_demo(threads, load, args.short))
            print(json.dumps(rows[-1]), flush=True)
            payload = {"cores": os.cpu_count(), "short": args.short, "runs": rows,
                       "note": "other jobs shared the machine; loadavg_1min_before says how busy it was"}
            (RESULTS / f"{args.name}.json").write_text(json.dumps(payload, indent=2))  # after every run


if __name__ == "__main__":
    main()
