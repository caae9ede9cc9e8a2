"""OSBP — open set domain adaptation by backpropagation (Saito et al., ECCV 2018; STIENet's
reference [26]), on STIENet's raw-audio network.

The network is STIENet's own (:class:`stienet.model.STIENet`: encoder φ = generator G,
classifier f with K + 1 outputs, the last one "unknown"), trained by the same loop
(:func:`stienet.train.fit` with ``step=osbp_step``). Only the loss of a mini-batch differs::

    L_s   = CE(f(φ(x_s)), y_s)                                   (source, K+1-way)
    L_adv = −t·log p(K | x_t) − (1 − t)·log(1 − p(K | x_t))       (target)

The classifier minimises L_s + L_adv — it tries to put every target sample exactly on the
boundary p(unknown) = t; the generator minimises L_s − L_adv — it pushes a target sample to one
side, to a known class (p(unknown) < t) or to unknown (> t). A gradient-reversal layer between φ
and f on the **target** features gives both in one backward pass (:func:`grad_reverse`): the
classifier receives +∂L_adv, the encoder −∂L_adv. t = 0.5 and the reversal coefficient 1 are
the paper's. A target clip is predicted by arg-max over the K + 1 outputs (the paper's rule;
``decision="argmax"``). Explained in ``notebooks/07_results_pairs``.

Shapes: ``xs (n, T)``, ``ys (n,)`` in ``0..K-1``, ``xt (m, T)`` waveforms; logits ``(·, K+1)``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

#: The paper's hyper-parameters of the adversarial term.
OSBP_T = 0.5
OSBP_COEFF = 1.0


class _GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, coeff):
        ctx.coeff = coeff
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.coeff * grad, None


def grad_reverse(x: torch.Tensor, coeff: float = OSBP_COEFF) -> torch.Tensor:
    """Identity forward; multiplies the gradient by ``−coeff`` backward. ``x (n, d)``."""
    return _GradReverse.apply(x, coeff)


def unknown_bce(logits: torch.Tensor, t: float = OSBP_T, eps: float = 1e-6) -> torch.Tensor:
    """L_adv of OSBP (the binary cross-entropy to t of [26]): mean over rows of ``logits (m, K+1)`` of
    ``−t log p_K − (1 − t) log(1 − p_K)``, ``p_K`` the softmax probability of "unknown"."""
    p = logits.softmax(1)[:, -1]
    return -(t * torch.log(p + eps) + (1 - t) * torch.log(1 - p + eps)).mean()


def osbp_step(model, xs, ys, xt, cfg, ls=None, lt=None, generator=None, offset=None,
              t: float = OSBP_T, coeff: float = OSBP_COEFF):
    """Loss of one OSBP mini-batch on STIENet's network; the ``step`` hook of
    :func:`stienet.train.fit`. Returns ``(terms, loss)`` with ``terms = {"cls": L_s, "adv": L_adv}``
    and ``loss = L_s + L_adv`` (the reversal layer turns the encoder's share into L_s − L_adv).

    One encoder pass and one classifier pass over source and target together (one set of
    BatchNorm statistics, as in STIENet's step). ``cfg``, ``generator`` are unused (the hook's
    common signature); ``offset (n + m, d)``: speaker means subtracted from φ."""
    n = len(xs)
    lengths = None if ls is None or lt is None else torch.cat([ls, lt])
    f = model.encoder(torch.cat([xs, xt]), lengths)
    if offset is not None:
        f = f - offset
    logits = model.classifier(torch.cat([f[:n], grad_reverse(f[n:], coeff)]))
    terms = {"cls": F.cross_entropy(logits[:n], ys), "adv": unknown_bce(logits[n:], t)}
    return terms, terms["cls"] + terms["adv"]
