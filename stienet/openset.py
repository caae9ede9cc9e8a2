"""How a trained K+1 classifier says "unknown": pseudo-unknowns, target rejection, thresholds.

STIENet's Eq (3) trains the unknown output on *pseudo-unknowns* — dropout-perturbed source
features (:func:`stienet.losses.perturb`) — and the paper predicts by arg-max over the K+1
outputs. This module holds that choice and the alternatives of the ``open`` training preset
(:data:`stienet.train.PRESETS`), which goes **beyond the paper** (explained in
``notebooks/05_inverse_entropy`` and ``notebooks/train``):

* :func:`pseudo_unknowns` — ``"dropout"`` (Eq 3 as printed), ``"dropout-norm"`` (the same with
  each vector rescaled to its original norm: inverted dropout multiplies the norm by about
  √(1/(1−p)), a cue the classifier can detect without learning anything about unknowns) or
  ``"mixup"`` (detached convex mixtures of two source features of *different* classes: they lie
  between the known classes, where a real unknown emotion is likely to fall);
* ``"reflect"`` (:func:`reflect_unknowns`: source features mirrored through the target mean).
  Measured on the 12 synthetic pairs (generator v2, scale 0.25, 10 epochs, seed 0), in place of
  ``"dropout-norm"`` in the ``open`` preset: OS* 18.0 / UNK 42.1 / H 21.5 / AUROC 0.475 against
  20.1 / 30.0 / 19.4 / 0.478 — it moves the operating point, not the ranking, so the preset keeps
  ``"dropout-norm"``;
* :func:`target_rejection_loss` — the least confident target clips of a batch, trained towards
  the unknown label K;
* :func:`unknown_threshold` — a decision threshold on p(unknown) chosen from held-out source
  clips and their pseudo-unknowns only (no target label is used).

Shapes: ``fs (n, d)`` source features, ``ys (n,)`` labels in ``0..K-1``, ``logits (m, K+1)``.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

from .losses import perturb
from .metrics import closed_os_star, log_probabilities, mark_degeneracy, open_set_metrics

PSEUDO_UNKNOWNS = ("dropout", "dropout-norm", "mixup", "reflect")


def mixup_unknowns(fs: torch.Tensor, ys: torch.Tensor, generator: torch.Generator | None = None,
                   low: float = 0.3, high: float = 0.7) -> torch.Tensor:
    """One cross-class mixture per source sample: ``λ·fs[i] + (1 − λ)·fs[j]`` with ``ys[j] ≠ ys[i]``
    and ``λ ~ U(low, high)``; detached (the encoder is not pushed by them). ``(n, d)``.
    Rows whose class is alone in the batch are mixed with a random other row."""
    fs, n = fs.detach(), len(fs)
    partner = torch.randint(0, n, (n,), generator=generator, device="cpu")
    other = (ys.cpu()[:, None] != ys.cpu()[None, :]).float()               # (n, n) other class
    has_other = other.sum(1) > 0
    if bool(has_other.any()):
        pick = torch.multinomial(other[has_other], 1, generator=generator).squeeze(1)
        partner[has_other] = pick
    lam = torch.empty(n, 1).uniform_(low, high, generator=generator)
    partner, lam = partner.to(fs.device), lam.to(fs.device)
    return lam * fs + (1 - lam) * fs[partner]


def reflect_unknowns(fs: torch.Tensor, centre: torch.Tensor) -> torch.Tensor:
    """Source features mirrored through the target mean, ``2·centre − fs``, detached. ``(n, d)``.

    Where the target has mass that no source class explains (its unknown clips), its mean lies
    on that side of the source classes; mirroring the source through it puts pseudo-unknowns
    there, instead of next to the known classes (where dropout puts them)."""
    return (2 * centre.detach().reshape(1, -1) - fs).detach()


def pseudo_unknowns(fs: torch.Tensor, ys: torch.Tensor, kind: str = "dropout", rate: float = 0.5,
                    generator: torch.Generator | None = None,
                    centre: torch.Tensor | None = None) -> torch.Tensor:
    """Pseudo-unknown features for Eq (3), ``(n, d)``; ``kind`` in :data:`PSEUDO_UNKNOWNS`
    (``"reflect"`` needs ``centre``, the target's mean feature ``(d,)``)."""
    if kind == "dropout":
        return perturb(fs, rate)
    if kind == "dropout-norm":
        out = perturb(fs, rate)
        return out * (fs.norm(dim=1, keepdim=True) / out.norm(dim=1, keepdim=True).clamp_min(1e-8))
    if kind == "mixup":
        return mixup_unknowns(fs, ys, generator)
    if kind == "reflect":
        if centre is None:
            raise ValueError("pseudo_unknowns kind 'reflect' needs the target mean feature (centre)")
        return reflect_unknowns(fs, centre)
    raise ValueError(f"pseudo_unknowns kind must be one of {PSEUDO_UNKNOWNS}, got {kind!r}")


def least_confident(prob_t: torch.Tensor, frac: float) -> torch.Tensor:
    """Indices of the ``ceil(frac · m)`` target clips whose largest *known*-class probability is
    lowest. ``prob_t (m, K+1)`` (no gradient needed)."""
    k = int(np.ceil(frac * len(prob_t)))
    if k <= 0:
        return torch.zeros(0, dtype=torch.long, device=prob_t.device)
    return prob_t[:, :-1].max(1).values.argsort()[:k]


def target_rejection_loss(logits_t: torch.Tensor, prob_t: torch.Tensor, frac: float) -> torch.Tensor:
    """Cross-entropy towards the unknown label K of the least confident ``frac`` of the target
    clips (:func:`least_confident` on ``prob_t``, eval-mode probabilities). Beyond the paper."""
    idx = least_confident(prob_t, frac)
    if len(idx) == 0:
        return logits_t.sum() * 0.0
    unknown = torch.full((len(idx),), logits_t.shape[1] - 1, dtype=torch.long, device=logits_t.device)
    return F.cross_entropy(logits_t[idx], unknown)


def unknown_threshold(p_unk_known: np.ndarray, p_unk_pseudo: np.ndarray) -> float:
    """Threshold τ on p(unknown) maximising Youden's J (TPR − FPR) between held-out *source*
    clips (negatives) and their pseudo-unknowns (positives); predict unknown when p ≥ τ.

    Candidate cuts lie midway between consecutive distinct scores; among cuts with the best J
    the middle one is taken (with perfectly separated groups: the middle of the gap, not its
    edge, so a target clip slightly less confident than every pseudo-unknown is not missed)."""
    neg, pos = np.asarray(p_unk_known, float), np.asarray(p_unk_pseudo, float)
    if len(neg) == 0 or len(pos) == 0:
        raise ValueError("unknown_threshold needs held-out source clips and pseudo-unknowns")
    scores = np.unique(np.r_[neg, pos])
    cuts = np.r_[scores[0] - 1e-9, (scores[:-1] + scores[1:]) / 2, scores[-1] + 1e-9]
    j = (pos[None, :] >= cuts[:, None]).mean(1) - (neg[None, :] >= cuts[:, None]).mean(1)
    best = np.flatnonzero(j == j.max())
    return float(cuts[best[len(best) // 2]])


def decide(prob: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Labels from ``prob (m, K+1)``: arg-max over the K+1 outputs (the paper), or, with a
    ``threshold``, unknown (K) when p(unknown) ≥ threshold and else the arg-max known class."""
    if threshold is None:
        return prob.argmax(1)
    k = prob.shape[1] - 1
    return np.where(prob[:, k] >= threshold, k, prob[:, :k].argmax(1))


def unknown_auroc(y_true: np.ndarray, p_unk: np.ndarray, n_known: int) -> float:
    """Threshold-free rejection quality: AUROC of p(unknown) separating unknown target clips
    (label ``n_known``) from known ones. NaN when one of the two groups is empty."""
    is_unk = np.asarray(y_true) == n_known
    if is_unk.all() or not is_unk.any():
        return float("nan")
    return float(roc_auc_score(is_unk, p_unk))


def open_set_record_metrics(y_true: np.ndarray, logits: np.ndarray, n_known: int,
                            threshold: float | None = None) -> dict:
    """The metrics a result stores, from the target's float32 ``logits (m, K+1)`` and true labels
    ``y_true (m,)`` in ``0..K``: :func:`stienet.metrics.open_set_metrics` of :func:`decide`
    (arg-max, or the ``threshold`` on p(unknown)), the AUROC of the unknown score
    (log p(unknown), :func:`unknown_auroc`), ``closed OS*``
    (:func:`stienet.metrics.closed_os_star`) and ``threshold``. Recomputed from a stored
    ``target_logits`` it gives back the stored values exactly."""
    logp = log_probabilities(logits)
    m = open_set_metrics(y_true, decide(np.exp(logp), threshold), n_known)
    m["AUROC"] = unknown_auroc(y_true, logp[:, n_known], n_known)
    m["closed OS*"] = closed_os_star(y_true, logp, n_known)
    m["threshold"] = threshold
    return mark_degeneracy(m)


def oracle_operating_point(y_true: np.ndarray, prob: np.ndarray) -> dict:
    """**Oracle (uses target labels)**: the best H any threshold on p(unknown) reaches on one
    target set, ``prob (m, K+1)``, ``y_true (m,)`` in ``0..K``. Unknown when p(unknown) ≥ τ,
    else the arg-max known class; every distinct score is tried as τ (plus "reject none").
    For analysis only — it says how far the ranking of p(unknown) and the known-class
    accuracy allow a threshold to go, not what a user without labels gets. Returns the
    :func:`stienet.metrics.open_set_metrics` of that threshold plus ``threshold``."""
    from .metrics import open_set_metrics

    prob, y = np.asarray(prob, float), np.asarray(y_true)
    k = prob.shape[1] - 1
    best = None
    for tau in np.r_[np.unique(prob[:, k]), np.inf]:
        m = open_set_metrics(y, decide(prob, tau), k)
        if best is None or m["H"] > best["H"]:
            best = {**m, "threshold": float(tau)}
    return best
