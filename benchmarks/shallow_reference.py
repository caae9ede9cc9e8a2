"""What a shallow pipeline reaches on the pairs sweep's data: the reference for STIENet's numbers.

For every ordered pair of B, C, e, S (synthetic stand-ins at the pairs sweep's size, corpus seed
0, as in ``python -m stienet sweep pairs``) it fits, on the source's known classes (anger, fear,
happiness) with ComParE functionals scaled to [0, 1] per speaker:

* the SATNMF paper's linear SVM, and reports its closed-set UAR on the target's known-class
  clips — the number STIENet's OS* should be compared with (OS* is the same mean recall over
  the known classes when nothing is rejected);
* a logistic regression, and reports the AUROC with which ``1 − max_k p(k)`` (the usual
  confidence score) separates the target's unknown clips from its known ones — how far plain
  confidence gets at rejection without any target label;
* two more threshold-free unknown scores, to tell whether the target's unknown clips are
  *far* from the known classes at all: the distance of a clip to the nearest source class
  centroid (50 principal components of both domains), and a logistic regression trained on
  the source's known clips against the source's *other* emotions (labels the open-set
  protocol does not hand to STIENet: a score beyond the paper, reported only as a bound);
* a score built from the target's *unlabelled* structure: the target clips are clustered
  (k-means, k = 8, on the same 50 principal components) and every clip gets its cluster's
  uncertainty, 1 − max_k of the cluster's mean logistic-regression probability — clusters the
  source classifier cannot name are called unknown (no target label is used). A rough probe:
  the score takes only k distinct values per pair and k was not varied (4 and 16 gave
  42 % and 50 % on generator version 2, against 47.5 % for k = 8);
* a within-target reference: the same known-vs-other logistic regression trained *within the
  target* on the target's own labels, cross-validated over four speaker-disjoint folds — how
  separable the target's unknown clips are from its known ones without a corpus shift (not a
  strict ceiling: it trains on three quarters of the target, the source-trained scores on the
  whole source).

Usage: ``python benchmarks/shallow_reference.py [--scale 0.25] [--shift 1] [--out results/synthetic]``;
writes ``shallow_reference.csv`` (read by ``notebooks/12_open_preset``; with ``--shift s != 1``:
``shallow_reference_shift<s>.csv``). About 1 min once the
features are cached (openSMILE on the four corpora otherwise: ~2 min at scale 0.25).

Real corpora: ``python benchmarks/shallow_reference.py --data-root DEST --corpora B C
DEST/ravdess/manifest.csv --out results/real`` runs every ordered pair of those corpora, whole,
and stores each corpus's ``sha256_of_files`` digest (:func:`stienet.results.corpus_provenance`)
beside the numbers; corpora are named by code or corpus name, never by path.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from stienet.data import load_corpus
from stienet.data.specs import KNOWN_CLASSES, corpus_name
from stienet.results import corpus_provenance
from stienet.data.synthetic import GENERATOR_VERSION
from stienet.features import compare_features, minmax_scale
from stienet.metrics import closed_set_metrics
from stienet.satnmf import linear_svm

CLUSTERS = 8  # k-means clusters of the target for the unlabelled-structure score


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=0.25, help="synthetic corpus size (the pairs sweep's)")
    ap.add_argument("--shift", type=float, default=1.0,
                    help="synthetic corpus shift (1 = the default stand-ins; 0 = no corpus differences)")
    ap.add_argument("--out", default="results/synthetic", help="folder for shallow_reference.csv")
    ap.add_argument("--data-root", default=None, metavar="DIR",
                    help="folder with one sub-folder per real corpus (default: $STIENET_DATA, "
                         "else the synthetic stand-ins)")
    ap.add_argument("--corpora", nargs="+", default=list("BCeS"), metavar="CORPUS",
                    help="every ordered pair of these codes or manifest CSV paths")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    known = list(KNOWN_CLASSES)
    data, names, provenance = {}, {}, {}
    for code in args.corpora:
        corpus = load_corpus(code, data_root=args.data_root, seed=0, scale=args.scale,
                             shift=args.shift)
        names[code] = corpus_name(code)
        provenance[code] = (corpus_provenance(code, args.data_root) or {}).get("sha256_of_files")
        if args.shift != 1 and (corpus["data"] != "synthetic").any():
            ap.error(f"--shift applies to the synthetic stand-ins only; {code} is read from real "
                     "data (unset STIENET_DATA to use the stand-ins)")
        feats = compare_features(corpus, progress=False)
        table = feats.table.reset_index(drop=True)
        data[code] = (table, minmax_scale(feats.values, table["speaker"].to_numpy()))
    labels = sorted({str(d) for table, _ in data.values() for d in table["data"].unique()})
    label = labels[0] if len(labels) == 1 else "mixed"
    rows = []
    for s, t in itertools.permutations(args.corpora, 2):
        (ts, xs), (tt, xt) = data[s], data[t]
        ks, kt = ts["emotion"].isin(known).to_numpy(), tt["emotion"].isin(known).to_numpy()
        ys = ts.loc[ks, "emotion"].map(known.index).to_numpy()
        yt = tt.loc[kt, "emotion"].map(known.index).to_numpy()
        svm = linear_svm().fit(xs[ks], ys)
        uar = closed_set_metrics(yt, svm.predict(xt[kt]), len(known))["UAR"]
        lr = LogisticRegression(max_iter=3000).fit(xs[ks], ys)
        auroc = roc_auc_score(~kt, 1 - lr.predict_proba(xt).max(1))
        pca = PCA(50, random_state=0).fit(np.vstack([xs, xt]))
        zs, zt = pca.transform(xs), pca.transform(xt)
        centroids = np.stack([zs[ks][ys == k].mean(0) for k in range(len(known))])
        distance = ((zt[:, None] - centroids[None]) ** 2).sum(-1).min(1)
        other = LogisticRegression(max_iter=3000).fit(xs, ~ks).predict_proba(xt)[:, 1]
        p = lr.predict_proba(xt)
        cluster = KMeans(CLUSTERS, n_init=10, random_state=0).fit_predict(zt)
        purity = np.array([p[cluster == c].mean(0).max() for c in range(CLUSTERS)])
        folds = GroupKFold(n_splits=min(4, tt["speaker"].nunique()))
        inside = cross_val_predict(LogisticRegression(max_iter=3000), xt, ~kt, cv=folds,
                                   groups=tt["speaker"].to_numpy(), method="predict_proba")[:, 1]
        rows.append({"pair": f"{names[s]}_{names[t]}", "svm_uar": round(100 * uar, 1),
                     "confidence_auroc": round(100 * auroc, 1),
                     "distance_auroc": round(100 * roc_auc_score(~kt, distance), 1),
                     "source_other_auroc": round(100 * roc_auc_score(~kt, other), 1),
                     "cluster_auroc": round(100 * roc_auc_score(~kt, 1 - purity[cluster]), 1),
                     "within_target_auroc": round(100 * roc_auc_score(~kt, inside), 1),
                     "data": label,
                     "generator_version": GENERATOR_VERSION if label == "synthetic" else None,
                     "scale": args.scale if label == "synthetic" else None, "shift": args.shift,
                     "source_sha256": provenance[s], "target_sha256": provenance[t]})
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    print(f"mean SVM UAR {table['svm_uar'].mean():.1f} %, mean AUROC: confidence "
          f"{table['confidence_auroc'].mean():.1f} %, distance {table['distance_auroc'].mean():.1f} %, "
          f"source's other emotions {table['source_other_auroc'].mean():.1f} %, target clusters "
          f"{table['cluster_auroc'].mean():.1f} %, within the target "
          f"(reference) {table['within_target_auroc'].mean():.1f} % "
          f"({label}, {time.perf_counter() - start:.0f} s)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "shallow_reference.csv" if args.shift == 1 else f"shallow_reference_shift{args.shift:g}.csv"
    table.to_csv(out / name, index=False)
    print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
