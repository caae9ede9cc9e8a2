"""A fast stand-in for the calibration table: the generator's expression model without audio.

``benchmarks/calibrate_standins.py`` renders every clip and runs openSMILE (about 20 minutes
for the full table), so trying one setting of :data:`stienet.data.synthetic.CORPUS_STYLES` costs
10–20 minutes. This script samples only the 9 profile values of each utterance
(:func:`stienet.data.synthetic.utterance_profile`, the same function ``synthesize`` calls),
standardises them per speaker (standing for the per-speaker [0, 1] scaling of ComParE) and runs
a linear SVM on them for the rows of the calibration table: the cross-corpus settings (B→C, C→B,
e2E, E2B, B2C, C2e) and within-corpus speaker-independent folds. One setting takes ~2 s.

It is a *proxy*: no phonetics, channel, tones or feature extraction. Compared with the audio
pipeline on 7 settings at scale 0.5 (trials G–K, P, Q of
``results/synthetic/calibration_trials.md``) it tracks the scheme rows (e2E, E2B, B2C, C2e) to
within about 7 points, but reads 8–21 points high on B→C, 3–15 on C→B and 13–25 on the
within-corpus rows. Use it to rank candidate settings, then check the best with ``calibrate_standins.py``.

``--scan-draws CODE`` is how generator version 3 was calibrated. The corpus deltas are one
random draw per corpus (``CorpusStyle.draw``), and which draw a corpus gets decides whether its
cross-corpus rows come out easy or hard (re-drawing e's deltas moves the proxy's e2E from 5 to
85 %). The scan prints the proxy rows a corpus takes part in for a range of its draws; the
candidates whose rows sit where the audio targets need them are then checked with the audio
pipeline (``calibrate_standins.py --set CODE.draw=N``). The proxy only ranks: how far it reads
above or below the audio differs from draw to draw (by up to ~10 points on the same row), so a
draw is chosen only on its audio numbers (``results/synthetic/calibration_trials.md``).

Usage::

    python benchmarks/calibration_proxy.py                         # the current styles
    python benchmarks/calibration_proxy.py --set e.confuse=0.4 C.disagree=3.5
    python benchmarks/calibration_proxy.py --scan-draws e --draws 0 200
"""
from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.metrics import recall_score
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.svm import LinearSVC

from stienet.data import synthetic as syn
from stienet.data.specs import KNOWN_CLASSES, SCHEMES, get_spec

#: Cross-corpus rows of the calibration table: name -> (source, target, classes).
CROSS = {"B→C": ("B", "C", KNOWN_CLASSES), "C→B": ("C", "B", KNOWN_CLASSES),
         **{name: scheme for name, scheme in SCHEMES.items()}}


def sample_profiles(code: str, classes, per_class: int, seed: int, rng: np.random.Generator):
    """``per_class`` utterance profiles per class, spread over the corpus's speakers (corpus seed
    ``seed``), in profile units and standardised per speaker; returns (X, y, speaker)."""
    speakers = syn._speakers(code, seed)
    names = list(speakers)
    x, y, who = [], [], []
    for k, emotion in enumerate(classes):
        for i in range(per_class):
            name = names[i % len(names)]
            x.append(syn.utterance_profile(code, emotion, speakers[name], rng) / syn.PROFILE_UNIT)
            y.append(k)
            who.append(name)
    x, who = np.array(x), np.array(who)
    for name in names:
        rows = who == name
        x[rows] = (x[rows] - x[rows].mean(0)) / (x[rows].std(0) + 1e-9)
    return x, np.array(y), who


def _svm():
    return LinearSVC(C=0.1, random_state=0)


def cross_uar(source: str, target: str, classes, seeds=(0, 1, 2), per_class: int = 150) -> float:
    """Proxy UAR (%) of a linear SVM trained on ``source`` profiles, tested on ``target``."""
    uar = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        xs, ys, _ = sample_profiles(source, classes, per_class, seed, rng)
        xt, yt, _ = sample_profiles(target, classes, per_class, seed, rng)
        uar.append(100 * recall_score(yt, _svm().fit(xs, ys).predict(xt), average="macro"))
    return float(np.mean(uar))


def proxy_table(seeds=(0, 1, 2), per_class: int = 150, within_per_class: int = 80) -> pd.DataFrame:
    """Proxy UAR (%) per calibration row, mean over corpus seeds."""
    rows = [{"setting": name, "proxy UAR": cross_uar(source, target, classes, seeds, per_class)}
            for name, (source, target, classes) in CROSS.items()]
    rows += [{"setting": f"within {code}", "proxy UAR": row_uar(f"within {code}", seeds,
                                                                 within_per_class)}
             for code in "BCeS"]
    return pd.DataFrame(rows).set_index("setting")


