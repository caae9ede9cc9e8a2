"""How many rounds SATNMF needs: objective, relative change and voted UAR after k rounds.

    python benchmarks/satnmf_convergence.py --scheme B2C --dtype float32 --rounds 300
    python benchmarks/satnmf_convergence.py --scheme B2C --dtype float64 --rounds 300

Runs the package defaults (``ClosedSetConfig``: r = 128, α = 1, β = γ = 100, λ = 1, p = 5,
5 voted trials) on one scheme, with ``tol = 0`` so every trial runs ``--rounds`` rounds, and
after each round in ``--snapshots`` trains the linear SVM on the source codes and votes the
target predictions, exactly as :meth:`stienet.satnmf.SATNMF.fit` does at its stop. Uses the
estimator's own problem set-up, update and objective. Writes one JSON file (objective per round
per trial, UAR/WAR after each snapshot, wall time, data, commit) into ``--out``; chapter
``notebooks/06_satnmf`` plots it and picks ``max_iter`` and ``tol`` from it. The target labels
are used only to report UAR (oracle: not used to fit anything).
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from stienet import __version__
from stienet.closed_set import ClosedSetConfig, scaled_features
from stienet.data import SCHEMES
from stienet.data.synthetic import generator_version
from stienet.metrics import closed_set_metrics
from stienet.paths import atomic_write_bytes
from stienet.results import git_commit
from stienet.satnmf import linear_svm, vote


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scheme", default="B2C", choices=sorted(SCHEMES))
    ap.add_argument("--method", default="SATNMF")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--scale", type=float, default=1.0, help="synthetic corpus size factor")
    ap.add_argument("--data-root", default=None)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--snapshots", default="10,25,50,75,100,150,200,300")
    ap.add_argument("--out", default="results/synthetic/convergence")
    args = ap.parse_args()
    snaps = sorted({int(x) for x in args.snapshots.split(",") if int(x) <= args.rounds})
    src, tgt, _ = SCHEMES[args.scheme]
    cfg = ClosedSetConfig(method=args.method, classes=args.scheme, synthetic_scale=args.scale,
                          data_root=args.data_root, dtype=args.dtype, max_iter=args.rounds, tol=0.0)
    split, Xs, Xt = scaled_features(src, tgt, cfg, progress=False)
    ys, yt = split.source["label"].to_numpy(), split.target["label"].to_numpy()
    c, n = len(split.classes), len(ys)
    start = time.perf_counter()
    model = cfg.estimator()
    preds = {k: [] for k in snaps}

    def on_round(k, U, H, V):
        if k in preds:
            V = V.astype(np.float64)
            preds[k].append(linear_svm(model.C).fit(V[:, :n].T, ys).predict(V[:, n:].T))

    model.set_params(n_jobs=1).fit(Xs, ys, Xt, n_classes=c, callback=on_round)
    wall = time.perf_counter() - start
    data = split.source["data"].iloc[0]
    rec = {"method": args.method, "source": src, "target": tgt, "scheme": args.scheme, "data": data,
           "generator_version": generator_version(data),
           "seed": cfg.seed, "hyperparameters": asdict(cfg), "n_source": n, "n_target": len(yt),
           "objective_per_trial": [tr["objective"] for tr in model.trials_],
           "snapshots": snaps,
           "UAR_oracle": [closed_set_metrics(yt, vote(preds[k], c), c)["UAR"] for k in snaps],
           "WAR_oracle": [closed_set_metrics(yt, vote(preds[k], c), c)["WAR"] for k in snaps],
           "UAR_per_trial_oracle": [[closed_set_metrics(yt, p, c)["UAR"] for p in preds[k]]
                                    for k in snaps],
           "factorisation_s_per_trial": [round(tr["seconds"], 2) for tr in model.trials_],
           "package_version": __version__, "git_commit": git_commit(), "device": "cpu",
           "wall_time_s": round(wall, 1)}
    path = Path(args.out) / f"{args.method}_{args.scheme}_scale{args.scale:g}_{args.dtype}.json"
    atomic_write_bytes(path, json.dumps(rec).encode())
    uar = ", ".join(f"{k}: {100 * u:.1f}" for k, u in zip(snaps, rec["UAR_oracle"]))
    print(f"{args.method} {args.scheme} ({data}, {args.dtype}, {wall:.0f} s): UAR % after k rounds "
          f"{uar} -> {path}")


if __name__ == "__main__":
    main()
