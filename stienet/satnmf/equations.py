"""SATNMF Eq (1)–(8) (Luo & Han), one function each: the label matrices and the semi-supervised
NMF of Eq 1–3, the MMD matrix of Eq 4–6 (kept implicit), the kNN graph of Eq 7, the objective and
multiplicative update of Eq 8, and the vote of §2.3. Symbols are the SATNMF paper's; shapes
follow the paper (features are columns: X is d × N, V is r × N). Explained in
``notebooks/06_satnmf``; the estimator built on them is :mod:`stienet.satnmf.estimator`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.neighbors import kneighbors_graph

#: Denominator guard of the multiplicative updates (the same in both solvers).
EPS = 1e-12

#: Entries of the label indicator E of SATNMF Eq (2): (where y = 1, where y = 0).
LABEL_WEIGHTS = {"paper": (0.001, 1.0), "binary": (1.0, 1.0)}

# --------------------------------------------------------------------------------------------
# Eq (1)-(3): semi-supervised NMF
# --------------------------------------------------------------------------------------------

def label_matrices(ys, n_classes: int, n_target: int, weights: str = "binary"):
    """One-hot labels Y and the label indicator E of SATNMF Eq (2).

    Parameters
    ----------
    ys : int array (n,), source labels in ``0..n_classes-1``.
    n_classes : c.
    n_target : m (target columns: unknown labels, E = 0 there).
    weights : ``"binary"`` (default) — E = 1 on every labelled entry, the plain mask of
        semi-supervised NMF (known label: 1, unknown: 0); ``"paper"`` — E = 0.001 where y = 1
        and 1 where y = 0, exactly as Eq (2) prints it. With the printed E the best H for codes
        that do not already separate the classes is ≈ 0 (weight 1 on the c − 1 "not this
        class" entries, 0.001 on the one "this class" entry), so H collapses and the label
        term stops acting on V; ``notebooks/06_satnmf`` measures this.

    Returns
    -------
    Y, E : arrays of shape (c, n + m).
    """
    if weights not in LABEL_WEIGHTS:
        raise ValueError(f"weights must be one of {sorted(LABEL_WEIGHTS)}, got {weights!r}")
    ys = np.asarray(ys)
    n = len(ys)
    Y = np.zeros((n_classes, n + n_target))
    Y[ys, np.arange(n)] = 1.0
    on, off = LABEL_WEIGHTS[weights]
    E = np.zeros_like(Y)
    E[:, :n] = np.where(Y[:, :n] == 1, on, off)
    return Y, E


def snmf_objective(X, U, H, V, Y, E, beta: float) -> float:
    """SATNMF Eq (1) with the label residual weighted as Eq (3) prints its updates:
    ‖X − UV‖²_F + β Σ_ij e_ij (Y − HV)²_ij.

    Eq (1) prints the label term as ‖E ∘ (Y − HV)‖²_F, i.e. weights E ∘ E; the updates of
    Eq (3) carry E ∘ Y and E ∘ HV, which are the gradient of Σ e_ij (Y − HV)²_ij (= ‖√E ∘
    (Y − HV)‖²_F). For the binary mask of semi-supervised NMF the two agree. With the paper's
    E (0.001 where y = 1) they do not: squaring gives the positives a weight of 1e-6 and the
    label term vanishes (issue #11), so we take the weighting of Eq (3), under which its
    updates never increase this objective. Explained in ``notebooks/06_satnmf``.

    X (d, N), U (d, r), H (c, r), V (r, N), Y and E (c, N).
    """
    return float(np.sum((X - U @ V) ** 2) + beta * np.sum(E * (Y - H @ V) ** 2))


def snmf_update(X, U, H, V, Y, E, beta: float):
    """One round of the multiplicative updates of SATNMF Eq (3) as printed: U, then H, then V.

    They descend :func:`snmf_objective` (weights Ω = E). Shapes as there; returns new (U, H, V).
    Explained in ``notebooks/06_satnmf``.
    """
    U = U * (X @ V.T) / (U @ (V @ V.T) + EPS)
    H = H * ((E * Y) @ V.T) / ((E * (H @ V)) @ V.T + EPS)
    V = V * (U.T @ X + beta * H.T @ (E * Y)) / (U.T @ U @ V + beta * H.T @ (E * (H @ V)) + EPS)
    return U, H, V


# --------------------------------------------------------------------------------------------
# Eq (4)-(6): the MMD matrix M = M0 + α Σ_k Mk, kept implicit
# --------------------------------------------------------------------------------------------

@dataclass
class MMDGroups:
    """SATNMF Eq (6) without the N × N matrix.

    M = Σ_k a_k e_k e_kᵀ where e_k = s_k − t_k, s_k holds 1/n_k on the source columns of group k
    and t_k holds 1/m_k on its target columns (k = 0: all columns, a_0 = 1; k ≥ 1: class k,
    a_k = α, target classes from pseudo labels). Because s_k and t_k never overlap,
    M⁺ = Σ a_k (s_k s_kᵀ + t_k t_kᵀ) and M⁻ = Σ a_k (s_k t_kᵀ + t_k s_kᵀ) exactly, and
    VM± follow from the group means of V.

    Attributes
    ----------
    groups : list of (a_k, source column indices, target column indices).
    n_columns : N.
    empty : classes skipped because no target sample carries that pseudo label (their Eq 5
        term is undefined).
    """

    groups: list
    n_columns: int
    empty: list

    @classmethod
    def from_labels(cls, ys, yt_pseudo, n_classes: int, alpha: float) -> "MMDGroups":
        """Groups of Eq (4) and Eq (5) for source labels ``ys`` (n,) and target pseudo labels
        ``yt_pseudo`` (m,); columns are ordered source then target."""
        ys, yt = np.asarray(ys), np.asarray(yt_pseudo)
        n, m = len(ys), len(yt)
        groups = [(1.0, np.arange(n), n + np.arange(m))]
        empty = []
        for k in range(n_classes):
            src, tgt = np.flatnonzero(ys == k), n + np.flatnonzero(yt == k)
            if len(tgt) == 0:
                empty.append(k)
            elif alpha > 0:
                groups.append((float(alpha), src, tgt))
        return cls(groups, n + m, empty)

    def trace(self, V) -> float:
        """Tr(V M Vᵀ) = Eq (4) + α Σ_k Eq (5): the squared distances of the group means."""
        return float(sum(a * np.sum((V[:, s].mean(1) - V[:, t].mean(1)) ** 2)
                         for a, s, t in self.groups))

    def products(self, V):
        """(V M⁺, V M⁻), each r × N, in O((c + 1) · r · N)."""
        plus, minus = np.zeros_like(V), np.zeros_like(V)
        for a, s, t in self.groups:
            ms, mt = V[:, s].mean(1, keepdims=True), V[:, t].mean(1, keepdims=True)
            plus[:, s] += (a / len(s)) * ms
            plus[:, t] += (a / len(t)) * mt
            minus[:, s] += (a / len(s)) * mt
            minus[:, t] += (a / len(t)) * ms
        return plus, minus

    def dense(self) -> np.ndarray:
        """M itself, entry by entry as Eq (6) defines each M_k (reference for tests only)."""
        M = np.zeros((self.n_columns, self.n_columns))
        for a, s, t in self.groups:
            Mk = np.zeros_like(M)
            Mk[np.ix_(s, s)] = 1.0 / len(s) ** 2
            Mk[np.ix_(t, t)] = 1.0 / len(t) ** 2
            Mk[np.ix_(s, t)] = Mk[np.ix_(t, s)] = -1.0 / (len(s) * len(t))
            M += a * Mk
        return M


# --------------------------------------------------------------------------------------------
# Eq (7): kNN heat-kernel graph
# --------------------------------------------------------------------------------------------

def knn_graph(X, p: int = 5, sigma: float | None = None) -> sp.csr_matrix:
    """Affinity W of SATNMF Eq (7), sparse N × N.

    w_ij = exp(−‖x_i − x_j‖² / (2σ²)) when x_i is among the p nearest neighbours of x_j **or**
    x_j among those of x_i, else 0 (so W is symmetric; the diagonal is 0).

    Parameters
    ----------
    X : array (N, d), samples as rows.
    p : neighbours per sample (paper: searched in {1, 3, 5, 10, 15}).
    sigma : kernel width; ``None`` = the mean distance to the p nearest neighbours (the paper
        does not state σ).
    """
    if p < 1 or p >= len(X):
        raise ValueError(f"p must be in [1, N-1] = [1, {len(X) - 1}], got {p}")
    dist = kneighbors_graph(X, p, mode="distance", include_self=False)
    dist = dist.maximum(dist.T).tocsr()          # "x_i ∈ N_p(x_j) or x_j ∈ N_p(x_i)"
    if sigma is None:
        sigma = float(dist.data.mean()) if dist.nnz else 1.0
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    W = dist.copy()
    W.data = np.exp(-W.data ** 2 / (2 * sigma ** 2))
    return W


def laplacian(W) -> sp.csr_matrix:
    """L = D − W with d_ii = Σ_j w_ij (SATNMF Eq 7); Tr(V L Vᵀ) = ½ Σ w_ij ‖v_i − v_j‖²."""
    W = sp.csr_matrix(W)
    return (sp.diags(np.asarray(W.sum(1)).ravel()) - W).tocsr()


# --------------------------------------------------------------------------------------------
# Eq (8): the full model
# --------------------------------------------------------------------------------------------

def satnmf_objective(X, U, H, V, Y, E, L, M, *, beta, lam, gamma) -> float:
    """SATNMF Eq (8) computed literally: ‖X−UV‖² + β Σ e_ij(Y−HV)²_ij + λ Tr(VLVᵀ) + γ Tr(VMVᵀ)
    (label term weighted as in :func:`snmf_objective`).

    ``L`` (the Laplacian, :func:`laplacian`) and ``M`` (:meth:`MMDGroups.dense`) are N × N —
    this is the reference computation; :class:`stienet.satnmf.SATNMF` uses cheaper identities.
    Explained in ``notebooks/06_satnmf``.
    """
    L = L.toarray() if sp.issparse(L) else L
    return (snmf_objective(X, U, H, V, Y, E, beta) + lam * float(np.trace(V @ L @ V.T))
            + gamma * float(np.trace(V @ M @ V.T)))


def satnmf_update(X, U, H, V, Y, E, *, beta, lam, gamma, W=None, degree=None, mmd=None,
                  M=None):
    """One round of multiplicative updates for SATNMF Eq (8); returns (U, H, V, UᵀX).

    With the gradient ½∇_V = UᵀUV − UᵀX + βHᵀ(E∘(HV) − E∘Y) + λV(D − W) + γV(M⁺ − M⁻) and
    every matrix split into its non-negative parts, the KKT condition V ∘ ∇_V = 0 gives

        V ← V ∘ (UᵀX + βHᵀ(E∘Y) + λVW + γVM⁻) / (UᵀUV + βHᵀ(E∘HV) + λVD + γVM⁺).

    U and H are updated as in Eq (3) (the regularisers do not involve them). Pass either
    ``mmd`` (fast: :class:`MMDGroups`) or dense ``M = (M⁺, M⁻)``; ``W`` sparse or dense and
    ``degree`` = row sums of W. Shapes: X (d, N), U (d, r), H (c, r), V (r, N), Y and E (c, N).
    Explained in ``notebooks/06_satnmf``.
    """
    U = U * (X @ V.T) / (U @ (V @ V.T) + EPS)
    if beta > 0:
        H = H * ((E * Y) @ V.T) / ((E * (H @ V)) @ V.T + EPS)
    UtX = U.T @ X
    num = UtX.copy()
    den = (U.T @ U) @ V
    if beta > 0:
        num += beta * (H.T @ (E * Y))
        den += beta * (H.T @ (E * (H @ V)))
    if lam > 0:
        num += lam * np.asarray((W.T @ V.T).T if sp.issparse(W) else V @ W)
        den += lam * V * degree
    if gamma > 0:
        if M is not None:
            plus, minus = V @ M[0], V @ M[1]
        else:
            plus, minus = mmd.products(V)
        num += gamma * minus
        den += gamma * plus
    V = V * num / (den + EPS)
    return U, H, V, UtX


def vote(predictions, n_classes: int) -> np.ndarray:
    """Majority label per column of ``predictions`` (n_trials, m) (SATNMF §2.3); a tie goes to
    the smallest label."""
    predictions = np.asarray(predictions, dtype=int)
    counts = np.zeros((n_classes, predictions.shape[1]), dtype=int)
    for row in predictions:
        counts[row, np.arange(predictions.shape[1])] += 1
    return counts.argmax(0)
