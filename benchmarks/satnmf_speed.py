"""SATNMF speed: the whole default run, and the fast solver against the dense reference.

    python benchmarks/satnmf_speed.py                      # whole default B -> C (B2C) run
    python benchmarks/satnmf_speed.py --dtype float64 --n-jobs 1     # the same, other settings
    python benchmarks/satnmf_speed.py --solvers [--iters 10]         # fast vs dense solver

Whole run (default): ``python -m stienet satnmf --source B --target C --classes B2C`` with the
package defaults — full-size corpora (synthetic stand-ins unless ``--data-root``), ComParE
features, 5 voted trials — timed as :func:`stienet.closed_set.run_closed_set` with the features
already cached (a first, untimed call computes and caches them). Prints the wall time, the
time of each trial's factorisation, rounds and convergence per trial, UAR, and the load
average of the machine (timings under load are inflated).

``--solvers``: random non-negative data of the paper's size (d = 6373 ComParE features,
N = n + m ≈ 2500, r = 128, 5 classes), float64: one fit of ``--iters`` rounds with both
solvers, and the regulariser products alone (VM⁺, VM⁻, VW, VD — the part the fast path
replaces); then the speed-ups and the largest relative difference of the factors.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import scipy.sparse as sp

from stienet.satnmf import SATNMF, MMDGroups, knn_graph


def timed(fn, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def machine() -> str:
    threads = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}, " + ", ".join(f"{k}={v}" for k, v in threads.items())


def whole_run(args) -> None:
    from stienet.closed_set import ClosedSetConfig, run_closed_set, scaled_features

    cfg = ClosedSetConfig(classes="B2C", data_root=args.data_root, dtype=args.dtype,
                          **({} if args.max_iter is None else {"max_iter": args.max_iter}))
    t = time.perf_counter()
    split, Xs, Xt = scaled_features("B", "C", cfg, progress=False)     # computes + caches once
    print(f"features ready in {time.perf_counter() - t:.1f} s (cached from now on): "
          f"data {split.source['data'].iloc[0]}, n = {len(Xs)}, m = {len(Xt)}, d = {Xs.shape[1]}")
    print(f"machine: {machine()}")
    n_jobs = args.n_jobs
    t, cpu = time.perf_counter(), time.process_time()
    rec = run_closed_set("B", "C", cfg, progress=False, n_jobs=n_jobs)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    hp = rec["hyperparameters"]
    print(f"whole run {rec['method']} B -> C (B2C, data: {rec['data']}; r = {hp['r']}, "
          f"{hp['n_trials']} trials, max_iter {hp['max_iter']}, tol {hp['tol']:g}, {hp['dtype']}, "
          f"n_jobs {'default' if n_jobs is None else n_jobs}): {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(all threads)")
    print(f"  factorisation per trial (s): {rec['factorisation_s_per_trial']}")
    print(f"  rounds per trial: {rec['rounds_per_trial']}; tol reached: {rec['converged_per_trial']}")
    print(f"  relative objective change at the stop: "
          f"{['%.1e' % r for r in rec['rel_change_per_trial']]}")
    print(f"  UAR {rec['metrics']['UAR']:.4f}  WAR {rec['metrics']['WAR']:.4f} ({rec['data']} data)")
    print(f"machine after: {machine()}")


def solvers(args) -> None:
    rng = np.random.default_rng(0)
    ys = np.arange(args.n) % args.c
    Xs = rng.random((args.n, args.d)) + 0.2 * np.eye(args.c)[ys] @ rng.random((args.c, args.d))
    Xt = rng.random((args.m, args.d))
    N = args.n + args.m
    print(f"d = {args.d}, n + m = {N}, r = {args.r}, c = {args.c}, {args.iters} rounds, float64")
    print(f"machine: {machine()}")

    # the regulariser products alone
    V = rng.random((args.r, N))
    mmd = MMDGroups.from_labels(ys, rng.integers(0, args.c, args.m), args.c, 1.0)
    W = knn_graph(np.vstack([Xs, Xt]), 5)
    deg = np.asarray(W.sum(1)).ravel()
    M, Wd = mmd.dense(), W.toarray()
    Mp, Mm = np.maximum(M, 0), np.maximum(-M, 0)

    def fast_products():
        plus, minus = mmd.products(V)
        return plus, minus, (W @ V.T).T, V * deg

    def dense_products():
        return V @ Mp, V @ Mm, V @ Wd, V @ np.diag(deg)

    tf, a = timed(fast_products, 5)
    td, b = timed(dense_products, 3)
    err = max(np.abs(x - y).max() / np.abs(y).max() for x, y in zip(a, b))
    print(f"regulariser products  fast {tf * 1e3:8.1f} ms   dense {td * 1e3:8.1f} ms   "
          f"speed-up {td / tf:6.1f}x   max rel diff {err:.1e}")

    kw = dict(r=args.r, n_trials=1, max_iter=args.iters, tol=0, random_state=0, dtype="float64")
    tf, fast = timed(lambda: SATNMF(**kw).fit(Xs, ys, Xt))
    td, dense = timed(lambda: SATNMF(solver="dense", **kw).fit(Xs, ys, Xt))
    diff = max(np.linalg.norm(getattr(fast, k) - getattr(dense, k)) / np.linalg.norm(getattr(dense, k))
               for k in ("U_", "H_", "V_"))
    rf = fast.trials_[0]["seconds"] / args.iters
    rd = dense.trials_[0]["seconds"] / args.iters
    print(f"one update round      fast {rf * 1e3:8.1f} ms   dense {rd * 1e3:8.1f} ms   "
          f"speed-up {rd / rf:6.1f}x   (incl. the objective)")
    print(f"whole fit ({args.iters} rounds, incl. shared kNN graph + SVMs)  fast {tf:6.1f} s   "
          f"dense {td:6.1f} s   speed-up {td / tf:5.1f}x   factors max rel diff {diff:.1e}")
    assert diff < 1e-6, diff
    assert sp.issparse(W)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--solvers", action="store_true", help="fast vs dense solver on random data")
    ap.add_argument("--data-root", default=None, help="real corpora (default: synthetic)")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--n-jobs", type=int, default=None, help="parallel trials (default: SATNMF's)")
    ap.add_argument("--max-iter", type=int, default=None, help="default: the package default")
    ap.add_argument("--d", type=int, default=6373)
    ap.add_argument("--n", type=int, default=1200)
    ap.add_argument("--m", type=int, default=1300)
    ap.add_argument("--r", type=int, default=128)
    ap.add_argument("--c", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    args = ap.parse_args()
    if args.solvers:
        solvers(args)
    else:
        whole_run(args)


if __name__ == "__main__":
    main()
