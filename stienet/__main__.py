"""Command line of stienet: python -m stienet <command> [options]; <command> --help for more.

commands:
  corpora   summarise corpora (class counts, speakers, sample rates) and one open-set split
  train     train STIENet on one source -> target pair; one result JSON per seed
  notebook  the main job: notebooks/train.ipynb through papermill, progress in the terminal
  closed-set  (alias satnmf) a closed-set method of SATNMF Table 3 (SVM, mSDA, TNMF, FSTSL,
            DBN, DoSL, SATNMF and its special cases) or of skada (CORAL, SA, TCA, JDOT) on one pair
  sweep     a named experiment (pairs, ablation, sensitivity, satnmf, shift), resumable
  report    tables (CSV + Markdown) from result files, next to the papers' numbers; printed
  download  fetch a freely licensed corpus (Berlin EmoDB) into a data root

A corpus is a code (B = Berlin EmoDB, C = CASIA, e = eNTERFACE'05, S = SAVEE, E = Estonian
EEKK; case-sensitive) or the path of a manifest CSV with columns path, emotion, speaker. Without
--data-root (or $STIENET_DATA) the codes use the synthetic stand-ins, generated on first use.

Errors are one line on stderr and exit code 2. Arguments are checked before anything heavy is
imported or any corpus is generated.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from . import __version__
from .checks import (UsageError, check_corpus, check_data_root, check_device, check_method,
                     check_number, check_open_method, check_out_dir, check_pair,
                     check_stienet_run, data_kind, data_line)

EPILOG_METRICS = """\
metrics (open-set, target corpus, model after the last epoch):
  OS   mean recall over the known classes and 'unknown'
  OS*  mean recall over the known classes only (anger, fear, happiness)
  UNK  recall of 'unknown' (target clips of other emotions that were rejected)
  H    harmonic mean of OS* and UNK; high only when both are
"""


class _Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the layout of descriptions and shows every option's default (unless none)."""

    def _get_help_string(self, action):
        if action.default in (None, False) or action.required:
            return action.help
        return super()._get_help_string(action)


def _para(text: str) -> str:
    """A description paragraph wrapped for the terminal (the formatter keeps layouts)."""
    import textwrap

    return textwrap.fill(" ".join(text.split()), 88)


# --- commands -------------------------------------------------------------------------------

def _sample_rates(paths) -> str:
    import soundfile as sf

    rates = set()
    for p in paths:
        try:
            rates.add(sf.info(p).samplerate)
        except (RuntimeError, OSError):
            continue
    return "/".join(str(r) for r in sorted(rates)) or "?"


def _corpora(args: argparse.Namespace) -> int:
    codes = list(dict.fromkeys(args.codes))
    for code in codes:
        check_corpus(code, "--codes")
    pair = [args.source, args.target]
    if pair == [None, None] and len(codes) >= 2:
        pair = codes[:2]
    if (pair[0] is None) != (pair[1] is None):
        raise UsageError("give both --source and --target (or neither)")
    if pair[0] is not None:
        check_pair(*pair)
    check_data_root(args.data_root)
    check_number("--scale", args.scale, low=0, low_open=True)
    check_number("--shift", args.shift, low=0)
    check_number("--sr", args.sr, low=1000, integer=True)
    absent = _absent_below_root(codes + [c for c in pair if c is not None], args.data_root)
    if absent:
        root = args.data_root or "$STIENET_DATA"
        present = [c for c in codes if c not in absent]
        print(f"not in {root}: " + "; ".join(f"{c} ({why})" for c, why in absent.items()),
              file=sys.stderr, flush=True)
        if not present:
            raise UsageError(f"none of {', '.join(codes)} is in {root}")
        codes = present
        if any(c in absent for c in pair if c is not None):
            pair = codes[:2] if len(codes) >= 2 and args.source is None else [None, None]
    print(data_line(codes + [c for c in pair if c is not None], args.data_root), flush=True)

    import numpy as np
    import pandas as pd

    from .data import load_waveforms, open_set_split, resolve_corpus, summarize
    from .data.specs import CORPORA, corpus_name

    tables = {}
    for code in codes + [c for c in pair if c is not None and c not in codes]:
        tables[code] = resolve_corpus(code, data_root=args.data_root, seed=args.seed,
                                      scale=args.scale, shift=args.shift)
    rows = []
    for code in codes:
        table = tables[code]
        audio = load_waveforms(table, sr=args.sr)
        secs = audio.lengths / audio.sr
        spec = CORPORA.get(code)
        rows.append({"corpus": corpus_name(code), "name": spec.name if spec else "manifest",
                     "language": spec.language if spec else "?",
                     "data": table["data"].iloc[0], "files": len(table), "decoded": len(audio),
                     "speakers": table["speaker"].nunique(),
                     "emotions": table["emotion"].nunique(),
                     "file Hz": _sample_rates(table["path"]), "read at Hz": args.sr,
                     "mean s": round(float(np.mean(secs)), 2)})
    print(pd.DataFrame(rows).to_string(index=False))
    print()
    print(summarize(pd.concat([tables[c] for c in codes])).to_string())
    if pair[0] is not None:
        src, tgt = (tables[c] for c in pair)
        split = open_set_split(src, tgt, seed=args.seed)
        print(f"\nopen-set split {corpus_name(pair[0])} -> {corpus_name(pair[1])} "
              f"(data: {src['data'].iloc[0]}; known classes labelled, the rest 'unknown'):")
        print(split.describe().to_string())
    return 0


