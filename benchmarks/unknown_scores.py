"""Which label-free unknown score ranks a real target's unknown clips above its known ones?

    python benchmarks/unknown_scores.py --data-root DEST --pairs B:C C:B [--preset paper]
        [--frontend wave|logmel] [--seed 0] [--epochs 30] [--out results/real/unknown_scores.csv]

Trains one STIENet run per pair (:func:`stienet.train.fit`, model = last epoch), takes φ of
every training clip of the source (eval mode, the source's BatchNorm statistics) and of every
target clip (the target's statistics), and scores each target clip with scores that use **no
target label**:

* ``p_unknown``: the K+1-th softmax output (what the presets threshold);
* ``msp``: 1 − the max-softmax over the K known outputs;
* ``energy``: −logsumexp of the K known logits (Liu et al. 2020's energy score);
* ``prototype``: 1 − the largest cosine similarity to a source class mean in φ;
* ``knn``: the mean cosine distance to the 10 nearest source clips in φ;
* ``mahalanobis``: the smallest Mahalanobis distance to a source class mean (shared
  Ledoit–Wolf covariance of the source's class-centred φ);
* ``cluster``: k-means on the target's φ (k = 2K, no labels); a clip gets its cluster centroid's
  cosine distance to the nearest source class mean.

With ``bn="domain"`` (both presets) every score is also computed with the target passed
through the *source's* BatchNorm statistics (suffix ``_srcbn``; ``closed OS* srcbn``): the
target's own statistics include its unknown clips, and this tells whether they move the known
ones.

Then, **reading the target labels to report only**, the AUROC of each score (unknown above known,
50 = chance), the closed OS* and the held-out source accuracy. Appends one row per run to
``--out`` (replacing a row of the same pair, variant and seed) with each corpus's
``sha256_of_files``. A diagnosis: no score is chosen here for a preset.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.cluster import KMeans
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from stienet.data.specs import corpus_name
from stienet.model import LOGMEL, ModelConfig
from stienet.results import corpus_provenance
from stienet.train import TrainConfig, fit

SCORES = ("p_unknown", "msp", "energy", "prototype", "knn", "mahalanobis", "cluster")


def _unit(a: np.ndarray) -> np.ndarray:
    return a / (np.linalg.norm(a, axis=1, keepdims=True) + 1e-12)


def label_free_scores(fs: np.ndarray, ys: np.ndarray, ft: np.ndarray, logits_t: np.ndarray,
                      seed: int = 0) -> dict[str, np.ndarray]:
    """Unknown scores (higher = more unknown) of the target clips: source φ ``fs (n, d)`` with
    labels ``ys`` in ``0..K-1``, target φ ``ft (m, d)`` and logits ``(m, K+1)``. No target label."""
    K = logits_t.shape[1] - 1
    z = logits_t.astype(np.float64)
    p = np.exp(z - logsumexp(z, axis=1, keepdims=True))
    pk = np.exp(z[:, :K] - logsumexp(z[:, :K], axis=1, keepdims=True))
    protos = np.stack([fs[ys == k].mean(0) for k in range(K)])
    cos = _unit(ft) @ _unit(protos).T
    nn = NearestNeighbors(n_neighbors=min(10, len(fs)), metric="cosine").fit(fs)
    centred = fs - protos[ys]
    prec = LedoitWolf().fit(centred).precision_
    diff = ft[:, None, :] - protos[None]                              # (m, K, d)
    maha = np.einsum("mkd,de,mke->mk", diff, prec, diff)
    km = KMeans(n_clusters=2 * K, n_init=10, random_state=seed).fit(ft)
    centre_dist = 1 - (_unit(km.cluster_centers_) @ _unit(protos).T).max(1)
    return {"p_unknown": p[:, K], "msp": 1 - pk.max(1), "energy": -logsumexp(z[:, :K], axis=1),
            "prototype": 1 - cos.max(1), "knn": nn.kneighbors(ft)[0].mean(1),
            "mahalanobis": maha.min(1), "cluster": centre_dist[km.labels_]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-root", required=True, metavar="DIR")
    ap.add_argument("--pairs", nargs="+", default=["B:C", "C:B"], metavar="S:T",
                    help="source:target, corpus codes or a manifest path (e.g. B:DEST/ravdess/manifest.csv)")
    ap.add_argument("--preset", default="paper", choices=["paper", "open"])
    ap.add_argument("--frontend", default="wave", choices=["wave", "logmel"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--out", default="results/real/unknown_scores.csv")
    args = ap.parse_args(argv)
    model = LOGMEL if args.frontend == "logmel" else ModelConfig()
    out = Path(args.out)
    for pair in args.pairs:
        source, target = pair.split(":", 1)
        cfg = TrainConfig(epochs=args.epochs, seed=args.seed, preset=args.preset, model=model,
                          data_root=args.data_root, embeddings=100_000)
        started = time.perf_counter()
        run = fit(source, target, cfg, progress=False)
        (fs, ft) = run.embeddings["after"]
        ys, yt = run.embeddings["source_labels"], run.embeddings["target_labels"]
        K = len(cfg.known)
        logits = np.asarray(run.metrics["target_logits"], np.float32)
        scores = label_free_scores(fs, ys, ft, logits[run.embeddings["target_index"]], seed=args.seed)
        unknown = yt == K
        if "target_source_bn" in run.embeddings:   # the target through the source's BatchNorm
            ft_s, logits_s = run.embeddings["target_source_bn"]
            scores.update({f"{k}_srcbn": v for k, v in
                           label_free_scores(fs, ys, ft_s, logits_s, seed=args.seed).items()})
            pred = logits_s[:, :K].argmax(1)
            known = ~unknown
            closed_srcbn = 100 * np.mean([np.mean(pred[known & (yt == k)] == k) for k in range(K)])
        row = {"source": corpus_name(source), "target": corpus_name(target),
               "variant": f"{args.preset}-{args.frontend}", "seed": args.seed, "epochs": args.epochs,
               "source_acc": round(100 * run.history[-1]["source_acc"], 1),
               "closed OS*": round(100 * run.metrics["closed OS*"], 1),
               "closed OS* srcbn": round(closed_srcbn, 1) if "target_source_bn" in run.embeddings else None,
               "OS*": round(100 * run.metrics["OS*"], 1), "UNK": round(100 * run.metrics["UNK"], 1),
               **{f"auroc_{k}": round(100 * roc_auc_score(unknown, v), 1) for k, v in scores.items()},
               "wall_s": round(time.perf_counter() - started, 1),
               "sha256_source": (corpus_provenance(source, args.data_root) or {}).get("sha256_of_files"),
               "sha256_target": (corpus_provenance(target, args.data_root) or {}).get("sha256_of_files")}
        print({k: v for k, v in row.items() if not k.startswith("sha256")}, flush=True)
        table = pd.read_csv(out) if out.exists() else pd.DataFrame()
        if len(table):
            same = ((table["source"] == row["source"]) & (table["target"] == row["target"])
                    & (table["variant"] == row["variant"]) & (table["seed"] == row["seed"]))
            table = table[~same]
        out.parent.mkdir(parents=True, exist_ok=True)
        pd.concat([table, pd.DataFrame([row])], ignore_index=True).to_csv(out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
