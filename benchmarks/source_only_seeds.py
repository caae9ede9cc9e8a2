"""Issue #10's source-only check on several corpus draws, not one.

The check: source-only STIENet (only L_cls, β = γ = δ = ε = 0) on synthetic B → C at shift 0.5
should come within 10 points of the SATNMF paper's linear SVM on ComParE functionals, both on the
three known classes (network: OS*, the mean recall over anger, fear and happiness; SVM: UAR on
the same classes). The shift sweep (``python -m stienet sweep shift``, chapter 11) measures it on
one draw of the stand-ins (corpus seed 0). Each corpus seed draws other speakers, other
utterances and other corpus-specific emotion deltas, so one draw can flatter either model. This
script repeats the check on corpus seeds 0-4, with four model seeds per draw for the network
(the SVM is deterministic), at the sweep's budget: scale 0.25, 10 epochs, the ``paper`` recipe
(domain-specific BatchNorm).

``--fine`` repeats the network runs with a finer first block (a stride-1 convolution followed by
max-pooling over 40 samples instead of a stride-10 convolution and max-pooling over 4: the same
75 LSTM steps, but each step sees the envelope of the filtered waveform rather than every tenth
sample of it) — a candidate for the cues the default misses (chapter 11), about 2.5 times
slower to train.

Usage: ``python benchmarks/source_only_seeds.py [--corpus-seeds 0 1 2 3 4] [--model-seeds 0 1 2 3]
[--fine] [--jobs 2] [--out results/synthetic]`` writes ``source_only_seeds.csv`` (read by
``notebooks/11_shift``). Synthetic stand-ins only (the real corpora have no shift knob). Without
``--fine``: 7.5 min on one core once the shifted corpora are cached (20 network runs of ~20 s);
``--fine --jobs 2``: 19.5 min on 2 cores.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch

from stienet.closed_set import ClosedSetConfig, run_closed_set
from stienet.data.specs import KNOWN_CLASSES
from stienet.data.synthetic import GENERATOR_VERSION
from stienet.losses import LossWeights
from stienet.model import FINE_FIRST_BLOCK, ModelConfig
from stienet.train import TrainConfig, fit

SHIFT, SCALE, EPOCHS = 0.5, 0.25, 10   # the shift sweep's lowest point and budget
SOURCE_ONLY = LossWeights(alpha=1.0, beta=0.0, gamma=0.0, delta=0.0, epsilon=0.0)
#: the network's first block: the default (stride-10 convolution, then max-pool 4) and a finer
#: one (stride-1 convolution, then max-pool 40) that reaches the same 75 LSTM steps of 40 ms
FRONT_ENDS = {"source-only": ModelConfig(),
              "source-only, fine front-end": FINE_FIRST_BLOCK}


def measure_draw(cs: int, model_seeds, front_ends, source: str = "B", target: str = "C") -> list[dict]:
    """Rows of one corpus seed: the SVM once, each network front-end once per model seed."""
    torch.set_num_threads(1)   # small models: one thread each, so two draws can run at once
    common = {"data": "synthetic", "generator_version": GENERATOR_VERSION, "shift": SHIFT,
              "scale": SCALE, "source": source, "target": target, "corpus_seed": cs}
    svm = run_closed_set(source, target, ClosedSetConfig(
        method="SVM", classes=KNOWN_CLASSES, synthetic_seed=cs, synthetic_scale=SCALE,
        synthetic_shift=SHIFT), progress=False)
    svm_uar = 100 * svm["metrics"]["UAR"]
    rows = [{**common, "method": "SVM (3 known)", "model_seed": None, "score": svm_uar,
             "source_acc": None, "wall_time_s": None}]
    for name in front_ends:
        for ms in model_seeds:
            rec = fit(source, target, TrainConfig(
                epochs=EPOCHS, seed=ms, weights=SOURCE_ONLY, synthetic_scale=SCALE,
                synthetic_shift=SHIFT, synthetic_seed=cs, model=FRONT_ENDS[name]),
                progress=False).to_json()
            rows.append({**common, "method": name, "model_seed": ms,
                         "score": 100 * rec["metrics"]["OS*"],
                         "source_acc": 100 * rec["metrics"]["source_acc"],
                         "wall_time_s": rec["wall_time_s"]})
            print(f"corpus seed {cs}, model seed {ms}, {name}: OS* {rows[-1]['score']:.1f} % "
                  f"(SVM {svm_uar:.1f} %)", flush=True)
    return rows


def measure(corpus_seeds, model_seeds, front_ends=("source-only",), jobs: int = 1) -> pd.DataFrame:
    """One row per run, over ``corpus_seeds`` (``jobs`` of them at a time, one process each)."""
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            parts = list(pool.map(measure_draw, corpus_seeds, [model_seeds] * len(corpus_seeds),
                                  [front_ends] * len(corpus_seeds)))
    else:
        parts = [measure_draw(cs, model_seeds, front_ends) for cs in corpus_seeds]
    return pd.DataFrame([row for part in parts for row in part])


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per corpus seed: the SVM's UAR, each front-end's mean OS* over model seeds and its gap
    to the SVM (points)."""
    per = table.pivot_table(index="corpus_seed", columns="method", values="score", aggfunc="mean")
    for name in [c for c in per.columns if c.startswith("source-only")]:
        per[f"gap ({name})"] = per["SVM (3 known)"] - per[name]
    return per


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus-seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--model-seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--fine", action="store_true",
                    help="also the finer first block (stride 1, max-pool 40): ~2.5x the time")
    ap.add_argument("--jobs", type=int, default=1, help="corpus seeds at a time (one process each)")
    ap.add_argument("--out", default="results/synthetic", help="folder of source_only_seeds.csv")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    front_ends = tuple(FRONT_ENDS) if args.fine else ("source-only",)
    table = measure(args.corpus_seeds, args.model_seeds, front_ends, args.jobs)
    per = summary(table)
    print(per.round(1).to_string())
    print("mean over corpus seeds: " + ", ".join(f"{c} {v:.1f}" for c, v in per.mean().items()))
    out = Path(args.out) / "source_only_seeds.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.round(2).to_csv(out, index=False)
    print(f"synthetic stand-ins (generator version {GENERATOR_VERSION}); wrote {out} "
          f"in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
