"""mSDA — marginalized stacked denoising autoencoder (Chen, Xu, Weinberger & Sha, ICML 2012),
SATNMF's [27], + the paper's linear SVM ("mSDA+SVM" in SATNMF Table 3).

One layer (mDA, Chen et al. §3): corrupt every input feature to 0 with probability ``noise``
(p), keep a constant bias feature, and find the linear map W that reconstructs the clean
input from the corrupted one **in expectation over infinitely many corruptions**. With
features as columns, X (d × N) the data of source and target together, X̄ = [X; 1ᵀ] and
q = [1−p, …, 1−p, 1]ᵀ ∈ R^{d+1}:

    S = X̄ X̄ᵀ,   Q_ij = S_ij q_i q_j (i ≠ j),   Q_ii = S_ii q_i,   P_ij = S_ij q_j  (first d rows)
    W = P (Q + ε I)⁻¹                    (d × (d+1); Chen et al. Eq 6 with their ε = 1e-5 ridge)
    h = tanh(W x̄)                        (the layer's output, d values)

Stacking (§4): layer t takes the outputs of layer t−1 as its input; the representation is
the concatenation [x, h₁, …, h_L] of the input and every layer, of size (L + 1)·d.

Computation. The ComParE features have d = 6373 ≫ N, so the (d+1) × (d+1) solve is replaced by
an exact rearrangement: Q + εI = Z Zᵀ + D with Z = diag(q) X̄ and D = diag(q ∘ (1−q) ∘ diag S) + εI
(diagonal), so by the Woodbury identity Zᵀ(Q + εI)⁻¹ = (I_N + G)⁻¹ Zᵀ D⁻¹ with G = Zᵀ D⁻¹ Z, and

    W = X (I_N + G)⁻¹ Zᵀ D⁻¹             (O(d·N²) instead of O(d³); W is never formed)

``tests/test_baselines_closed.py`` checks this against Chen et al.'s literal formula (a dense
solve) and against a ridge fit to many explicitly corrupted copies of the data.
"""
from __future__ import annotations

import numpy as np

from .common import RepresentationSVM


class MDALayer:
    """One marginalized denoising layer, fitted in closed form on rows ``X`` (N, d).

    Learned state: ``A_`` (d, N) = X (I + G)⁻¹ and ``K_`` (d+1, N) = D⁻¹ Z, so that
    W x̄ = ``A_ @ K_.T @ x̄`` for any x̄ = [x; 1].
    """

    def __init__(self, noise: float = 0.5, eps: float = 1e-5):
        if not 0 <= noise < 1:
            raise ValueError(f"noise must be in [0, 1), got {noise}")
        self.noise, self.eps = noise, eps

    def fit(self, X):
        X = np.asarray(X, dtype=np.float64)
        n_samples, d = X.shape
        Xbar = np.hstack([X, np.ones((n_samples, 1))]).T            # (d+1, N)
        q = np.r_[np.full(d, 1.0 - self.noise), 1.0]
        s_diag = np.einsum("ij,ij->i", Xbar, Xbar)                    # diag S
        D = q * (1.0 - q) * s_diag + self.eps
        Z = q[:, None] * Xbar
        self.K_ = Z / D[:, None]                                      # D⁻¹ Z
        G = Z.T @ self.K_                                             # Zᵀ D⁻¹ Z, (N, N)
        inv = np.linalg.inv(np.eye(n_samples) + G)
        self.A_ = X.T @ inv                                           # X (I + G)⁻¹, (d, N)
        return self

    def weights(self) -> np.ndarray:
        """W (d, d+1), formed explicitly (small d only; for tests and the notebook)."""
        return self.A_ @ self.K_.T

    def transform(self, X) -> np.ndarray:
        """tanh(W x̄) for each row x of ``X`` (n, d) → (n, d)."""
        X = np.asarray(X, dtype=np.float64)
        Xbar = np.hstack([X, np.ones((len(X), 1))])
        return np.tanh((Xbar @ self.K_) @ self.A_.T)


def msda_weights_literal(X, noise: float, eps: float = 1e-5) -> np.ndarray:
    """Chen et al.'s mDA W = P (Q + εI)⁻¹ built entry by entry from S (their MATLAB ``mDA.m``),
    a dense (d+1) × (d+1) solve. ``X`` (N, d) rows. Reference for tests; O(d³)."""
    X = np.asarray(X, dtype=np.float64)
    Xbar = np.hstack([X, np.ones((len(X), 1))]).T
    d1 = Xbar.shape[0]
    q = np.r_[np.full(d1 - 1, 1.0 - noise), 1.0]
    S = Xbar @ Xbar.T
    Q = S * np.outer(q, q)
    Q[np.diag_indices(d1)] = q * np.diag(S)
    P = S * q[None, :]
    return np.linalg.solve((Q + eps * np.eye(d1)).T, P[:-1].T).T


class MSDA(RepresentationSVM):
    """mSDA + linear SVM (SATNMF Table 3 "mSDA+SVM"; Chen et al. 2012).

    Parameters
    ----------
    noise : corruption probability p of every layer (Chen et al. search 0.1 … 0.9).
    layers : stacked layers L (Chen et al. use up to 5).
    C : trade-off of the linear SVM trained on the source part of [x, h₁, …, h_L].
    eps : ridge ε added to Q (Chen et al.'s 1e-5).

    Learned state: ``layers_`` (list of :class:`MDALayer`, fitted on source + target, no
    labels), ``Zs_`` (n, (L+1)·d), ``Zt_`` (m, (L+1)·d), ``svm_``.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> Xs, Xt = rng.random((20, 6)), rng.random((15, 6))
    >>> MSDA(layers=2).fit(Xs, np.arange(20) % 2, Xt).Zt_.shape
    (15, 18)
    """

    def __init__(self, noise: float = 0.5, layers: int = 3, C: float = 1.0, eps: float = 1e-5):
        self.noise, self.layers, self.C, self.eps = noise, layers, C, eps

    def representation(self, Xs, ys, Xt):
        if self.layers < 1:
            raise ValueError(f"layers must be >= 1, got {self.layers}")
        H = np.vstack([Xs, Xt])
        outs = [H]
        self.layers_ = []
        for _ in range(self.layers):
            layer = MDALayer(self.noise, self.eps).fit(H)
            H = layer.transform(H)
            self.layers_.append(layer)
            outs.append(H)
        Z = np.hstack(outs)
        return Z[: len(Xs)], Z[len(Xs):]

    def transform(self, X):
        outs = [np.asarray(X, dtype=np.float64)]
        for layer in self.layers_:
            outs.append(layer.transform(outs[-1]))
        return np.hstack(outs)
