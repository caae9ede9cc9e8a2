"""How separable each corpus's own known classes are as the synthetic ``shift`` knob grows.

The shift sweep (``python -m stienet sweep shift``, chapter 11) trains on synthetic B and tests
on synthetic C at shift 0.5, 1, 2, 3. ``shift`` scales every difference between the corpora,
and those differences include each corpus's own way of acting the emotions (its "corpus
deltas", added to the shared emotion profiles). So the knob may change not only how far B is
from C but also how easy B's and C's emotions are to tell apart *inside* each corpus. This
script measures that second effect, which the cross-corpus numbers cannot separate from the
first: the SATNMF paper's linear SVM on ComParE functionals (scaled to [0, 1] per speaker),
within one corpus, on its three known classes (anger, fear, happiness), with the same
speaker-independent folds as the calibration table (``benchmarks/calibrate_standins.py``).

It also asks *which* cues carry B's known-class contrasts at each shift: the same SVM on one
group of ComParE functionals at a time (:data:`CUE_GROUPS`: F0, energy and loudness, voice
quality, MFCC, the auditory spectrum, other spectral descriptors). The raw-audio network has to
learn such cues itself from a few dozen clips; the SVM is handed them.

Usage: ``python benchmarks/shift_within.py [--scale 0.25] [--seed 0] [--out results/synthetic]``
writes ``shift_within.csv`` and ``shift_within_cues.csv`` (read by ``notebooks/11_shift``).
Synthetic stand-ins only (the real corpora have no shift knob). About 3 min on 2 cores when the
shifted corpora are not yet cached (generation + openSMILE), under 30 s afterwards.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibrate_standins import within_uar  # noqa: E402

from stienet.data.specs import KNOWN_CLASSES  # noqa: E402
from stienet.data.synthetic import GENERATOR_VERSION  # noqa: E402

SHIFTS = (0.5, 1.0, 2.0, 3.0)   # the shift sweep's points
CORPORA = ("B", "C")            # the shift sweep's pair
#: ComParE 2016 functionals by low-level descriptor (regular expressions on openSMILE's names)
CUE_GROUPS = {"F0": r"F0final", "energy, loudness": r"RMSenergy|loudness",
              "voice quality (voicing, jitter, shimmer, HNR)": r"voicingFinal|jitter|shimmer|logHNR",
              "MFCC": r"mfcc", "auditory spectrum": r"audspec|audSpec",
              "other spectral": r"pcm_fftMag|pcm_zcr"}


def measure(scale: float, seed: int, shifts=SHIFTS, corpora=CORPORA) -> pd.DataFrame:
    """One row per (shift, corpus): within-corpus UAR (percent) on the known classes."""
    rows = []
    for shift in shifts:
        for code in corpora:
            rows.append({"shift": shift, "corpus": code,
                         "within_known_uar": round(within_uar(code, seed, scale, shift=shift,
                                                              classes=KNOWN_CLASSES), 2),
                         "data": "synthetic", "generator_version": GENERATOR_VERSION,
                         "scale": scale, "corpus_seed": seed})
    return pd.DataFrame(rows)


def measure_cues(scale: float, seed: int, shifts=SHIFTS, code: str = "B") -> pd.DataFrame:
    """One row per (shift, cue group): within-``code`` UAR (percent) on the known classes from
    that group of functionals alone (``all``: every functional)."""
    rows = []
    for shift in shifts:
        for group, pattern in {"all": None, **CUE_GROUPS}.items():
            rows.append({"shift": shift, "corpus": code, "cues": group,
                         "within_known_uar": round(within_uar(code, seed, scale, shift=shift,
                                                              classes=KNOWN_CLASSES,
                                                              features=pattern), 2),
                         "data": "synthetic", "generator_version": GENERATOR_VERSION,
                         "scale": scale, "corpus_seed": seed})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=0.25, help="stand-in size (sweeps: 0.25)")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed (sweeps: 0)")
    ap.add_argument("--out", default="results/synthetic", help="folder of shift_within.csv")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    table = measure(args.scale, args.seed)
    print(table.pivot(index="shift", columns="corpus", values="within_known_uar").to_string())
    out = Path(args.out) / "shift_within.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    cues = measure_cues(args.scale, args.seed)
    print(cues.pivot(index="cues", columns="shift", values="within_known_uar").to_string())
    cues.to_csv(out.with_name("shift_within_cues.csv"), index=False)
    print(f"synthetic stand-ins (generator version {GENERATOR_VERSION}); wrote {out} and "
          f"{out.with_name('shift_within_cues.csv')} "
          f"in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