def _announce_and_scan(corpora, data_root) -> None:
    """Say which data a command reads (first line), then read the file lists of its real
    corpora — no audio decoded, nothing generated — so that a missing folder, a wrong layout or
    a bad manifest row stops the command here, with exit code 2, before any heavy work."""
    print(data_line(corpora, data_root), flush=True)
    _scan_only(corpora, data_root)


def _scan_only(corpora, data_root) -> None:
    """The file lists of the real corpora among ``corpora`` (see :func:`_announce_and_scan`)."""
    if data_kind(corpora, data_root) != "synthetic":
        from .data import load_corpus

        for spec in dict.fromkeys(corpora):
            if data_kind([spec], data_root) == "real":
                load_corpus(spec, data_root=data_root)


def _absent_below_root(corpora, data_root) -> dict:
    """Codes among ``corpora`` that have no folder below the data root (``data_root`` or
    ``$STIENET_DATA``), each with the folder names that were looked for; empty without a root."""
    import os
    from pathlib import Path

    root = data_root or os.environ.get("STIENET_DATA")
    if not root:
        return {}
    from .data.corpus import FOLDER_NAMES
    from .data.specs import CORPORA

    here = {p.name for p in Path(root).expanduser().iterdir() if p.is_dir()}
    return {c: f"{CORPORA[c].name}; looked for a folder named {' or '.join(FOLDER_NAMES[c][:2])}"
            for c in dict.fromkeys(corpora)
            if c in FOLDER_NAMES and not here & set(FOLDER_NAMES[c])}


def _check_threads(threads) -> None:
    if threads is not None:
        check_number("--threads", threads, low=1, integer=True)


def _train_weights(args) -> tuple:
    return (args.alpha, args.beta, args.gamma, args.delta, args.epsilon)


def _train(args: argparse.Namespace) -> int:
    check_stienet_run(args.source, args.target, data_root=args.data_root, epochs=args.epochs,
                      seeds=args.seeds, batch_size=args.batch_size, lr=args.lr,
                      weights=_train_weights(args), phi=args.phi,
                      reject_dropout=args.reject_dropout, scale=args.scale, shift=args.shift,
                      device=args.device)
    check_out_dir(args.out)
    _check_threads(args.threads)
    name = check_open_method(args.method)
    _announce_and_scan([args.source, args.target], args.data_root)
    from .threads import configure_threads

    configure_threads(args.threads)
    from .data.specs import corpus_name
    from .losses import LossWeights
    from .methods import get_method, run_method
    from .results import result_path, save_result
    from .summary import epoch_line, run_summary

    method = get_method(name)
    # deep methods share STIENet's training options (Eq 5 weights and phi act on STIENet only)
    params = dict(weights=LossWeights(*_train_weights(args)), preset=args.preset, phi=args.phi,
                  reject_dropout=args.reject_dropout, lr=args.lr) if method.kind == "deep" else {}
    if args.bn is not None:
        if method.kind != "deep" or method.build is not None or method.runner is not None:
            print(f"error: --bn applies to STIENet only ({name} trains with one BatchNorm pass "
                  "over both domains)", file=sys.stderr)
            return 2
        params["bn"] = args.bn
    for seed in args.seeds:
        print(f"{name} {corpus_name(args.source)} -> {corpus_name(args.target)}, seed {seed}: "
              "loading and decoding the corpora", flush=True)
        record = run_method(name, args.source, args.target, seed=seed, epochs=args.epochs,
                            batch_size=args.batch_size, scale=args.scale, shift=args.shift,
                            data_root=args.data_root, device=args.device, params=params,
                            progress=False,
                            on_epoch=lambda row: print(epoch_line(row, args.epochs * method.stages),
                                                       flush=True))
        path = save_result(record, result_path(args.out, name, record["data"],
                                               args.source, args.target, seed,
                                               record.get("preset")))
        print(run_summary(record, result_path=path), flush=True)
    return 0


