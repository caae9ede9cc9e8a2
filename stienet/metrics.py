"""Open-set and closed-set metrics from a confusion matrix.

Open-set domain adaptation (Busto & Gall, ICCV 2017; Saito et al., ECCV 2018) reports, with
K known classes and one "unknown" class (label K):

* **OS** — mean per-class recall over the K known classes *and* unknown;
* **OS\\*** — mean per-class recall over the known classes only;
* **UNK** — recall of the unknown class;
* **H-score** — harmonic mean of OS\\* and UNK (Fu et al., ECCV 2020), which punishes a model
  that buys OS\\* by never saying "unknown".

SER papers report **UAR** (unweighted average recall = mean per-class recall over all classes
present) and **WAR** (weighted average recall = plain accuracy). A class with no true sample
has no recall: it is left out of every mean (and its own recall is NaN).
"""
from __future__ import annotations

import numpy as np
from scipy.special import log_softmax as _log_softmax
from sklearn.metrics import confusion_matrix


def confusion(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of true class i predicted as j, shape (n_classes, n_classes)."""
    return confusion_matrix(np.asarray(y_true), np.asarray(y_pred), labels=np.arange(n_classes))


def per_class_recall(cm: np.ndarray) -> np.ndarray:
    """Recall of each class (NaN where the class has no true sample)."""
    support = cm.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, np.diag(cm) / np.maximum(support, 1), np.nan)


DOMINANT_SHARE = 0.9


def collapsed(cm, n_known: int) -> bool:
    """A degenerate open-set prediction. ``cm (K+1, K+1)`` counts, rows true, columns predicted.

    Degenerate when the target clips of the known classes receive at most one distinct label,
    or one predicted label covers more than 90 % of all target clips although that label is not
    90 % of the true labels (a perfect model on a target that is 95 % unknown is fine)."""
    cm = np.asarray(cm)
    total = cm.sum()
    if total == 0:
        return True
    if cm[:n_known].sum() > 0 and int((cm[:n_known].sum(0) > 0).sum()) <= 1:
        return True
    top = int(cm.sum(0).argmax())
    return bool(cm[:, top].sum() > DOMINANT_SHARE * total and cm[top].sum() <= DOMINANT_SHARE * total)


def open_set_metrics(y_true, y_pred, n_known: int) -> dict:
    """OS, OS*, UNK, H-score, UAR, WAR and the confusion matrix; labels ``0..K-1`` known, ``K``
    unknown. Values in [0, 1] (NaN where undefined, e.g. UNK and H without unknown samples);
    ``collapsed`` flags a degenerate prediction (:func:`collapsed`)."""
    cm = confusion(y_true, y_pred, n_known + 1)
    rec = per_class_recall(cm)
    os_star = float(np.nanmean(rec[:n_known])) if np.isfinite(rec[:n_known]).any() else float("nan")
    unk = float(rec[n_known])
    if np.isnan(os_star) or np.isnan(unk):
        h = float("nan")
    else:
        h = 2 * os_star * unk / (os_star + unk) if os_star + unk > 0 else 0.0
    return {"OS": float(np.nanmean(rec)), "OS*": os_star, "UNK": unk, "H": float(h),
            "UAR": float(np.nanmean(rec)), "WAR": float(np.trace(cm) / cm.sum()),
            "recall": rec.tolist(), "confusion": cm.tolist(), "collapsed": collapsed(cm, n_known)}


def closed_set_metrics(y_true, y_pred, n_classes: int) -> dict:
    """UAR (mean per-class recall), WAR (accuracy) and the confusion matrix."""
    cm = confusion(y_true, y_pred, n_classes)
    rec = per_class_recall(cm)
    return {"UAR": float(np.nanmean(rec)), "WAR": float(np.trace(cm) / cm.sum()),
            "recall": rec.tolist(), "confusion": cm.tolist()}


def log_probabilities(logits) -> np.ndarray:
    """Log-softmax over the last axis of ``logits (m, K+1)``, in float32: what every stored
    open-set metric is computed from, so that a result file's ``target_logits`` reproduce them
    (:func:`stienet.results.float32_list`). The unknown score is ``log_probabilities(z)[:, K]``:
    it ranks clips as p(unknown) does, without p(unknown)'s float32 ties near 0 and 1."""
    return _log_softmax(np.asarray(logits, dtype=np.float32), axis=-1).astype(np.float32)


def probabilities(logits) -> np.ndarray:
    """Softmax of ``logits (m, K+1)`` in float32 (``exp`` of :func:`log_probabilities`)."""
    return np.exp(log_probabilities(logits))


def closed_os_star(y_true, scores, n_known: int) -> float:
    """``closed OS*``: known-class accuracy with rejection switched off. Mean recall over the K
    known classes of the arg-max over the first K outputs of ``scores (m, ≥K)`` (logits or
    probabilities), on the target clips whose true label is known (``y_true < K``). It separates
    how well a model transfers the known classes from how well it rejects. NaN without known
    clips."""
    y = np.asarray(y_true)
    known = y < n_known
    if not known.any():
        return float("nan")
    pred = np.asarray(scores)[known, :n_known].argmax(1)
    rec = per_class_recall(confusion(y[known], pred, n_known))
    return float(np.nanmean(rec))
