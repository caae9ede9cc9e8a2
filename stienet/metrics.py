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


DOMINANT_SHARE = 0.9      # one predicted label for more than this share of the clips
NEVER_UNKNOWN = 0.05      # UNK below this: the model (almost) never says "unknown"
ALL_UNKNOWN = 0.95        # UNK above this with OS* below EMPTY_KNOWN: everything is "unknown"
EMPTY_KNOWN = 0.05
CHANCE_AUROC = 0.45       # an unknown score ranking below this is inverted, not merely weak

#: The failure modes :func:`degeneracy_modes` names, with what each means.
DEGENERACY_MODES = {
    "no clips": "no target clip was evaluated",
    "one known label": "every known-class target clip gets the same label",
    "one label": f"one label for more than {DOMINANT_SHARE:.0%} of the clips",
    "never unknown": f"UNK below {NEVER_UNKNOWN:.0%}: the model (almost) never says 'unknown'",
    "all unknown": f"UNK above {ALL_UNKNOWN:.0%} with OS* below {EMPTY_KNOWN:.0%}: everything "
                   "is 'unknown'",
    "AUROC < 45": f"AUROC of the unknown score below {CHANCE_AUROC:.0%}: it ranks the known "
                  "clips as more unknown than the unknown ones",
}


def degeneracy_modes(cm, n_known: int, auroc: float | None = None) -> tuple[str, ...]:
    """The failure modes of an open-set prediction (keys of :data:`DEGENERACY_MODES`; empty
    when none). ``cm (K+1, K+1)`` counts, rows true, columns predicted; ``auroc`` of the
    unknown score (in [0, 1]; ``None``/NaN: not checked).

    * ``one known label`` — the target clips of the known classes get at most one label;
    * ``one label`` — one predicted label covers more than 90 % of all clips, although that
      label is not 90 % of the true labels (a perfect model on a 95 %-unknown target is fine);
    * ``never unknown`` — UNK < 5 %; ``all unknown`` — UNK > 95 % with OS* < 5 %
      (both only when the target has unknown clips);
    * ``AUROC < 45`` — the unknown score is inverted.

    The one rule behind ``metrics["collapsed"]``, the report's column and the run summary;
    recomputed whenever results load (:func:`collapsed`), so no run is re-run for it."""
    cm = np.asarray(cm)
    total = cm.sum()
    if total == 0:
        return ("no clips",)
    modes = []
    if cm[:n_known].sum() > 0 and int((cm[:n_known].sum(0) > 0).sum()) <= 1:
        modes.append("one known label")
    top = int(cm.sum(0).argmax())
    if cm[:, top].sum() > DOMINANT_SHARE * total and cm[top].sum() <= DOMINANT_SHARE * total:
        modes.append("one label")
    rec = per_class_recall(cm)
    if cm.shape[0] > n_known and cm[n_known].sum() > 0:
        unk = rec[n_known]
        os_star = np.nanmean(rec[:n_known]) if np.isfinite(rec[:n_known]).any() else 0.0
        if unk < NEVER_UNKNOWN:
            modes.append("never unknown")
        if unk > ALL_UNKNOWN and os_star < EMPTY_KNOWN:
            modes.append("all unknown")
    if auroc is not None and np.isfinite(auroc) and auroc < CHANCE_AUROC:
        modes.append("AUROC < 45")
    return tuple(modes)


def collapsed(cm, n_known: int, auroc: float | None = None) -> bool:
    """A degenerate open-set prediction: any mode of :func:`degeneracy_modes`."""
    return bool(degeneracy_modes(cm, n_known, auroc))


def open_set_metrics(y_true, y_pred, n_known: int) -> dict:
    """OS, OS*, UNK, H-score, UAR, WAR and the confusion matrix; labels ``0..K-1`` known, ``K``
    unknown. Values in [0, 1] (NaN where undefined, e.g. UNK and H without unknown samples);
    ``collapsed`` flags a degenerate prediction and ``degenerate`` names its modes
    (:func:`degeneracy_modes`; without the AUROC, which :func:`mark_degeneracy` adds)."""
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
            "recall": rec.tolist(), "confusion": cm.tolist(), "collapsed": collapsed(cm, n_known),
            "degenerate": list(degeneracy_modes(cm, n_known))}


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


def mark_degeneracy(metrics: dict) -> dict:
    """Set ``metrics["degenerate"]`` (modes) and ``metrics["collapsed"]`` from its confusion
    matrix and AUROC, by the current rule (:func:`degeneracy_modes`); returns ``metrics``."""
    cm = metrics.get("confusion")
    if cm:
        modes = degeneracy_modes(cm, len(cm) - 1, metrics.get("AUROC"))
        metrics["degenerate"], metrics["collapsed"] = list(modes), bool(modes)
    return metrics