def _notebook(args: argparse.Namespace) -> int:
    from pathlib import Path

    check_stienet_run(args.source, args.target, data_root=args.data_root, epochs=args.epochs,
                      seeds=(args.seed,), batch_size=args.batch_size, scale=args.scale,
                      device=args.device, clip_seconds=args.clip_seconds)
    check_number("--tsne-points", args.tsne_points, low=0, integer=True)
    _check_threads(args.threads)
    check_out_dir(args.out)
    if args.output:
        check_out_dir(Path(args.output).parent, "--output")
    _scan_only([args.source, args.target], args.data_root)     # the job prints the data line
    from .job import run_main_job

    return run_main_job(args.source, args.target, output=args.output, out_dir=args.out,
                        parameters=dict(data_root=args.data_root, epochs=args.epochs,
                                        preset=args.preset, seed=args.seed, batch_size=args.batch_size,
                                        synthetic_scale=args.scale, device=args.device,
                                        clip_seconds=args.clip_seconds,
                                        tsne_points=args.tsne_points, threads=args.threads))


def _params(items) -> dict:
    """``KEY=VALUE`` pairs of ``--param``; values read as Python literals (numbers, tuples),
    else kept as text."""
    import ast

    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param takes KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


def _grid(items) -> dict:
    """``KEY=V1,V2,...`` pairs of ``--grid``; every value read as a Python literal."""
    import ast

    out = {}
    for item in items or []:
        key, sep, values = item.partition("=")
        try:
            vals = tuple(ast.literal_eval(v.strip()) for v in values.split(","))
        except (ValueError, SyntaxError):
            vals = ()
        if not sep or not key.strip() or not vals or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            raise UsageError(f"--grid takes KEY=NUMBER,NUMBER,..., e.g. beta=0.01,1,100; got {item!r}")
        out[key.strip()] = vals
    return out


def _satnmf(args: argparse.Namespace) -> int:
    check_pair(args.source, args.target)
    check_data_root(args.data_root)
    check_method(args.method)
    params = _params(args.param)
    grid = _grid(args.grid)
    if grid and args.select == "fixed":
        raise UsageError("--grid is searched only with --select oracle or --select source-cv")
    for name in ("r", "p", "trials", "cv_trials", "max_iter"):
        check_number(f"--{name.replace('_', '-')}", getattr(args, name), low=1, integer=True)
    for name in ("alpha", "beta", "gamma", "lam"):
        check_number(f"--{name}", getattr(args, name), low=0)
    check_number("--C", args.C, low=0, low_open=True)
    check_number("--scale", args.scale, low=0, low_open=True)
    check_number("--shift", args.shift, low=0)
    check_out_dir(args.out)
    _check_threads(args.threads)
    _announce_and_scan([args.source, args.target], args.data_root)
    from threadpoolctl import threadpool_limits

    from .closed_set import SLUGS, ClosedSetConfig, run_closed_set
    from .threads import configure_threads

    threadpool_limits(configure_threads(args.threads))      # BLAS threads = torch threads
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
                              synthetic_shift=args.shift, params=params, select=args.select,
                              cv_trials=args.cv_trials, grid=grid)
        rec = run_closed_set(args.source, args.target, cfg, progress=not args.no_progress)
        slug = SLUGS[rec["method"]] + ("" if args.select == "fixed" else f"-{args.select}")
        path = save_result(rec, result_path(args.out, slug, rec["data"], args.source,
                                            args.target, seed))
        m = rec["metrics"]
        label = {"oracle": " [oracle: uses target labels]",
                 "source-cv": " [source-cv: grid chosen on the source's speakers]"}.get(args.select, "")
        print(f"{rec['method']} {args.source}->{args.target} {'/'.join(rec['label_names'])} "
              f"seed {seed} (data: {rec['data']}, {rec['wall_time_s']:.0f} s){label}: "
              f"UAR {m['UAR']:.4f}  WAR {m['WAR']:.4f}  -> {path}")
    print("UAR: mean recall over the shared classes (chance = 1/classes); WAR: plain accuracy")
    return 0


