"""The same sweep through ``--jobs N`` and ``--cluster local:N``, and Dask's overhead per task.

    python benchmarks/cluster_overhead.py [--workers 2] [--scale 0.25] [--epochs 10]
                                          [--preset paper] [--seeds 0] [--tasks 200]

1. Warms the synthetic stand-ins' cache (so neither path pays their generation).
2. Runs the STIENet ``pairs`` sweep (12 ordered pairs of B, C, e, S; one preset) with
   ``run_sweep(jobs=N)`` and then with ``run_sweep_on_cluster("local:N")``, each into a fresh
   folder, and prints both walls (the cluster's includes starting and closing its workers).
3. On a fresh ``local:N`` cluster, times ``--tasks`` empty tasks submitted one by one and
   gathered (the scheduler's round trip per task), and the cluster's start-up.
4. Checks that both sweeps wrote the same metrics.

Run it with nothing else on the machine.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def _noop(i):
    return i


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--tasks", type=int, default=200)
    args = ap.parse_args()

    from distributed import Client

    from stienet.cluster import build_cluster, run_sweep_on_cluster
    from stienet.data import load_corpus
    from stienet.experiments import Settings, run_sweep

    settings = Settings(seeds=tuple(args.seeds), presets=(args.preset,), epochs=args.epochs,
                        scale=args.scale)
    for code in settings.corpora:
        load_corpus(code, seed=0, scale=args.scale, progress=False)

    walls = {}
    with tempfile.TemporaryDirectory() as tmp:
        outs = {"jobs": Path(tmp) / "jobs", "cluster": Path(tmp) / "cluster"}
        start = time.perf_counter()
        rep = run_sweep("pairs", settings, out=outs["jobs"], jobs=args.workers, progress=False)
        walls["jobs"] = time.perf_counter() - start
        assert not rep.failed, rep.failed
        start = time.perf_counter()
        rep = run_sweep_on_cluster("pairs", settings, out=outs["cluster"],
                                   cluster=f"local:{args.workers}", progress=False)
        walls["cluster"] = time.perf_counter() - start
        assert not rep.failed, rep.failed
        runs = rep.submitted
        same = all(json.loads(p.read_text())["metrics"]
                   == json.loads((outs["jobs"] / p.relative_to(outs["cluster"])).read_text())["metrics"]
                   for p in outs["cluster"].rglob("*.json"))

    start = time.perf_counter()
    local, _ = build_cluster(f"local:{args.workers}")
    client = Client(local)
    client.wait_for_workers(args.workers)
    startup = time.perf_counter() - start
    client.submit(_noop, -1).result()
    start = time.perf_counter()
    for i in range(args.tasks):
        client.submit(_noop, i, pure=False).result()
    round_trip = (time.perf_counter() - start) / args.tasks
    client.close()
    local.close()

    print(f"pairs sweep, {runs} runs (STIENet {args.preset}, {args.epochs} epochs, stand-ins at "
          f"scale {args.scale}, {args.workers} workers of 1 thread)")
    print(f"  --jobs {args.workers}:            {walls['jobs']:7.1f} s wall")
    print(f"  --cluster local:{args.workers}:   {walls['cluster']:7.1f} s wall "
          f"({100 * (walls['cluster'] / walls['jobs'] - 1):+.1f} %), same metrics: {same}")
    print(f"  per run: {(walls['cluster'] - walls['jobs']) / runs:+.2f} s")
    print(f"local:{args.workers} start-up {startup:.1f} s; empty task round trip "
          f"{1000 * round_trip:.1f} ms ({args.tasks} tasks, one at a time)")


if __name__ == "__main__":
    main()
