"""Where SATNMF's codes lose the information on real speech: a diagnosis, one scheme at a time.

    python benchmarks/satnmf_real.py --data-root DEST [--schemes B2C B2R R2B C2R R2C]
                                     [--ranks 16 64 128 256 512] [--out results/real]

For each closed-set scheme (SATNMF's B2C, and its five classes on the RAVDESS schemes; whole
corpora, ComParE functionals scaled to [0, 1] per speaker as the paper does, or per corpus) it
fits, with the package defaults of :class:`stienet.satnmf.SATNMF` and one trial (seed 0; the
defaults vote five):

* the linear SVM on the scaled features (the baseline column, and the pseudo labels Eq 5
  starts from);
* plain NMF (α = β = γ = λ = 0), SNMF, SNMF-γ, STNMF-λ, SATNMF and TNMF at r = 128, and
  SATNMF at every ``--ranks`` value;

and PCA of both corpora at every ``--ranks`` value (the same rank with neither non-negativity
nor transfer), and reports, for each factorisation,

* the target UAR of the linear SVM on the codes V (what the method reports), of the same SVM
  on codes standardised with the source codes' mean and spread (does the codes' scale, with
  C fixed at 1, cost accuracy?), and of arg-max HV (the label term's own read-out);
* every term of Eq 8 at the end: relative reconstruction error ‖X − UV‖²/‖X‖², label residual
  Σ E∘(Y − HV)² per source clip, marginal MMD Tr(V M₀ Vᵀ), class MMD with the SVM's pseudo
  labels, and the graph term Tr(V L Vᵀ) (the same kNN graph, p = 5, for every method);
* the UAR of the same SVM when both domains are re-coded with the learnt basis U by the
  reconstruction term alone (:meth:`~stienet.satnmf.SATNMF.transform`): do the label, MMD
  and graph terms' pull on the codes help or hurt?
* the mean code magnitude of source and target columns, rounds and seconds.

Writes ``satnmf_diagnosis.csv`` (one row per scheme × scaling × method × r), with each corpus's
``sha256_of_files`` digest. The target labels are used **only to score**; nothing is chosen
on them here. About 5–8 min per scheme on 2 cores with the features cached.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from stienet.closed_set import ClosedSetConfig, SourceSVM, scaled_features
from stienet.data.specs import corpus_name, scheme_corpora
from stienet.metrics import closed_set_metrics
from stienet.results import corpus_provenance
from stienet.satnmf import MMDGroups, SATNMF, VARIANTS, knn_graph, label_matrices, linear_svm

METHODS = {"NMF": {"alpha": 0.0, "beta": 0.0, "gamma": 0.0, "lam": 0.0},
           **{name: dict(fixed) for name, fixed in VARIANTS.items()}}


def uar(y, pred, c):
    return round(100 * closed_set_metrics(y, pred, c)["UAR"], 2)


def terms(X, U, H, V, Y, E, n, marginal, classwise, W):
    """The terms of SATNMF Eq 8 at the end of a fit (independent of the method's weights)."""
    R = X - U @ V
    degree = np.asarray(W.sum(1)).ravel()
    return {"recon_rel": float(np.sum(R * R) / np.sum(X * X)),
            "label_residual_per_clip": float(np.sum(E * (Y - H @ V) ** 2) / n),
            "mmd_marginal": marginal.trace(V),
            "mmd_class": classwise.trace(V) - marginal.trace(V),
            "graph": float(np.sum(V * V * degree) - np.sum(V * (W @ V.T).T))}


def diagnose(scheme: str, data_root: str, scaling: str, ranks, log=print) -> list[dict]:
    src, tgt, classes = scheme_corpora(scheme, data_root)
    cfg = ClosedSetConfig(classes=scheme, data_root=data_root, scaling=scaling)
    split, Xs, Xt = scaled_features(src, tgt, cfg, progress=False)
    ys, yt = split.source["label"].to_numpy(), split.target["label"].to_numpy()
    c, n = len(classes), len(ys)
    base = {"scheme": scheme, "scaling": scaling, "source": corpus_name(src),
            "target": corpus_name(tgt), "n_source": n, "n_target": len(yt)}
    t0 = time.perf_counter()
    svm = SourceSVM(C=1.0).fit(Xs, ys, Xt)
    rows = [{**base, "method": "SVM (features)", "r": Xs.shape[1],
             "UAR_svm": uar(yt, svm.predict(Xt), c), "seconds": round(time.perf_counter() - t0, 1)}]
    pseudo = linear_svm(1.0).fit(Xs, ys).predict(Xt)
    rows[0]["pseudo_label_UAR"] = uar(yt, pseudo, c)
    log(f"{scheme} {scaling}: SVM {rows[0]['UAR_svm']}")
    X = np.vstack([Xs, Xt]).T
    Y, E = label_matrices(ys, c, len(yt), "binary")
    marginal = MMDGroups.from_labels(ys, pseudo, c, alpha=0.0)
    classwise = MMDGroups.from_labels(ys, pseudo, c, alpha=1.0)
    W = knn_graph(X.T, 5)
    runs = [(m, 128) for m in METHODS] + [("SATNMF", r) for r in ranks if r != 128]
    for method, r in runs:
        t0 = time.perf_counter()
        model = SATNMF(r=r, n_trials=1, random_state=0, **METHODS[method]).fit(Xs, ys, Xt, n_classes=c)
        seconds = time.perf_counter() - t0
        V = model.V_.astype(np.float64)
        Vs, Vt = V[:, :n].T, V[:, n:].T
        mu, sd = Vs.mean(0), Vs.std(0) + 1e-12
        std_pred = linear_svm(1.0).fit((Vs - mu) / sd, ys).predict((Vt - mu) / sd)
        # both domains re-coded with the learnt basis by reconstruction alone (no label, MMD
        # or graph term): tests whether the label term's pull on the *source* codes only is
        # what the SVM on V learns and cannot find in the target codes
        Rs, Rt = model.transform(Xs), model.transform(Xt)
        rec_pred = linear_svm(1.0).fit(Rs, ys).predict(Rt)
        row = {**base, "method": method, "r": r, "UAR_svm": uar(yt, model.predict(), c),
               "UAR_svm_standardised": uar(yt, std_pred, c),
               "UAR_svm_recoded": uar(yt, rec_pred, c),
               "UAR_argmax_HV": uar(yt, np.argmax(model.H_ @ Vt.T, axis=0), c)
               if method not in ("NMF", "TNMF") else np.nan,
               "code_mean_source": float(Vs.mean()), "code_mean_target": float(Vt.mean()),
               "rounds": len(model.objective_), "seconds": round(seconds, 1),
               **terms(X, model.U_.astype(np.float64), model.H_.astype(np.float64), V, Y, E,
                       n, marginal, classwise, W)}
        rows.append(row)
        log(f"{scheme} {scaling}: {method} r={r} SVM(V) {row['UAR_svm']} std {row['UAR_svm_standardised']} "
            f"HV {row['UAR_argmax_HV']} recon {row['recon_rel']:.3f} ({seconds:.0f} s)")
    for r in ranks:               # the same rank without non-negativity or transfer: PCA
        t0 = time.perf_counter()
        pca = PCA(n_components=r, random_state=0).fit(np.vstack([Xs, Xt]))
        pred = linear_svm(1.0).fit(pca.transform(Xs), ys).predict(pca.transform(Xt))
        rows.append({**base, "method": "PCA (both corpora)", "r": r, "UAR_svm": uar(yt, pred, c),
                     "recon_rel": float((1 - pca.explained_variance_ratio_.sum())
                                        * np.sum((X.T - X.T.mean(0)) ** 2) / np.sum(X * X)),
                     "seconds": round(time.perf_counter() - t0, 1)})
        log(f"{scheme} {scaling}: PCA r={r} SVM {rows[-1]['UAR_svm']} recon {rows[-1]['recon_rel']:.3f}")
    digests = {corpus_name(x): (corpus_provenance(x, data_root) or {}).get("sha256_of_files")
               for x in (src, tgt)}
    for row in rows:
        row["sha256_source"], row["sha256_target"] = digests[row["source"]], digests[row["target"]]
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", required=True, help="real data root (shared/realdata/unpack.sh)")
    ap.add_argument("--schemes", nargs="+", default=["B2C", "B2R", "R2B", "C2R", "R2C"])
    ap.add_argument("--scalings", nargs="+", default=["speaker", "corpus"], choices=["speaker", "corpus"])
    ap.add_argument("--ranks", nargs="+", type=int, default=[16, 64, 128, 256, 512])
    ap.add_argument("--out", default="results/real")
    args = ap.parse_args(argv)
    out = Path(args.out) / "satnmf_diagnosis.csv"
    old = pd.read_csv(out) if out.is_file() else pd.DataFrame()
    for scheme in args.schemes:
        for scaling in args.scalings:
            ranks = args.ranks if scaling == "speaker" else [128]
            rows = pd.DataFrame(diagnose(scheme, args.data_root, scaling, ranks))
            if len(old):          # replace this scheme × scaling, keep the others
                old = old[~((old["scheme"] == scheme) & (old["scaling"] == scaling))]
            old = pd.concat([old, rows], ignore_index=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            old.to_csv(out, index=False, float_format="%.6g")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
