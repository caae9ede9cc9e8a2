"""SATNMF fast solver (implicit MMD matrix, sparse graph) vs the dense reference.

    python benchmarks/satnmf_speed.py [--d 6373] [--n 1200] [--m 1300] [--r 128] [--iters 20]

Random non-negative data of the paper's size (d = 6373 ComParE features, N = n + m ≈ 2500,
r = 128, 5 classes). Prints, for both solvers: one fit of ``--iters`` rounds (objective every
round), and the regulariser products alone (VM⁺, VM⁻, VW, VD — the part the fast path
replaces); then the speed-ups and the largest relative difference of the factors.
"""
from __future__ import annotations

import argparse
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--d", type=int, default=6373)
    ap.add_argument("--n", type=int, default=1200)
    ap.add_argument("--m", type=int, default=1300)
    ap.add_argument("--r", type=int, default=128)
    ap.add_argument("--c", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    ys = np.arange(args.n) % args.c
    Xs = rng.random((args.n, args.d)) + 0.2 * np.eye(args.c)[ys] @ rng.random((args.c, args.d))
    Xt = rng.random((args.m, args.d))
    N = args.n + args.m
    print(f"d = {args.d}, n + m = {N}, r = {args.r}, c = {args.c}, {args.iters} rounds, float64")

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

    kw = dict(r=args.r, n_trials=1, max_iter=args.iters, tol=0, random_state=0)
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


if __name__ == "__main__":
    main()