def _closed_methods(names) -> tuple | None:
    """Paper names of ``--methods`` (any case, ASCII or Greek), checked; None when not given."""
    if not names:
        return None
    for name in names:
        check_method(name, "--methods")
    from .closed_set import method_name

    return tuple(dict.fromkeys(method_name(n) for n in names))


def _sweep(args: argparse.Namespace) -> int:
    check_data_root(args.data_root)
    check_number("--epochs", args.epochs, low=1, integer=True)
    check_number("--batch-size", args.batch_size, low=2, integer=True)
    check_number("--scale", args.scale, low=0, low_open=True)
    check_number("--jobs", args.jobs, low=1, integer=True)
    check_number("--cv-trials", args.cv_trials, low=1, integer=True)
    check_device(args.device)
    _check_threads(args.threads)
    for seed in args.seeds:
        check_number("--seeds", seed, low=0, integer=True)
    check_out_dir(args.out)
    if args.via == "papermill" and args.name != "pairs":
        raise UsageError("--via papermill runs the pairs sweep only")
    if args.cluster:
        from .cluster import parse_cluster

        parse_cluster(args.cluster)
        if args.jobs != 1:
            raise UsageError("--jobs runs on this machine; with --cluster give the workers "
                             "instead (local:N for N worker processes here)")
        if args.via == "papermill":
            raise UsageError("--cluster runs the sweep in-process on the workers, not --via papermill")
    elif args.worker_data_root:
        raise UsageError("--worker-data-root says where --cluster's workers find the corpora; "
                         "it needs --cluster")
    extra = {}
    if args.corpora is not None:
        if args.name != "pairs":
            raise UsageError(f"--corpora chooses the corpora of the pairs sweep; for {args.name} "
                             "use --pair SOURCE TARGET" + (" (satnmf runs SATNMF's own four schemes)"
                                                           if args.name == "satnmf" else ""))
        if len(args.corpora) < 2:
            raise UsageError(f"--corpora needs at least two corpora, got {len(args.corpora)}")
        for i, a in enumerate(args.corpora):
            for b in args.corpora[i + 1:]:
                check_pair(a, b, ("--corpora", "--corpora"))
        extra["corpora"] = tuple(args.corpora)
    if args.pair is not None:
        if args.name not in ("ablation", "sensitivity", "open-ablation"):
            raise UsageError(f"--pair chooses the study pair of ablation, sensitivity and "
                             f"open-ablation, not of {args.name}")
        check_pair(*args.pair, ("--pair SOURCE", "--pair TARGET"))
        extra["study_pair"] = tuple(args.pair)
    methods, closed = ("STIENet",), None
    if args.name == "pairs" and args.methods:
        methods = tuple(dict.fromkeys(check_open_method(m, "--methods") for m in args.methods))
    elif args.name in ("satnmf", "satnmf-oracle", "satnmf-source-cv"):
        closed = _closed_methods(args.methods)
    elif args.methods:
        raise UsageError("--methods applies to the pairs and satnmf sweeps only")
    if args.schemes is not None:
        from .data.specs import ALL_SCHEMES

        if args.name not in ("satnmf", "satnmf-oracle", "satnmf-source-cv"):
            raise UsageError("--schemes chooses the schemes of the satnmf sweeps")
        unknown = [x for x in args.schemes if x not in ALL_SCHEMES]
        if unknown:
            raise UsageError(f"--schemes: unknown scheme(s) {', '.join(unknown)}; schemes are "
                             f"{', '.join(ALL_SCHEMES)}")
        extra["schemes"] = tuple(dict.fromkeys(args.schemes))
    from .experiments import Settings, expand, run_papermill, run_sweep

    settings = Settings(seeds=tuple(args.seeds), presets=tuple(args.presets), methods=methods,
                        epochs=args.epochs,
                        batch_size=args.batch_size, scale=args.scale, data_root=args.data_root, device=args.device,
                        r=args.r, trials=args.trials, max_iter=args.max_iter,
                        cv_trials=args.cv_trials, grid=_grid(args.grid), closed_methods=closed,
                        **extra)
    try:
        specs = expand(args.name, settings)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    corpora = list(dict.fromkeys(c for s in specs for c in (s.source, s.target)))
    if args.dry_run:
        print(data_line(corpora, args.data_root))
        for spec in specs:
            print(spec.path(args.out, settings.data()))
        print(f"{len(specs)} runs")
        return 0
    _announce_and_scan(corpora, args.data_root)
    if args.via == "papermill":
        paths = run_papermill(settings, runs_dir=args.runs_dir, out=args.out)
        print(f"{len(paths)} executed notebooks in {args.runs_dir}/")
        return 0
    if args.cluster:
        from .cluster import run_sweep_on_cluster

        rep = run_sweep_on_cluster(args.name, settings, out=args.out, cluster=args.cluster,
                                   worker_data_root=args.worker_data_root, threads=args.threads)
        where = f"cluster {args.cluster}"
    else:
        rep = run_sweep(args.name, settings, out=args.out, jobs=args.jobs, threads=args.threads)
        where = f"jobs {args.jobs}"
    walls = [w for _, w in rep.done]
    print(f"sweep {args.name} (data: {settings.data()}): {rep.total} runs, {rep.skipped} already "
          f"done, {len(rep.done)} run now ({sum(walls):.0f} s of runs, {rep.wall_s:.0f} s wall, "
          f"{where}), {len(rep.rerun)} unusable file(s) re-run, {len(rep.failed)} failed")
    for spec, err in rep.failed:
        print(f"  FAILED {spec.path(args.out, settings.data())}: {err}", file=sys.stderr)
    return 1 if rep.failed else 0


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    if not (Path(args.out) / args.data).is_dir():   # before the report's pandas/sklearn imports
        raise UsageError(f"no results below {Path(args.out) / args.data} (--out {args.out}, "
                         f"--data {args.data})")
    from .report import write_report

    made = write_report(args.out, args.data)
    if not made:
        print(f"no sweep results below {Path(args.out) / args.data}; nothing to tabulate")
        return 0
    for path in made:
        if path.suffix == ".md":
            print(path.read_text().rstrip() + "\n")
    print("written: " + ", ".join(str(p) for p in made))
    return 0


