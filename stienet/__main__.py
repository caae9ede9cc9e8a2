"""Command line: ``python -m stienet <command>``.

Commands
--------
corpora   Load corpora (synthetic stand-ins unless a data root is given) and print their class
          counts, sample rates, and the open-set split of a pair.
train     Train STIENet on one source -> target pair for one or more seeds; one JSON per run.
satnmf    SATNMF (or a special case, or the source-only SVM) on one closed-set pair; one JSON.
"""
from __future__ import annotations

import argparse
import sys

from . import __version__


def _corpora(args: argparse.Namespace) -> int:
    import numpy as np

    from .data import CORPORA, load_corpus, load_waveforms, open_set_split, summarize

    tables = {}
    for code in args.codes:
        tables[code] = load_corpus(code, data_root=args.data_root, seed=args.seed,
                                   scale=args.scale, shift=args.shift)
    import pandas as pd
    rows = []
    for code, table in tables.items():
        audio = load_waveforms(table, sr=args.sr)
        secs = audio.lengths / audio.sr
        rows.append({"code": code, "corpus": CORPORA[code].name, "language": CORPORA[code].language,
                     "data": table["data"].iloc[0], "files": len(table), "decoded": len(audio),
                     "speakers": table["speaker"].nunique(), "emotions": table["emotion"].nunique(),
                     "mean s": round(float(np.mean(secs)), 2)})
    print(pd.DataFrame(rows).to_string(index=False))
    print()
    print(summarize(pd.concat(tables.values())).to_string())
    if args.source and args.target:
        split = open_set_split(tables[args.source], tables[args.target], seed=args.seed)
        print(f"\nopen-set split {args.source} -> {args.target} (data: {tables[args.source]['data'].iloc[0]}):")
        print(split.describe().to_string())
    return 0


def _train(args: argparse.Namespace) -> int:
    from .losses import LossWeights
    from .results import result_path, save_result
    from .train import TrainConfig, fit

    weights = LossWeights(args.alpha, args.beta, args.gamma, args.delta, args.epsilon)
    for seed in args.seeds:
        cfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=seed,
                          weights=weights, phi=args.phi, reject_dropout=args.reject_dropout,
                          device=args.device, data_root=args.data_root,
                          synthetic_scale=args.scale, synthetic_shift=args.shift)
        run = fit(args.source, args.target, cfg)
        path = save_result(run.to_json(), result_path(args.out, "STIENet", run.data,
                                                      args.source, args.target, seed))
        m = run.metrics
        print(f"{args.source}->{args.target} seed {seed} (data: {run.data}, {run.device}, "
              f"{run.wall_time_s:.0f} s): OS {m['OS']:.4f}  OS* {m['OS*']:.4f}  UNK {m['UNK']:.4f}  "
              f"H {m['H']:.4f}  -> {path}")
    return 0


def _satnmf(args: argparse.Namespace) -> int:
    from .closed_set import SLUGS, ClosedSetConfig, run_closed_set
    from .results import result_path, save_result

    classes = args.classes
    if classes and len(classes) == 1:
        classes = classes[0]           # a scheme name such as B2C
    for seed in args.seeds:
        cfg = ClosedSetConfig(method=args.method, classes=classes, r=args.r, alpha=args.alpha,
                              beta=args.beta, gamma=args.gamma, lam=args.lam, p=args.p,
                              label_weights=args.label_weights, C=args.C, n_trials=args.trials,
                              max_iter=args.max_iter, seed=seed, scaling=args.scaling,
                              data_root=args.data_root, synthetic_scale=args.scale,
                              synthetic_shift=args.shift)
        rec = run_closed_set(args.source, args.target, cfg)
        path = save_result(rec, result_path(args.out, SLUGS[rec["method"]], rec["data"],
                                            args.source, args.target, seed))
        m = rec["metrics"]
        print(f"{rec['method']} {args.source}->{args.target} {'/'.join(rec['label_names'])} "
              f"seed {seed} (data: {rec['data']}, {rec['wall_time_s']:.0f} s): "
              f"UAR {m['UAR']:.4f}  WAR {m['WAR']:.4f}  -> {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stienet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"stienet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("corpora", help="summarise corpora (synthetic unless --data-root)")
    p.add_argument("--codes", nargs="+", default=["B", "C", "e", "S"])
    p.add_argument("--data-root", default=None,
                   help="folder with one sub-folder per corpus (default: $STIENET_DATA, else synthetic)")
    p.add_argument("--source", default="B")
    p.add_argument("--target", default="C")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", type=float, default=1.0, help="synthetic corpus size factor")
    p.add_argument("--shift", type=float, default=1.0, help="synthetic corpus-difference factor")
    p.add_argument("--sr", type=int, default=16000)
    p.set_defaults(func=_corpora)

    t = sub.add_parser("train", help="train STIENet on one pair (one JSON result per seed)")
    t.add_argument("--source", required=True)
    t.add_argument("--target", required=True)
    t.add_argument("--data-root", default=None)
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--seeds", type=int, nargs="+", default=[0])
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--lr", type=float, default=1e-3)
    for name in ("alpha", "beta", "gamma", "delta", "epsilon"):
        t.add_argument(f"--{name}", type=float, default=1.0, help=f"Eq 5 weight {name}")
    t.add_argument("--phi", type=float, default=0.1, help="phi of Eq 4 (> 0)")
    t.add_argument("--reject-dropout", type=float, default=0.5)
    t.add_argument("--device", default="auto")
    t.add_argument("--scale", type=float, default=1.0, help="synthetic corpus size factor")
    t.add_argument("--shift", type=float, default=1.0, help="synthetic corpus-difference factor")
    t.add_argument("--out", default="results")
    t.set_defaults(func=_train)

    s = sub.add_parser("satnmf", help="SATNMF / special cases / source-only SVM on a closed-set pair",
                       description="Closed-set cross-corpus run of the SATNMF paper (Luo & Han); "
                       "alpha, beta, gamma, lam, r, p are that paper's symbols, not STIENet's.")
    s.add_argument("--source", required=True)
    s.add_argument("--target", required=True)
    s.add_argument("--classes", nargs="+", default=None,
                   help="emotions, or one scheme name (e2E, E2B, B2C, C2e); default: intersection")
    s.add_argument("--method", default="SATNMF",
                   help="SVM, SNMF, SNMF-gamma, STNMF-lambda, SATNMF or TNMF")
    s.add_argument("--r", type=int, default=128)
    s.add_argument("--p", type=int, default=5)
    s.add_argument("--alpha", type=float, default=1.0)
    s.add_argument("--beta", type=float, default=100.0)
    s.add_argument("--gamma", type=float, default=100.0)
    s.add_argument("--lam", type=float, default=1.0)
    s.add_argument("--label-weights", choices=["paper", "binary"], default="paper")
    s.add_argument("--C", type=float, default=1.0, help="linear SVM trade-off")
    s.add_argument("--trials", type=int, default=5, help="initialisations voted")
    s.add_argument("--max-iter", type=int, default=200)
    s.add_argument("--scaling", choices=["speaker", "corpus"], default="speaker")
    s.add_argument("--seeds", type=int, nargs="+", default=[0])
    s.add_argument("--data-root", default=None)
    s.add_argument("--scale", type=float, default=1.0, help="synthetic corpus size factor")
    s.add_argument("--shift", type=float, default=1.0, help="synthetic corpus-difference factor")
    s.add_argument("--out", default="results")
    s.set_defaults(func=_satnmf)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
