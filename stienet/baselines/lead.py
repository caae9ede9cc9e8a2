"""LEAD — learning decomposition for source-free universal domain adaptation (Qu et al.,
CVPR 2024; STIENet's reference [19]), on STIENet's raw-audio network.

Two stages, as in the paper:

1. **Source model** — STIENet's network trained on the source alone by the shared loop
   (:func:`stienet.train.fit` with :func:`source_step`): cross-entropy with label smoothing 0.1
   over the K known outputs (the "smooth" source training of the authors' code). The shared loop
   recomputes BatchNorm statistics over source *and* target clips (no target label); that is the
   only target information this stage sees.
2. **Source-free adaptation** — the source data are dropped. With ``embed`` the classifier's
   hidden activation (the input of its last linear layer) and ``W (K, D)`` that layer's weights
   for the known classes, every L2-normalised target feature ``f`` is split (:func:`decompose`)
   into its part in the span of W's rows (the source-known space, basis ``U_k``, from the SVD of
   Wᵀ) and the orthogonal part (``U_u``): ``f = U_kᵀU_k f + U_uᵀU_u f``. Target-private (unknown)
   clips carry more of their norm in the orthogonal part. Each epoch (:func:`pseudo_labels`):

   * a two-component Gaussian mixture on the orthogonal norms ``‖U_u f‖`` gives μ₁ < μ₂;
   * per class c, the ``N / C_t`` most confident target clips give a target prototype and a
     prior ``ρ_c`` (their mean orthogonal norm); ``C_t = K·coeff`` with coeff chosen by the
     silhouette of k-means on a t-SNE of the features (the authors' code);
   * a common score ``s_ic = √((1 − e^{−sim(f_i, proto_c)}) · e^{sim(f_i, w_c) − 1})`` and the
     **instance-level boundary** ``τ_ic = ρ_c + s_ic · max(μ₂ − ρ_c, 0)``;
   * pseudo label ``c = argmax_c s_ic``, replaced by unknown when ``‖U_u f_i‖ ≥ τ_ic``; weight
     ``1 − (1 + (‖U_u f_i‖ − τ_ic)² / a)^{−(a+1)/2}`` (Student-t, a = 1e-4).

   The network is then trained on target mini-batches with
   ``λ_psd · L_ce + L_reg + L_con``: weighted cross-entropy to the pseudo labels (an unknown clip's
   target spread evenly over the K classes), a softmax over (‖U_k f‖, ‖U_u f‖) trained towards the
   known or unknown side, and agreement with the mean prediction of the 4 nearest target clips of
   a feature bank.

A target clip is predicted unknown when the normalised entropy of its K-way prediction is at least
``w_0`` (the authors' test rule), else its arg-max class. Defaults are the authors' code's for
Office-31 OSDA (λ_psd = 0.3, w_0 = 0.55, lr 1e-3, SGD with momentum 0.9, Nesterov, weight decay
1e-3, the decaying schedule ``(1 + 10 p)^{−0.75}``); epochs follow this project's budget.
Shapes: features ``(N, D)``, probabilities ``(N, K)``, ``W (K, D)``.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

#: The authors' Office-31 OSDA settings.
LEAD_DEFAULTS = dict(lam_psd=0.3, w_0=0.55, knn=4, label_smoothing=0.1, momentum=0.9,
                     weight_decay=1e-3, coeffs=(0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0))
STUDENT_A = 1e-4


def source_step(model, xs, ys, xt, cfg, ls=None, lt=None, generator=None, offset=None):
    """Stage 1 loss (a ``step`` of :func:`stienet.train.fit`): label-smoothed cross-entropy of
    the source clips over the K known outputs; ``xt`` is not used. Returns ``(terms, loss)``."""
    f = model.encoder(xs, ls)
    if offset is not None:
        f = f - offset[:len(xs)]
    logits = model.classifier(f)[:, :model.n_known]
    loss = F.cross_entropy(logits, ys, label_smoothing=LEAD_DEFAULTS["label_smoothing"])
    return {"cls": loss}, loss


def embed_and_probs(model, f):
    """Classifier hidden activation ``(n, D)`` (input of its last layer) and K-way softmax."""
    net = model.classifier.net
    h = net[:4](f)
    return h, net[4](h)[:, :model.n_known].softmax(1)


def decompose(W: torch.Tensor):
    """Orthonormal bases ``(U_k (K, D), U_u (D − K, D))`` of the span of ``W``'s rows and its
    orthogonal complement (left singular vectors of Wᵀ)."""
    u, _, _ = torch.linalg.svd(W.T, full_matrices=True)
    K = W.shape[0]
    return u[:, :K].T, u[:, K:].T


def projection_norms(feats, Uk, Uu):
    """``(‖U_k f‖, ‖U_u f‖)`` per row of ``feats (N, D)`` (rows L2-normalised first)."""
    f = F.normalize(feats, dim=1)
    return (f @ Uk.T).norm(dim=1), (f @ Uu.T).norm(dim=1)


def estimate_coeff(feats: np.ndarray, K: int, coeffs=LEAD_DEFAULTS["coeffs"], seed: int = 0) -> float:
    """C_t / K: the coefficient whose k-means (k = max(K·coeff, 2)) on a 2-D t-SNE of ``feats``
    has the best silhouette (the authors' estimate of the number of target classes)."""
    from sklearn.cluster import KMeans
    from sklearn.manifold import TSNE
    from sklearn.metrics import silhouette_score

    emb = TSNE(n_components=2, init="pca", random_state=seed,
               perplexity=min(30.0, (len(feats) - 1) / 3)).fit_transform(feats)
    best, best_coeff = -np.inf, 1.0
    for c in coeffs:
        k = min(max(int(K * c), 2), len(feats) - 1)
        labels = KMeans(n_clusters=k, random_state=seed, n_init=10).fit(emb).labels_
        score = silhouette_score(emb, labels)
        if score > best:
            best, best_coeff = score, c
    return best_coeff


def pseudo_labels(feats, probs, W, coeff: float, seed: int = 0):
    """LEAD's pseudo labels from target ``feats (N, D)``, K-way ``probs (N, K)`` and the
    classifier's known-class weights ``W (K, D)``. Returns ``(labels (N,) in 0..K, weights (N,),
    is_unknown (N,) bool)`` (module docstring)."""
    from sklearn.mixture import GaussianMixture

    K, N = W.shape[0], len(feats)
    f = F.normalize(feats, dim=1)
    Uk, Uu = decompose(W)
    _, un = projection_norms(f, Uk, Uu)
    gm = GaussianMixture(2, random_state=seed).fit(un.cpu().numpy().reshape(-1, 1))
    mu2 = float(gm.means_.max())
    top = max(1, int(N / max(int(K * coeff), 1)))
    idx = probs.argsort(0, descending=True)[:top].T                          # (K, top)
    proto = F.normalize(f[idx].mean(1), dim=1)                                # (K, D)
    anchor = F.normalize(W, dim=1)
    sim_t = (f @ proto.T).clamp_min(0)
    sim_s = (f @ anchor.T).clamp_min(0)
    common = torch.sqrt((1 - torch.exp(-sim_t)) * torch.exp(sim_s - 1))        # (N, K)
    prior = un[idx].mean(1)                                                   # (K,)
    thresh = prior[None, :] + common * (mu2 - prior).clamp_min(0)[None, :]    # (N, K)
    label = common.argmax(1)
    t_i = thresh[torch.arange(N), label]
    unknown = un >= t_i
    weight = 1 - (1 + (un - t_i) ** 2 / STUDENT_A) ** (-(STUDENT_A + 1) / 2)
    sure = (un >= mu2) | (un < prior[label])
    weight = torch.where(sure, torch.ones_like(weight), weight)
    return torch.where(unknown, torch.full_like(label, K), label), weight, unknown


def lead_losses(h, probs, target, weight, unknown, Uk, Uu, bank_h, bank_p, knn: int, lam_psd: float):
    """``λ_psd·L_ce + L_reg + L_con`` of one target mini-batch: ``h (b, D)`` embeddings, ``probs
    (b, K)``, soft pseudo ``target (b, K)``, ``weight (b,)``, ``unknown (b,)`` bool; feature bank
    ``bank_h (N, D)`` (normalised) and ``bank_p (N, K)``. Returns ``(terms, loss)``."""
    ce = -(target * weight[:, None] * torch.log(probs + 1e-5)).sum(1).mean()
    f = F.normalize(h, dim=1)
    norms = torch.stack([(f @ Uk.T).norm(dim=1), (f @ Uu.T).norm(dim=1)], 1)
    reg = -(weight * torch.log(norms.softmax(1)[torch.arange(len(f)), unknown.long()] + 1e-5)).mean()
    with torch.no_grad():
        nn_idx = (f @ bank_h.T).topk(knn + 1, dim=1).indices[:, 1:]
        nn_p = bank_p[nn_idx].mean(1)
    con = -(nn_p * torch.log(probs + 1e-5)).sum(1).mean()
    return {"psd": ce, "reg": reg, "con": con}, lam_psd * ce + reg + con


def entropy_unknown_score(probs: np.ndarray) -> np.ndarray:
    """Normalised entropy ``H(p) / log K`` per row of ``probs (N, K)``, in [0, 1]."""
    p = np.clip(probs, 1e-12, 1)
    return -(p * np.log(p)).sum(1) / np.log(p.shape[1])


def predict_open(probs: np.ndarray, w_0: float = LEAD_DEFAULTS["w_0"]) -> np.ndarray:
    """Unknown (``K``) where the normalised entropy is ``≥ w_0``, else the arg-max class."""
    return np.where(entropy_unknown_score(probs) >= w_0, probs.shape[1], probs.argmax(1))


def adapt(model, n_target: int, crops, epochs: int, batch_size: int, lr: float, seed: int,
          device, recompute_bn=None, on_epoch=None, lam_psd: float = LEAD_DEFAULTS["lam_psd"],
          knn: int = LEAD_DEFAULTS["knn"]) -> list:
    """Stage 2: source-free adaptation of ``model`` (a source-trained :class:`~stienet.model.STIENet`)
    on ``n_target`` target clips. ``crops(rows, how)`` returns ``(waves (r, T), lengths (r,))``
    tensors of target rows (``how``: ``"random"`` for training, ``"center"`` for the bank);
    ``recompute_bn(model, batches)``: BatchNorm statistics from ``(waves, lengths, None)``
    batches after every epoch (:func:`stienet.train.precise_batchnorm`); ``on_epoch(epoch,
    losses, probs)`` with the eval-mode K-way ``probs (N, K)``. Returns one dict of mean losses
    (``psd``, ``reg``, ``con``, ``total``) and the estimated ``coeff`` per epoch."""
    K = model.n_known
    rng = np.random.default_rng(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=LEAD_DEFAULTS["momentum"],
                          nesterov=True, weight_decay=LEAD_DEFAULTS["weight_decay"])
    last = model.classifier.net[4]
    Uk, Uu = decompose(last.weight[:K].detach())                              # fixed: source model
    steps = max(1, n_target // batch_size)
    all_rows = np.arange(n_target)

    @torch.no_grad()
    def bank():
        model.eval()
        hs, ps = [], []
        for i in range(0, n_target, 128):
            x, ln = crops(all_rows[i:i + 128], "center")
            h, p = embed_and_probs(model, model.encoder(x, ln))
            hs.append(h)
            ps.append(p)
        return torch.cat(hs), torch.cat(ps)

    history, coeff, it = [], 1.0, 0
    h_bank, p_bank = bank()
    for epoch in range(epochs):
        if epoch % 10 == 0:
            coeff = estimate_coeff(F.normalize(h_bank, dim=1).cpu().numpy(), K, seed=seed)
        labels, weight, unknown = pseudo_labels(h_bank, p_bank, last.weight[:K].detach(), coeff, seed)
        soft = F.one_hot(labels.clamp(max=K - 1), K).float()
        soft[unknown] = 1.0 / K
        bank_h = F.normalize(h_bank, dim=1)
        model.train()
        order = rng.permutation(n_target)
        sums = {}
        for b in range(steps):
            rows = order[b * batch_size:(b + 1) * batch_size]
            if len(rows) < 2:
                continue
            for group in opt.param_groups:                                    # the authors' decay
                group["lr"] = lr * (1 + 10 * it / (epochs * steps)) ** -0.75
            it += 1
            x, ln = crops(rows, "random")
            h, p = embed_and_probs(model, model.encoder(x, ln))
            idx = torch.as_tensor(rows, device=h.device)
            terms, loss = lead_losses(h, p, soft[idx], weight[idx], unknown[idx], Uk, Uu,
                                      bank_h, p_bank, knn, lam_psd)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"LEAD loss is {loss.item()} at adaptation epoch {epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                bank_h[idx] = F.normalize(h.detach(), dim=1)
                p_bank[idx] = p.detach()
            for k, v in list(terms.items()) + [("total", loss)]:
                sums[k] = sums.get(k, 0.0) + v.item() / steps
        if recompute_bn is not None:
            recompute_bn(model, (crops(order[b * batch_size:(b + 1) * batch_size], "random") + (None,)
                                 for b in range(min(steps, 16))))
        h_bank, p_bank = bank()                   # evaluation now, pseudo labels next epoch
        row = {**sums, "coeff": coeff, "pseudo_unknown_share": float(unknown.float().mean())}
        history.append(row)
        if on_epoch is not None:
            on_epoch(epoch + 1, row, p_bank.cpu().numpy())
    return history
