"""How hard are the synthetic stand-ins? Calibration table of issue #12.

Runs the project's own closed-set pipeline — openSMILE ComParE functionals
(:func:`stienet.features.compare_features`), each corpus scaled to [0, 1] per speaker
(:func:`stienet.features.minmax_scale`), a linear SVM (:func:`stienet.satnmf.linear_svm`;
cross-corpus settings go through :func:`stienet.closed_set.run_closed_set` with method ``SVM``)
— on the stand-ins of :mod:`stienet.data.synthetic`, for several corpus seeds, and compares
the UAR (percent) with what the same pipeline gives on real speech:

* within a corpus, leave-one-speaker-out (every class of the corpus), and B→C / C→B on the
  three known classes (anger, fear, happiness): the real-corpus measurements quoted in
  issue #12 (EmoDB and CASIA, same pipeline);
* the SATNMF schemes e2E, E2B, B2C, C2e: the SVM column of SATNMF Table 3
  (``stienet/paper_tables.csv``), ± 7 points;
* within e (eNTERFACE'05) and S (SAVEE): between the real CASIA and EmoDB values.

eNTERFACE'05 has 42 speakers; within e uses 7 speaker-independent folds (6 speakers each)
instead of 42 leave-one-speaker-out fits, which would cost six times as much for the same
question. Every other corpus is leave-one-speaker-out.

Usage::

    python benchmarks/calibrate_standins.py                    # full size, seeds 0 1 2
    python benchmarks/calibrate_standins.py --scale 0.25 --seeds 0
    python benchmarks/calibrate_standins.py --jobs 2           # two corpus seeds at a time
    STIENET_CACHE=/tmp/trial python benchmarks/calibrate_standins.py --scale 0.5 --out '' \
        --set e.confuse=0.4 C.confuse=0.25                    # a calibration trial

It prints the table and writes ``<out>/calibration.csv`` (one row per setting and seed) and
``<out>/calibration.md`` (the summary) — ``notebooks/01_corpora`` shows the committed files.
Cost: openSMILE runs once per corpus and seed (~14 clips/s per core; cached afterwards).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stienet import __version__
from stienet.closed_set import ClosedSetConfig, run_closed_set
from stienet.data import load_corpus
from stienet.data.specs import KNOWN_CLASSES, SCHEMES
from stienet.data.synthetic import GENERATOR_VERSION
from stienet.features import compare_features, minmax_scale
from stienet.metrics import closed_set_metrics
from stienet.report import paper_numbers
from stienet.results import git_commit
from stienet.satnmf import linear_svm

#: The same pipeline on the real corpora, UAR percent (quoted in issue #12).
REAL = {"within B": 79.3, "within C": 50.6, "B→C": 47.2, "C→B": 43.6}
ISSUE = "real corpora, same pipeline (issue #12)"
WITHIN_FOLDS = 7  # speaker-independent folds for corpora with more speakers than this


def settings() -> list[dict]:
    """Every row of the table: what is measured, its target interval and where it comes from."""
    svm = paper_numbers("SATNMF")
    svm = svm[(svm["method"] == "SVM") & (svm["metric"] == "UAR")].set_index("pair")["percent"]
    rows = [
        {"setting": "within B", "kind": "within", "args": ("B",), "target": 79.0, "tol": 8.0,
         "classes": 7, "source": ISSUE},
        {"setting": "within C", "kind": "within", "args": ("C",), "target": 51.0, "tol": 8.0,
         "classes": 6, "source": ISSUE},
    ]
    for code, classes in (("e", 6), ("S", 7)):
        rows.append({"setting": f"within {code}", "kind": "within", "args": (code,),
                     "low": REAL["within C"], "high": REAL["within B"], "classes": classes,
                     "source": "between real within-C and within-B (issue #12)"})
    for s, t, target in (("B", "C", 47.0), ("C", "B", 44.0)):
        rows.append({"setting": f"{s}→{t}", "kind": "pair", "args": (s, t, KNOWN_CLASSES),
                     "target": target, "tol": 7.0, "classes": 3, "source": ISSUE})
    for scheme, (s, t, classes) in SCHEMES.items():
        rows.append({"setting": scheme, "kind": "pair", "args": (s, t, scheme),
                     "target": float(svm[scheme]), "tol": 7.0, "classes": len(classes),
                     "source": "SATNMF Table 3, SVM column"})
    for r in rows:
        if "target" in r:
            r["low"], r["high"] = r["target"] - r["tol"], r["target"] + r["tol"]
    return rows


def within_uar(code: str, seed: int, scale: float, progress: bool = False, shift: float = 1.0,
               classes=None, features: str | None = None) -> float:
    """UAR (percent) of the linear SVM within one stand-in, speaker-independent folds; all of
    the corpus's emotions, or only ``classes`` (e.g. the three known classes); all 6373
    ComParE functionals, or only those whose name matches the regular expression ``features``
    (e.g. ``"F0final"``)."""
    table = load_corpus(code, seed=seed, scale=scale, shift=shift, progress=progress)
    feats = compare_features(table, progress=progress)
    keep = np.ones(len(feats.table), bool) if classes is None else \
        feats.table["emotion"].isin(list(classes)).to_numpy()
    if classes is not None and set(classes) - set(feats.table["emotion"]):
        raise ValueError(f"{code} has no clips of {sorted(set(classes) - set(feats.table['emotion']))}")
    cols = np.ones(len(feats.names), bool) if features is None else \
        np.array([re.search(features, name) is not None for name in feats.names])
    if not cols.any():
        raise ValueError(f"no ComParE feature name matches {features!r}")
    table = feats.table[keep]
    speakers = table["speaker"].to_numpy()
    x = minmax_scale(feats.values[keep][:, cols], speakers)
    emotions = sorted(set(table["emotion"]))
    y = table["emotion"].map(emotions.index).to_numpy()
    groups = np.unique(speakers)
    if len(groups) > WITHIN_FOLDS:  # deterministic speaker folds
        fold_of = {g: i % WITHIN_FOLDS for i, g in enumerate(sorted(groups))}
        folds = np.array([fold_of[s] for s in speakers])
    else:
        folds = speakers
    pred = np.empty_like(y)
    for f in np.unique(folds):
        test = folds == f
        pred[test] = linear_svm().fit(x[~test], y[~test]).predict(x[test])
    return 100 * closed_set_metrics(y, pred, len(emotions))["UAR"]


def pair_uar(source: str, target: str, classes, seed: int, scale: float,
             progress: bool = False) -> float:
    """UAR (percent) of the SATNMF paper's source-only SVM baseline on one pair."""
    cfg = ClosedSetConfig(method="SVM", classes=classes, synthetic_seed=seed,
                          synthetic_scale=scale)
    return 100 * run_closed_set(source, target, cfg, progress=progress)["metrics"]["UAR"]


