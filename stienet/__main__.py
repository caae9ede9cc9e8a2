"""Command line: ``python -m stienet <command>``.

Commands
--------
corpora   Load corpora (synthetic stand-ins unless a data root is given) and print their class
          counts, sample rates, and the open-set split of a pair.
train     Train STIENet on one source -> target pair for one or more seeds; one JSON per run.
satnmf    SATNMF (or a special case, or the source-only SVM) on one closed-set pair; one JSON.
sweep     A named experiment (pairs, ablation, sensitivity, satnmf, shift), resumable.
report    Tables (CSV + Markdown) from result files, next to the papers' numbers.
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
        rec = run_closed_set(args.source, args.target, cfg, progress=not args.no_progress)
        path = save_result(rec, result_path(args.out, SLUGS[rec["method"]], rec["data"],
                                            args.source, args.target, seed))
        m = rec["metrics"]
        print(f"{rec['method']} {args.source}->{args.target} {'/'.join(rec['label_names'])} "
              f"seed {seed} (data: {rec['data']}, {rec['wall_time_s']:.0f} s): "
              f"UAR {m['UAR']:.4f}  WAR {m['WAR']:.4f}  -> {path}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from .experiments import Settings, expand, run_papermill, run_sweep

    settings = Settings(seeds=tuple(args.seeds), epochs=args.epochs, batch_size=args.batch_size,
                        scale=args.scale, data_root=args.data_root, device=args.device,
                        r=args.r, trials=args.trials, max_iter=args.max_iter)
    specs = expand(args.name, settings)
    if args.dry_run:
        for spec in specs:
            print(spec.path(args.out, settings.data()))
        print(f"{len(specs)} runs")
        return 0
    if args.via == "papermill":
        if args.name != "pairs":
            raise ValueError("--via papermill runs the pairs sweep only")
        paths = run_papermill(settings, runs_dir=args.runs_dir, out=args.out)
        print(f"{len(paths)} executed notebooks in {args.runs_dir}/")
        return 0
    rep = run_sweep(args.name, settings, out=args.out, jobs=args.jobs)
    walls = [w for _, w in rep.done]
    print(f"sweep {args.name} (data: {settings.data()}): {rep.total} runs, {rep.skipped} already "
          f"done, {len(rep.done)} run now ({sum(walls):.0f} s of runs, {rep.wall_s:.0f} s wall, "
          f"jobs {args.jobs}), {len(rep.rerun)} unusable file(s) re-run, {len(rep.failed)} failed")
    for spec, err in rep.failed:
        print(f"  FAILED {spec.path(args.out, settings.data())}: {err}", file=sys.stderr)
    return 1 if rep.failed else 0


def _report(args: argparse.Namespace) -> int:
    from .report import write_report

    for path in write_report(args.out, args.data):
        print(path)
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
    s.add_argument("--label-weights", choices=["binary", "paper"], default="binary",
                   help="E of Eq 2: 0/1 mask (default) or as printed (0.001 on y = 1)")
    s.add_argument("--C", type=float, default=1.0, help="linear SVM trade-off")
    s.add_argument("--trials", type=int, default=5, help="initialisations voted")
    s.add_argument("--max-iter", type=int, default=300, help="at most; stops earlier at tol")
    s.add_argument("--scaling", choices=["speaker", "corpus"], default="speaker")
    s.add_argument("--seeds", type=int, nargs="+", default=[0])
    s.add_argument("--data-root", default=None)
    s.add_argument("--scale", type=float, default=1.0, help="synthetic corpus size factor")
    s.add_argument("--shift", type=float, default=1.0, help="synthetic corpus-difference factor")
    s.add_argument("--out", default="results")
    s.add_argument("--no-progress", action="store_true",
                   help="no progress bars (features, trials x rounds)")
    s.set_defaults(func=_satnmf)

    w = sub.add_parser("sweep", help="run a named sweep (resumable; skips finished runs)")
    w.add_argument("name", choices=["pairs", "ablation", "sensitivity", "satnmf", "shift"])
    w.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    w.add_argument("--epochs", type=int, default=10)
    w.add_argument("--batch-size", type=int, default=32)
    w.add_argument("--scale", type=float, default=0.25, help="synthetic corpus size factor")
    w.add_argument("--data-root", default=None)
    w.add_argument("--device", default="auto")
    w.add_argument("--r", type=int, default=128, help="SATNMF rank")
    w.add_argument("--trials", type=int, default=5, help="SATNMF initialisations voted")
    w.add_argument("--max-iter", type=int, default=300, help="SATNMF rounds (at most)")
    w.add_argument("--jobs", type=int, default=1, help="parallel processes")
    w.add_argument("--via", choices=["python", "papermill"], default="python")
    w.add_argument("--runs-dir", default="runs", help="executed notebooks (--via papermill)")
    w.add_argument("--dry-run", action="store_true", help="list the result files and stop")
    w.add_argument("--out", default="results")
    w.set_defaults(func=_sweep)

    q = sub.add_parser("report", help="tables from result files (CSV + Markdown)")
    q.add_argument("--out", default="results")
    q.add_argument("--data", default="synthetic", choices=["synthetic", "real"])
    q.set_defaults(func=_report)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
