"""FSTSL — feature selection based transfer subspace learning (Song & Zheng, IEEE Trans.
Affective Computing 11(3):373–382, 2020, DOI 10.1109/TAFFC.2018.2800046), SATNMF's [28],
+ the paper's linear SVM ("FSTSL+SVM" in SATNMF Table 3).

**What is implemented, and from where.** The FSTSL paper's text is not available to this
project. Its abstract (and the authors' companion paper, Song, Zheng & Zhao, J. Tsinghua Univ.
58(4), 2018: "the feature subspace is learned via a regression algorithm with the ℓ2,1-norm used
for feature selection; the MMD measures the divergence between corpora") and SATNMF's
description (§3.2: FSTSL learns new representations of source and target, has a neighbour
count p and regularisation weights, then a linear SVM) give its ingredients: a projection
learnt by regression onto the source labels, an ℓ2,1 penalty on the projection for feature
selection, MMD terms that bring the corpora together (marginal and, with pseudo labels,
conditional — "reducing the difference of different corpora"), and a kNN-graph term
("the geometric information of data"). This module minimises exactly that combination;
the published objective may weigh or normalise its terms differently.

With features as columns — X = [Xs, Xt] (d × N), Ys (c × n) one-hot source labels — and the
projection W (d × c):

    min_W  ‖Ys − Wᵀ Xs‖²_F + α Tr(Wᵀ X M Xᵀ W) + β Tr(Wᵀ X L Xᵀ W) + γ ‖W‖₂,₁      (FSTSL)

M = M₀ + Σ_k M_k is SATNMF Eq (6)'s MMD matrix (marginal + class-wise, target classes from a
source-trained SVM's pseudo labels, weight 1 each), L = D − W_p the Laplacian of SATNMF
Eq (7)'s p-nearest-neighbour heat-kernel graph. ‖W‖₂,₁ = Σ_i ‖wⁱ‖₂ over the rows of W (one
row per feature: a zero row de-selects that feature). Solved by iteratively re-weighted least
squares (Nie et al., NIPS 2010): with G = diag(1 / (2‖wⁱ‖₂)),

    W ← (Xs Xsᵀ + X (αM + βL) Xᵀ + γ G)⁻¹ Xs Ysᵀ

which never increases the objective. The d × d solve uses the Woodbury identity on
K = Es Esᵀ + αM + βL = F Fᵀ (N × N, PSD): O(d·N²) per iteration. The new representation is
Wᵀx (c values); the SVM is trained on Wᵀ Xs.
"""
from __future__ import annotations

import numpy as np

from ..satnmf import MMDGroups, knn_graph, laplacian, svm_pseudo_labels
from .common import RepresentationSVM, one_hot


def l21(W) -> float:
    """‖W‖₂,₁: the sum of the Euclidean norms of the rows of ``W`` (d, c)."""
    return float(np.sqrt((np.asarray(W) ** 2).sum(1)).sum())


def fstsl_objective(W, Xs, Ys, X, K_reg, gamma: float) -> float:
    """The FSTSL objective above; ``K_reg`` = αM + βL (N, N); X (d, N), Xs (d, n), Ys (c, n)."""
    return float(np.sum((Ys - W.T @ Xs) ** 2) + np.trace(W.T @ X @ K_reg @ X.T @ W)
                 + gamma * l21(W))


def irls_step(X, K, XsYs, G_diag, gamma: float) -> np.ndarray:
    """W = (X K Xᵀ + γ diag(G))⁻¹ Xs Ysᵀ by the Woodbury identity (K = F Fᵀ, N × N PSD).
    X (d, N), XsYs (d, c), G_diag (d,) → W (d, c)."""
    evals, evecs = np.linalg.eigh((K + K.T) / 2)
    keep = evals > evals.max() * 1e-12
    B = X @ (evecs[:, keep] * np.sqrt(evals[keep]))           # X F, (d, k)
    Dinv = 1.0 / (gamma * G_diag)                             # (γG)⁻¹ diagonal
    DB = Dinv[:, None] * B
    inner = np.eye(B.shape[1]) + B.T @ DB
    DX = Dinv[:, None] * XsYs
    return DX - DB @ np.linalg.solve(inner, B.T @ DX)


class FSTSL(RepresentationSVM):
    """FSTSL projection + linear SVM (see the module docstring for the objective and its source).
    Parameter names are FSTSL's here, not SATNMF's.

    Parameters
    ----------
    alpha : weight of the MMD term Tr(Wᵀ X M Xᵀ W).
    beta : weight of the graph term Tr(Wᵀ X L Xᵀ W).
    gamma : weight of the ℓ2,1 feature-selection penalty (> 0).
    p : neighbours of the kNN graph (SATNMF §3.2 searches {1, 3, 5, 10, 15}).
    C : trade-off of the linear SVM (also the pseudo-label SVM).
    n_iter : IRLS iterations.

    Learned state: ``W_`` (d, c), ``objective_`` (per iteration), ``Zs_`` (n, c), ``Zt_`` (m, c).
    """

    def __init__(self, alpha=1.0, beta=1.0, gamma=1.0, p=5, C=1.0, n_iter=20, eps=1e-8):
        self.alpha, self.beta, self.gamma, self.p = alpha, beta, gamma, p
        self.C, self.n_iter, self.eps = C, n_iter, eps

    def problem(self, Xs, ys, Xt):
        """(X (d, N), Xs Ysᵀ (d, c), Ys (c, n), K = Es Esᵀ + αM + βL, αM + βL)."""
        if not self.gamma > 0:
            raise ValueError(f"gamma must be > 0, got {self.gamma}")
        n, c = len(Xs), int(ys.max()) + 1
        pseudo = svm_pseudo_labels(Xs, ys, Xt, self.C)
        M = MMDGroups.from_labels(ys, pseudo, c, alpha=1.0).dense()
        Xall = np.vstack([Xs, Xt])
        L = laplacian(knn_graph(Xall, self.p)).toarray()
        reg = self.alpha * M + self.beta * L
        K = reg.copy()
        K[np.arange(n), np.arange(n)] += 1.0                      # Es Esᵀ
        Ys = one_hot(ys, c).T
        return Xall.T, Xs.T @ Ys.T, Ys, K, reg

    def representation(self, Xs, ys, Xt):
        X, XsYs, Ys, K, reg = self.problem(Xs, ys, Xt)
        G = np.ones(X.shape[0])
        self.objective_ = []
        for _ in range(self.n_iter):
            W = irls_step(X, K, XsYs, G, self.gamma)
            G = 1.0 / (2.0 * np.sqrt((W ** 2).sum(1)) + self.eps)
            self.objective_.append(fstsl_objective(W, X[:, : len(Xs)], Ys, X, reg, self.gamma))
        self.W_ = W
        return Xs @ W, Xt @ W

    def transform(self, X):
        return np.asarray(X, dtype=np.float64) @ self.W_