def _download(args: argparse.Namespace) -> int:
    from .download import download

    download(args.corpus, args.to, url=args.url, force=args.force)
    return 0


# --- parser ---------------------------------------------------------------------------------

def _corpus_options(p) -> None:
    p.add_argument("--source", required=True,
                   help="source corpus (labelled): a code B, C, e, S, E or a manifest CSV path")
    p.add_argument("--target", required=True,
                   help="target corpus (unlabelled in training): a code or a manifest CSV path")


def _data_options(p, scale: float = 1.0) -> None:
    p.add_argument("--data-root", default=None, metavar="DIR",
                   help="folder with one sub-folder per real corpus (emodb/, casia/, ...); "
                   "default: $STIENET_DATA, else the synthetic stand-ins")
    p.add_argument("--scale", type=float, default=scale,
                   help="size of the synthetic stand-ins as a fraction of the real corpora")


def _add_corpora(sub) -> None:
    p = sub.add_parser("corpora", formatter_class=_Help,
                       help="summarise corpora and one open-set split",
                       description=_para("Load corpora and print, per corpus: files, decoded files, "
                       "speakers, emotions, the sample rate(s) of the files and the rate they are "
                       "read at, mean duration; then class counts and the open-set split of a "
                       "pair (known classes labelled, every other emotion 'unknown')."))
    p.add_argument("--codes", nargs="+", default=["B", "C", "e", "S"], metavar="CORPUS",
                   help="corpora to summarise: codes or manifest CSV paths")
    p.add_argument("--source", default=None,
                   help="source of the split shown (default: the first of --codes)")
    p.add_argument("--target", default=None,
                   help="target of the split shown (default: the second of --codes)")
    _data_options(p)
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic stand-ins")
    p.add_argument("--shift", type=float, default=1.0,
                   help="how strongly the synthetic corpora differ (1 = default stand-ins)")
    p.add_argument("--sr", type=int, default=16000, help="sample rate the audio is decoded at")
    p.set_defaults(func=_corpora)


def _threads_option(parser) -> None:
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: one per core this process may use; "
                             "stienet.threads)")


def _preset_option(parser) -> None:
    parser.add_argument("--preset", choices=["paper", "open"], default="paper",
                        help="training recipe: paper = Eq 1-5 as printed; open = beyond the "
                             "paper, makes 'unknown' reachable (stienet.train.PRESETS)")


