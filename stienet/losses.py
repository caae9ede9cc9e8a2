"""STIENet's loss terms, Eq (1)-(5), one function per equation.

Explained in ``notebooks/02_mmd`` (Eq 1), ``03_class_mmd`` (Eq 2), ``04_rejection`` (Eq 3) and
``05_inverse_entropy`` (Eq 4, 5). Shapes: ``fs (n, d)`` source features φ(x_s),
``ft (m, d)`` target features, labels are integer tensors.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F


def _mean(f: torch.Tensor, w: torch.Tensor | None) -> torch.Tensor:
    return f.mean(0) if w is None else (w[:, None] * f).sum(0) / w.sum().clamp_min(1e-8)


def mmd(fs: torch.Tensor, ft: torch.Tensor, wt: torch.Tensor | None = None) -> torch.Tensor:
    """STIENet Eq (1): squared distance of the source and target feature means,
    ``‖mean(fs) − mean(ft)‖²`` (the linear-kernel MMD, biased estimate). Scalar tensor. Notebook: ``02_mmd``.

    ``wt (m,)``: optional non-negative weights of the target samples (a weighted target mean;
    the ``open`` preset weights each target clip by 1 − p(unknown), beyond the paper)."""
    if fs.ndim != 2 or ft.ndim != 2 or fs.shape[1] != ft.shape[1]:
        raise ValueError(f"mmd expects fs (n, d) and ft (m, d), got {tuple(fs.shape)} and {tuple(ft.shape)}")
    return (fs.mean(0) - _mean(ft, wt)).pow(2).sum()


def pseudo_labels(logits_t: torch.Tensor, threshold: float = 0.0) -> torch.Tensor:
    """Target pseudo labels for Eq (2) from the current classifier (no gradient).

    ``logits_t (m, K+1)``: a target sample gets the arg-max class when that is a known class
    (``< K``) and its softmax probability is at least ``threshold``; otherwise ``-1`` (not used).
    """
    with torch.no_grad():
        prob = logits_t.softmax(1)
        conf, label = prob.max(1)
        k = logits_t.shape[1] - 1
        return torch.where((label < k) & (conf >= threshold), label, torch.full_like(label, -1))


def class_mmd(fs: torch.Tensor, ys: torch.Tensor, ft: torch.Tensor, yt_pseudo: torch.Tensor,
              K: int, wt: torch.Tensor | None = None) -> torch.Tensor:
    """STIENet Eq (2): ``Σ_k ‖mean(fs[ys == k]) − mean(ft[yt_pseudo == k])‖²`` over the known
    classes ``k = 0..K-1``; a class missing from either side of the batch is skipped (target
    samples with pseudo label ``-1`` never count). Scalar tensor (0 when no class is shared).
    ``wt (m,)``: optional target sample weights, as in :func:`mmd`. Notebook: ``03_class_mmd``."""
    total = fs.new_zeros(())
    for k in range(K):
        s, t = ys == k, yt_pseudo == k
        if s.any() and t.any():
            total = total + (fs[s].mean(0) - _mean(ft[t], None if wt is None else wt[t])).pow(2).sum()
    return total


def perturb(fs: torch.Tensor, rate: float) -> torch.Tensor:
    """Pseudo-unknowns for Eq (3): dropout on source features (always on, whatever the mode)."""
    return F.dropout(fs, p=rate, training=True)


def rejection_loss(logits_perturbed: torch.Tensor) -> torch.Tensor:
    """STIENet Eq (3): cross-entropy of f(perturbed φ(x_s)) against the unknown label K
    (the last of the K+1 outputs). ``logits_perturbed (n, K+1)``. Notebook: ``04_rejection``."""
    unknown = torch.full((logits_perturbed.shape[0],), logits_perturbed.shape[1] - 1,
                         dtype=torch.long, device=logits_perturbed.device)
    return F.cross_entropy(logits_perturbed, unknown)


def inverse_entropy(l_rej: torch.Tensor, phi: float) -> torch.Tensor:
    """STIENet Eq (4): ``1 / (L_rej + φ)``, φ > 0. Its gradient is ``−∂L_rej / (L_rej + φ)²``.
    Notebook: ``05_inverse_entropy`` (with β·L_rej it holds L_rej near √(ε/β) − φ)."""
    if not phi > 0:
        raise ValueError(f"phi must be > 0 (Eq 4 divides by L_rej + phi), got {phi}")
    return 1.0 / (l_rej + phi)


@dataclass(frozen=True)
class LossWeights:
    """Weights of Eq (5) (STIENet's α, β, γ, δ, ε; paper default "All = 1")."""

    alpha: float = 1.0    # L_cls
    beta: float = 1.0     # L_rej, Eq 3
    gamma: float = 1.0    # L_MMD, Eq 1
    delta: float = 1.0    # L_MMD-class, Eq 2
    epsilon: float = 1.0  # L_inv, Eq 4

    def __post_init__(self):
        bad = {k: v for k, v in asdict(self).items() if not (v >= 0 and v == v and v != float("inf"))}
        if bad:
            raise ValueError(f"loss weights must be finite and >= 0, got {bad}")


TERMS = ("cls", "rej", "mmd", "mmd_class", "inv")


def total_loss(terms: dict[str, torch.Tensor], w: LossWeights) -> torch.Tensor:
    """STIENet Eq (5): α·L_cls + β·L_rej + γ·L_MMD + δ·L_MMD-class + ε·L_inv.

    ``terms`` maps ``cls, rej, mmd, mmd_class, inv`` to scalar tensors; an optional
    ``rej_target`` (the ``open`` preset's target rejection term, beyond the paper) is weighted by
    β like L_rej. A term whose weight is 0 is left out entirely (so a non-finite value there
    cannot poison the sum)."""
    weights = dict(zip(TERMS, (w.alpha, w.beta, w.gamma, w.delta, w.epsilon)), rej_target=w.beta)
    out = None
    for name, value in terms.items():
        weight = weights[name]
        if weight:
            out = weight * value if out is None else out + weight * value
    return out if out is not None else next(iter(terms.values())) * 0.0
