"""Level and padding of each corpus by emotion: can loudness or the excerpts' zero padding tell
the known emotions from the others, whatever a model learns?

    python benchmarks/level_by_emotion.py --data-root DEST --corpora B C DEST/ravdess/manifest.csv
                                          [--out results/real]

For every clip, read at its own sample rate (no resampling, so digital silence stays exactly
zero): its duration, its RMS level over the whole clip (dBFS), its *active* level (RMS over the
20-ms frames within 40 dB of the clip's loudest frame), its peak (dBFS), and the share of its
samples that are trailing exact zeros (the cut-or-pad of the EmoDB excerpts). Writes
``level_by_emotion.csv`` (one row per corpus and emotion: clip count, means, and whether the
emotion is known in the open-set protocol) with each corpus's ``sha256_of_files``; the
real-speech chapter (``notebooks/00_real_speech``) shows it. Also prints, per corpus, the
AUROC with which each measure alone ranks the other emotions above the known ones (50 =
chance; no model involved).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from sklearn.metrics import roc_auc_score

from stienet.data import load_corpus
from stienet.data.specs import KNOWN_CLASSES, corpus_name
from stienet.results import corpus_provenance

MEASURES = ("seconds", "rms_dbfs", "active_dbfs", "peak_dbfs", "trailing_zero_pct")


def clip_levels(path: str) -> dict:
    """The measures of one clip (module docstring), from its samples as stored."""
    x, sr = sf.read(path, dtype="float64", always_2d=True)
    x = x.mean(axis=1)
    eps = 1e-10
    nonzero = np.flatnonzero(x)
    trailing = len(x) - (nonzero[-1] + 1 if len(nonzero) else 0)
    frame = max(1, int(0.02 * sr))
    frames = x[: len(x) // frame * frame].reshape(-1, frame) if len(x) >= frame else x[None, :]
    frame_db = 10 * np.log10((frames ** 2).mean(axis=1) + eps)
    active = frames[frame_db >= frame_db.max() - 40]
    return {"seconds": len(x) / sr,
            "rms_dbfs": 10 * np.log10((x ** 2).mean() + eps),
            "active_dbfs": 10 * np.log10((active ** 2).mean() + eps),
            "peak_dbfs": 20 * np.log10(np.abs(x).max() + eps),
            "trailing_zero_pct": 100 * trailing / max(len(x), 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-root", required=True, metavar="DIR")
    ap.add_argument("--corpora", nargs="+", default=["B", "C"], metavar="CORPUS")
    ap.add_argument("--out", default="results/real")
    args = ap.parse_args(argv)
    rows, aurocs = [], []
    for code in args.corpora:
        table = load_corpus(code, data_root=args.data_root, progress=False)
        levels = pd.DataFrame([clip_levels(p) for p in table["path"]])
        levels["emotion"] = table["emotion"].to_numpy()
        name = corpus_name(code)
        digest = (corpus_provenance(code, args.data_root) or {}).get("sha256_of_files")
        for emotion, part in levels.groupby("emotion"):
            rows.append({"corpus": name, "emotion": emotion, "known": emotion in KNOWN_CLASSES,
                         "clips": len(part), **{m: round(part[m].mean(), 2) for m in MEASURES},
                         "sha256_of_files": digest})
        unknown = ~levels["emotion"].isin(KNOWN_CLASSES)
        aurocs.append({"corpus": name, **{m: round(100 * roc_auc_score(unknown, levels[m]), 1)
                                          for m in MEASURES}})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out / "level_by_emotion.csv", index=False)
    print(pd.DataFrame(rows).drop(columns="sha256_of_files").to_string(index=False))
    print("\nAUROC (%) of each measure alone, other emotions above the known ones:")
    print(pd.DataFrame(aurocs).to_string(index=False))
    pd.DataFrame(aurocs).to_csv(out / "level_by_emotion_auroc.csv", index=False)
    print(f"\nwritten: {out / 'level_by_emotion.csv'}, {out / 'level_by_emotion_auroc.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