def _add_train(sub) -> None:
    t = sub.add_parser("train", formatter_class=_Help, epilog=EPILOG_METRICS,
                       help="train STIENet (or an open-set baseline) on one pair (one JSON per seed)",
                       description=_para("Train STIENet (Eq 5) on SOURCE -> TARGET, one run per seed, "
                       "or with --method one of the open-set baselines of its Tables 2-3 (OSBP, LEAD "
                       "on the same network and loop; OSNN, TNMF, ATI, DAOD on ComParE features "
                       "scaled per speaker). Prints one line per epoch (deep methods) and a "
                       "summary; writes OUT/<data>/<method>/<source>_<target>_seed<k>.json."))
    _corpus_options(t)
    t.add_argument("--method", default="STIENet",
                   help="open-set method: STIENet, OSBP, LEAD, OSNN, TNMF, ATI or DAOD (any case)")
    _data_options(t)
    t.add_argument("--epochs", type=int, default=30, help="training epochs (model = last epoch)")
    t.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run per seed")
    t.add_argument("--batch-size", type=int, default=32, help="clips per domain per step")
    t.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    for name, term in (("alpha", "source cross-entropy"), ("beta", "rejection loss, Eq 3"),
                       ("gamma", "MMD, Eq 1"), ("delta", "class MMD, Eq 2"),
                       ("epsilon", "inverse entropy, Eq 4")):
        t.add_argument(f"--{name}", type=float, default=1.0, help=f"Eq 5 weight of the {term}")
    _preset_option(t)
    t.add_argument("--phi", type=float, default=None,
                   help="phi of Eq 4 (> 0); default: the preset's (paper 0.1, open 0.7)")
    t.add_argument("--bn", choices=("domain", "joint"), default=None,
                   help="BatchNorm statistics: per domain (the presets' choice) or one set for "
                        "both domains (stienet.train); default: the preset's")
    t.add_argument("--reject-dropout", type=float, default=0.5,
                   help="dropout rate that makes pseudo-unknown source features (Eq 3)")
    t.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda[:N], mps")
    t.add_argument("--shift", type=float, default=1.0,
                   help="how strongly the synthetic corpora differ (1 = default stand-ins)")
    _threads_option(t)
    t.add_argument("--out", default="results", metavar="DIR", help="root of the result files")
    t.set_defaults(func=_train)


def _add_notebook(sub) -> None:
    n = sub.add_parser("notebook", formatter_class=_Help, epilog=EPILOG_METRICS,
                       help="the main job: run notebooks/train.ipynb via papermill",
                       description=_para("Execute notebooks/train.ipynb (the main job) with papermill "
                       "on a kernel over IPC sockets, printing one line per epoch and a summary; "
                       "writes the executed notebook to OUTPUT and the result JSON below OUT."))
    _corpus_options(n)
    _data_options(n)
    _preset_option(n)
    n.add_argument("--epochs", type=int, default=30, help="training epochs")
    n.add_argument("--seed", type=int, default=0, help="run seed")
    n.add_argument("--batch-size", type=int, default=32, help="clips per domain per step")
    n.add_argument("--clip-seconds", type=float, default=3.0, help="clip length")
    n.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda[:N], mps")
    n.add_argument("--tsne-points", type=int, default=300,
                   help="clips per domain in the t-SNE plots (0: skip)")
    _threads_option(n)
    n.add_argument("--out", default="runs", metavar="DIR",
                   help="root of the result JSON and the executed notebook (runs/ is git-ignored): "
                        "OUT/<data>/STIENet/<source>_<target>_seed<k>_<preset>.json and .ipynb")
    n.add_argument("--output", default=None, metavar="IPYNB",
                   help="write the executed notebook here instead of beside its JSON")
    n.set_defaults(func=_notebook)


