"""Command line: ``python -m stienet <command>``.

Commands
--------
corpora   Load corpora (synthetic stand-ins unless a data root is given) and print their class
          counts, sample rates, and the open-set split of a pair.
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
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