def measure(scale: float, seeds, progress: bool = False, only=None, jobs: int = 1) -> pd.DataFrame:
    """One row per (setting, seed): the measured UAR and the target interval. ``jobs > 1``
    measures that many corpus seeds at once, one process each (openSMILE uses one core)."""
    if jobs > 1 and len(seeds) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=min(jobs, len(seeds))) as pool:
            parts = pool.map(measure, [scale] * len(seeds), [[s] for s in seeds],
                             [progress] * len(seeds), [only] * len(seeds))
            return pd.concat(list(parts), ignore_index=True)
    rows = []
    for seed in seeds:
        for s in settings():
            if only and s["setting"] not in only:
                continue
            start = time.perf_counter()
            if s["kind"] == "within":
                uar = within_uar(*s["args"], seed, scale, progress)
            else:
                uar = pair_uar(*s["args"], seed, scale, progress)
            rows.append({"setting": s["setting"], "seed": seed, "UAR": round(uar, 2),
                         "low": s["low"], "high": s["high"], "classes": s["classes"],
                         "source": s["source"], "scale": scale,
                         "generator_version": GENERATOR_VERSION,
                         "seconds": round(time.perf_counter() - start, 1)})
            if progress:
                print(f"  seed {seed} {s['setting']}: {uar:.1f}", file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def summary(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Mean ± std over seeds per setting; passes when the mean lies in the target interval."""
    out = []
    for setting, g in per_seed.groupby("setting", sort=False):
        mean, std = g["UAR"].mean(), g["UAR"].std(ddof=0)
        low, high = g["low"].iloc[0], g["high"].iloc[0]
        target = (f"{(low + high) / 2:.1f} ± {(high - low) / 2:.0f}"
                  if g["source"].iloc[0] != "between real within-C and within-B (issue #12)"
                  else f"{low:.1f}–{high:.1f}")
        out.append({"setting": setting, "classes": int(g["classes"].iloc[0]),
                    "target UAR": target, "target from": g["source"].iloc[0],
                    "measured UAR": f"{mean:.1f} ± {std:.1f}", "seeds": len(g),
                    "pass": "pass" if low <= mean <= high else "FAIL"})
    return pd.DataFrame(out)


def _short(commit: str | None) -> str:
    """A commit for the table's header: 10 hex digits, keeping the ``-dirty`` mark."""
    if not commit:
        return "unknown"
    return commit[:10] + ("-dirty" if commit.endswith("-dirty") else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the real corpus sizes")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="corpus seeds")
    ap.add_argument("--only", nargs="*", help="settings to run (default: all)")
    ap.add_argument("--out", default="results/synthetic",
                    help="folder for calibration.csv / calibration.md ('' = do not write)")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--jobs", type=int, default=1, help="corpus seeds measured at once (processes)")
    ap.add_argument("--set", nargs="*", default=[], metavar="CODE.field=value",
                    help="try other expression styles (e.g. e.confuse=0.4); use a separate "
                         "STIENET_CACHE: the cache folder does not record the styles")
    args = ap.parse_args(argv)
    names = [r["setting"] for r in settings()]
    if args.only and set(args.only) - set(names):
        ap.error(f"--only expects settings of the table ({', '.join(map(repr, names))}), "
                 f"got {sorted(set(args.only) - set(names))}")
    if args.set:
        if not os.environ.get("STIENET_CACHE"):
            ap.error("--set changes the generated audio but not the cache folder's name: set "
                     "STIENET_CACHE to a separate folder so the default stand-ins stay intact")
        sys.path.insert(0, str(Path(__file__).parent))
        from calibration_proxy import apply
        apply(args.set)
    start = time.perf_counter()
    per_seed = measure(args.scale, args.seeds, args.progress, args.only, args.jobs)
    table = summary(per_seed)
    wall = time.perf_counter() - start
    head = (f"Synthetic stand-ins, generator v{GENERATOR_VERSION}"
            f"{' with ' + ' '.join(args.set) if args.set else ''}, scale {args.scale:g}, "
            f"corpus seeds {' '.join(map(str, args.seeds))}: UAR % of ComParE + per-speaker "
            f"[0, 1] + linear SVM (data: synthetic; stienet {__version__}, commit "
            f"{_short(git_commit())}, {platform.machine()}, wall time {wall:.0f} s)")
    print(head)
    print(table.to_markdown(index=False))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        per_seed.to_csv(out / "calibration.csv", index=False)
        (out / "calibration.md").write_text(head + "\n\n" + table.to_markdown(index=False) + "\n")
        print(f"wrote {out / 'calibration.csv'} and {out / 'calibration.md'}")
    return 0 if (table["pass"] == "pass").all() else 1


if __name__ == "__main__":
    sys.exit(main())