#: The fields of :class:`stienet.data.synthetic.CorpusStyle` the expression model reads (the
#: others shape channel and phonetics, which the proxy does not render).
EXPRESSION_FIELDS = ("acting", "spread", "blend", "disagree", "actors", "confuse", "draw")


def apply(settings) -> None:
    """Override expression fields of :data:`CORPUS_STYLES` from ``CODE.field=value`` strings
    (used by this script and by ``calibrate_standins.py --set``)."""
    for item in settings:
        try:
            key, value = item.split("=")
            code, field = key.split(".")
            if field not in EXPRESSION_FIELDS:
                raise ValueError(f"field must be one of {', '.join(EXPRESSION_FIELDS)}")
            style = syn.CORPUS_STYLES[code]
            number = int(value) if field == "draw" else float(value)
            syn.CORPUS_STYLES[code] = dataclasses.replace(style, **{field: number})
        except (ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"--set expects CODE.field=value with a corpus code of "
                             f"{sorted(syn.CORPUS_STYLES)}, an expression field "
                             f"({', '.join(EXPRESSION_FIELDS)}) and a number, got {item!r} ({exc})")


def row_uar(name: str, seeds=(0, 1, 2), within_per_class: int = 80) -> float:
    """Proxy UAR (%) of one row of the table: a cross-corpus setting of :data:`CROSS` or
    ``"within CODE"`` (speaker-independent folds), mean over corpus seeds."""
    if name.startswith("within "):
        code = name[-1]
        uar = []
        for seed in seeds:
            x, y, who = sample_profiles(code, get_spec(code).emotions, within_per_class, seed,
                                        np.random.default_rng(seed))
            # (skada switches scikit-learn's metadata routing on globally; groups= needs it off)
            with config_context(enable_metadata_routing=False):
                pred = cross_val_predict(_svm(), x, y, groups=who,
                                         cv=GroupKFold(n_splits=min(7, len(set(who)))))
            uar.append(100 * recall_score(y, pred, average="macro"))
        return float(np.mean(uar))
    source, target, classes = CROSS[name]
    return cross_uar(source, target, classes, seeds)


def rows_of(code: str) -> list[str]:
    """The rows of the table that corpus ``code`` takes part in."""
    return ([n for n, (s, t, _) in CROSS.items() if code in (s, t)]
            + ([f"within {code}"] if code in "BCeS" else []))


def scan_draws(code: str, draws, seeds=(0, 1, 2)) -> pd.DataFrame:
    """Proxy UAR of every row ``code`` takes part in, for each of its delta ``draws`` (the other
    corpora as currently set). Restores the corpus's style afterwards."""
    style = syn.CORPUS_STYLES[code]
    out = []
    try:
        for draw in draws:
            syn.CORPUS_STYLES[code] = dataclasses.replace(style, draw=int(draw))
            out.append({"draw": int(draw), **{n: row_uar(n, seeds) for n in rows_of(code)}})
    finally:
        syn.CORPUS_STYLES[code] = style
    return pd.DataFrame(out).set_index("draw")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", nargs="*", default=[], metavar="CODE.field=value",
                    help="override corpus styles, e.g. e.confuse=0.4")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--scan-draws", metavar="CODE", choices=sorted(syn.CORPUS_STYLES),
                    help="proxy rows of this corpus for each of its delta draws in --draws")
    ap.add_argument("--draws", type=int, nargs=2, default=[0, 200], metavar=("FIRST", "STOP"),
                    help="range of draws for --scan-draws (default 0 200)")
    args = ap.parse_args(argv)
    apply(args.set)
    if args.scan_draws:
        if not 0 <= args.draws[0] < args.draws[1]:
            ap.error(f"--draws expects FIRST < STOP, both >= 0, got {args.draws}")
        table = scan_draws(args.scan_draws, range(*args.draws), tuple(args.seeds))
        print(f"calibration proxy, draws {args.draws[0]}–{args.draws[1] - 1} of "
              f"{args.scan_draws}'s deltas{' with ' + ' '.join(args.set) if args.set else ''}:")
        print(table.round(1).to_string())
        return 0
    print(f"calibration proxy (profiles only, no audio; generator v{syn.GENERATOR_VERSION}"
          f"{' with ' + ' '.join(args.set) if args.set else ''}), mean over corpus seeds "
          f"{' '.join(map(str, args.seeds))}:")
    print(proxy_table(tuple(args.seeds)).round(1).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