def _add_satnmf(sub) -> None:
    from .checks import CLOSED_SET_METHODS

    s = sub.add_parser("closed-set", aliases=["satnmf"], formatter_class=_Help,
                       help="a closed-set method (SATNMF Table 3, skada) on one pair",
                       description=_para("Closed-set cross-corpus run of the SATNMF paper (Luo & Han); "
                       "alpha, beta, gamma, lam, r, p are that paper's symbols, not STIENet's "
                       "(other methods take theirs through --param). --select oracle reproduces "
                       "the paper's protocol: a grid search that reports the best target UAR, "
                       "so it uses target labels; its result file is <method>-oracle/."))
    _corpus_options(s)
    s.add_argument("--classes", nargs="+", default=None,
                   help="emotions, or one scheme name (e2E, E2B, B2C, C2e); default: intersection")
    s.add_argument("--method", default="SATNMF",
                   help=", ".join(CLOSED_SET_METHODS) + " (any case)")
    s.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="a hyper-parameter of a non-SATNMF method, e.g. noise=0.3 (mSDA), "
                   "n_components=32 (SA, TCA); repeatable")
    s.add_argument("--select", choices=["fixed", "source-cv", "oracle"], default="fixed",
                   help="fixed hyper-parameters; the grid chosen by leave-one-speaker-out on the "
                   "source (source-cv); or the paper's oracle grid search (uses target labels)")
    s.add_argument("--r", type=int, default=128, help="NMF rank")
    s.add_argument("--p", type=int, default=5, help="nearest neighbours of the graph")
    s.add_argument("--alpha", type=float, default=1.0, help="weight of the class-wise MMD (Eq 6)")
    s.add_argument("--beta", type=float, default=100.0, help="weight of the label term (Eq 1)")
    s.add_argument("--gamma", type=float, default=100.0, help="weight of the MMD term (Eq 8)")
    s.add_argument("--lam", type=float, default=1.0, help="weight of the graph term (Eq 8)")
    s.add_argument("--label-weights", choices=["binary", "paper"], default="binary",
                   help="E of Eq 2: 0/1 mask, or as printed (0.001 where y = 1)")
    s.add_argument("--C", type=float, default=1.0, help="linear SVM trade-off")
    s.add_argument("--trials", type=int, default=5, help="initialisations voted")
    s.add_argument("--grid", action="append", metavar="KEY=V1,V2,...",
                   help="--select oracle/source-cv: search these values of a hyper-parameter "
                   "instead of the registry's grid, e.g. --grid r=64,128 --grid beta=1,100; "
                   "repeatable (the grid is stored in the result)")
    s.add_argument("--cv-trials", type=int, default=1,
                   help="--select source-cv: SATNMF initialisations per fold (the final fit "
                   "votes --trials)")
    s.add_argument("--max-iter", type=int, default=300,
                   help="update rounds per initialisation, at most (stops earlier at tol)")
    s.add_argument("--scaling", choices=["speaker", "corpus"], default="speaker",
                   help="[0, 1] scaling per speaker (paper) or per corpus")
    s.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run per seed")
    _data_options(s)
    s.add_argument("--shift", type=float, default=1.0,
                   help="how strongly the synthetic corpora differ (1 = default stand-ins)")
    s.add_argument("--out", default="results", help="root of the result files")
    s.add_argument("--no-progress", action="store_true",
                   help="no progress bars (features; trials x rounds)")
    s.add_argument("--threads", type=int, default=None,
                   help="BLAS and torch threads (default: one per core this process may use)")
    s.set_defaults(func=_satnmf)


