"""Command line: ``python -m stienet <command>``.

Commands
--------
corpora   Load corpora (synthetic stand-ins unless a data root is given) and print their class
          counts, sample rates, and the open-set split of a pair.
train     Train STIENet on one source -> target pair for one or more seeds; one JSON per run.
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
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