def _add_sweep(sub) -> None:
    w = sub.add_parser("sweep", formatter_class=_Help,
                       help="run a named sweep (resumable; skips finished runs)",
                       description=_para("Run every missing run of a named sweep: pairs (STIENet "
                       "Tables 2-3), ablation (Fig 2), sensitivity (Fig 3), satnmf (SATNMF "
                       "Table 3, fixed hyper-parameters), satnmf-oracle (the same, the paper's "
                       "grid search on target labels), satnmf-source-cv (the same grids chosen by "
                       "leave-one-speaker-out on the source), shift (synthetic shift knob), open-ablation (the open preset without each of "
                       "its ingredients). One JSON per run below OUT."))
    w.add_argument("name", choices=["pairs", "ablation", "sensitivity", "satnmf", "satnmf-oracle",
                                    "satnmf-source-cv", "shift", "open-ablation"], help="which sweep")
    w.add_argument("--presets", nargs="+", choices=["paper", "open"], default=["paper", "open"],
                   help="STIENet training presets to run")
    w.add_argument("--methods", nargs="+", default=None, metavar="METHOD",
                   help="pairs sweep: open-set methods to run (STIENet, OSBP, LEAD, OSNN, TNMF, "
                        "ATI, DAOD; STIENet once per preset; default STIENet); satnmf and "
                        "satnmf-oracle sweeps: closed-set methods (default: all)")
    w.add_argument("--corpora", nargs="+", metavar="CORPUS", default=None,
                   help="pairs sweep: every ordered pair of these corpus codes or manifest CSV "
                        "paths (default: B C e S)")
    w.add_argument("--pair", nargs=2, metavar=("SOURCE", "TARGET"), default=None,
                   help="ablation / sensitivity / open-ablation: the study pair, codes or "
                        "manifest CSV paths (default: C B)")
    w.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="seeds of every run")
    w.add_argument("--epochs", type=int, default=10, help="STIENet epochs per run")
    w.add_argument("--batch-size", type=int, default=32, help="clips per domain per step")
    _data_options(w, scale=0.25)
    w.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda[:N], mps")
    w.add_argument("--r", type=int, default=128, help="SATNMF rank")
    w.add_argument("--trials", type=int, default=5, help="SATNMF initialisations voted")
    w.add_argument("--grid", action="append", metavar="KEY=V1,V2,...",
                   help="satnmf-oracle / satnmf-source-cv: the values searched instead of the "
                   "registry's grid (as for `satnmf --grid`); repeatable")
    w.add_argument("--cv-trials", type=int, default=1,
                   help="satnmf-source-cv: SATNMF initialisations per fold")
    w.add_argument("--max-iter", type=int, default=300, help="SATNMF rounds (at most)")
    w.add_argument("--schemes", nargs="+", default=None, metavar="SCHEME",
                   help="satnmf sweeps: closed-set schemes (SATNMF's e2E E2B B2C C2e, or B2R R2B "
                        "C2R R2C: B2C's five classes with RAVDESS read from "
                        "DATA_ROOT/ravdess/manifest.csv); default: SATNMF's four")
    w.add_argument("--jobs", type=int, default=1, help="parallel processes")
    w.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="run on Dask: a scheduler tcp://host:8786, local:N (N worker processes "
                        "here) or slurm:N (dask-jobqueue, configured by jobqueue.yaml)")
    w.add_argument("--worker-data-root", default=None, metavar="PATH",
                   help="where the --cluster workers find --data-root (manifests below it "
                        "are moved too); default: the same path")
    w.add_argument("--threads", type=int, default=None,
                   help="torch threads per process (default: the usable cores divided by --jobs; "
                        "with --cluster local:N, each worker's threads, default 1)")
    w.add_argument("--via", choices=["python", "papermill"], default="python",
                   help="run in-process, or as executed notebooks (pairs only)")
    w.add_argument("--runs-dir", default="runs", help="executed notebooks (--via papermill)")
    w.add_argument("--dry-run", action="store_true", help="list the result files and stop")
    w.add_argument("--out", default="results", help="root of the result files")
    w.set_defaults(func=_sweep)


def _add_report(sub) -> None:
    q = sub.add_parser("report", formatter_class=_Help,
                       help="tables from result files (CSV + Markdown), printed",
                       description=_para("Summarise every sweep found below OUT/DATA over seeds (mean "
                       "± std and max, percent) next to the papers' numbers; prints the tables "
                       "and writes them to OUT/DATA/report/."))
    q.add_argument("--out", default="results", help="root of the result files")
    q.add_argument("--data", default="synthetic", choices=["synthetic", "real"],
                   help="which results")
    q.set_defaults(func=_report)


def _add_download(sub) -> None:
    d = sub.add_parser("download", formatter_class=_Help,
                       help="download a freely licensed corpus (emodb)",
                       description=_para("Download Berlin EmoDB from its official source, check it "
                       "and unpack it to DIR/emodb/, the layout --data-root DIR reads. CASIA, "
                       "eNTERFACE'05 and SAVEE are not freely downloadable: see the book page "
                       "'Obtaining the corpora'."))
    d.add_argument("corpus", choices=["emodb"], help="which corpus")
    d.add_argument("--to", default="data", metavar="DIR", help="data root to unpack into")
    d.add_argument("--url", default=None, help="archive URL (default: the official one)")
    d.add_argument("--force", action="store_true", help="replace an existing DIR/emodb")
    d.set_defaults(func=_download)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stienet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"stienet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for add in (_add_corpora, _add_train, _add_notebook, _add_satnmf, _add_sweep, _add_report,
                _add_download):
        add(sub)
    return parser


def _user_errors() -> tuple:
    """Exceptions that mean "the input is wrong", not "the program is wrong"."""
    errors = [ValueError, FileNotFoundError, FileExistsError, NotADirectoryError,
              PermissionError, FloatingPointError]
    audio = sys.modules.get("stienet.data.audio")
    if audio is not None:
        errors.append(audio.UnreadableAudio)
    download = sys.modules.get("stienet.download")
    if download is not None:
        errors.append(download.DownloadError)
    return tuple(errors)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 — filtered just below
        if not isinstance(exc, _user_errors()):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
