"""DAOD — Distribution Alignment with Open Difference (Fang et al., "Open set domain adaptation:
theoretical bound and algorithm", IEEE TNNLS 32(10), 2020; STIENet's reference [3]).

A kernel classifier ``f(x) = Σ_i β_i k(x_i, x)`` over all ``N = n + m`` samples (source first),
with ``K + 1`` outputs (the last = unknown), minimising structural risk + distribution alignment +
manifold regularisation + the **open set difference**::

    J(β) = tr[(Y − Kβ)ᵀ E (Y − Kβ)] − tr[(Y₂ − Kβ)ᵀ E₂ (Y₂ − Kβ)]
           + σ tr(βᵀ K β) + tr(βᵀ K (λ M + ρ L) K β)

* ``Y (N, K+1)``: source rows one-hot, target rows "unknown"; ``E = diag(tl/n …, α·tl/m …)`` with
  ``tl = max(n, m)``: the source risk and α times the risk of calling target samples unknown;
* ``Y₂``: source rows "unknown", target rows 0; ``E₂ = diag(γ·tl/n …, 0 …)``: minus γ times the
  risk of calling source samples unknown. The two unknown terms are the open set difference of
  the paper's bound (target samples may be unknown, source samples are not);
* ``M``: joint MMD matrix, ``(1 − μ)·M₀ + μ·Σ_c M_c`` over the source and the target samples
  whose pseudo label is a known class, scaled to unit Frobenius norm;
* ``L``: normalised graph Laplacian of a ``p``-nearest-neighbour cosine graph.

Setting ∂J/∂β = 0 gives the closed form of each round (:func:`daod_step`)::

    β = ((E − E₂ + λM + ρL) K + σ I)⁻¹ (E Y − E₂ Y₂),

after which target pseudo labels are ``argmax (Kβ)`` and M is rebuilt, for ``T`` rounds or until
the labels repeat. The first pseudo labels come from OSNN with the threshold ``t`` (``None``:
chosen on the source by OSNN itself, speaker-disjoint; :mod:`stienet.baselines.osnn`). The
open-set runs use ``t=None``: the authors' ``t = 0.5`` sent every real target clip to "unknown"
(on real ComParE features nearly every distance ratio lies above 0.9).

Defaults are the authors' public code (``DAOD.m`` and its Office-31 driver: p = 10, σ = 1,
λ = 50, ρ = 1, T = 10, t = 0.5, α = 0.4, γ = 0.2; samples scaled to unit norm; RBF kernel of
width 1 on them). That code calls an ``estimate_mu`` it does not contain, so μ, the balance of
marginal and class-conditional MMD, is fixed here (``mu = 0.5``).
Shapes: ``Xs (n, d)``, ``ys (n,)`` in ``0..K-1``, ``Xt (m, d)``.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.base import BaseEstimator

from .osnn import OSNN


def rbf_kernel(X: np.ndarray, width: float = 1.0) -> np.ndarray:
    """``exp(−‖x_i − x_j‖² / (2 width²))``, ``(N, N)`` for ``X (N, d)``."""
    return np.exp(-cdist(X, X, "sqeuclidean") / (2 * width ** 2))


def cosine_laplacian(X: np.ndarray, p: int) -> np.ndarray:
    """``I − D^{-1/2} W D^{-1/2}`` with ``W_ij`` the cosine similarity when j is among the ``p``
    nearest neighbours of i (by cosine) or i among j's, else 0. ``(N, N)``."""
    Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    S = Xn @ Xn.T
    np.fill_diagonal(S, -np.inf)
    nn = np.argsort(-S, axis=1)[:, :p]
    W = np.zeros_like(S)
    rows = np.repeat(np.arange(len(X)), p)
    W[rows, nn.ravel()] = S[rows, nn.ravel()]
    W = np.maximum(W, W.T)
    W = np.clip(W, 0, None)                       # a negative similarity is no neighbour
    d = W.sum(1)
    inv = np.where(d > 0, 1 / np.sqrt(np.maximum(d, 1e-12)), 0.0)
    return np.eye(len(X)) - inv[:, None] * W * inv[None, :]


def mmd_matrix(ys: np.ndarray, yt: np.ndarray, K: int, mu: float) -> np.ndarray:
    """``(1 − μ) M₀ + μ Σ_c M_c`` over source labels ``ys (n,)`` and target pseudo labels
    ``yt (m,)`` (``K`` = unknown: left out), unit Frobenius norm. ``(N, N)``."""
    n, m = len(ys), len(yt)
    known = yt < K
    e = np.r_[np.full(n, 1 / n), np.where(known, -1 / max(known.sum(), 1), 0.0)]
    M0 = np.outer(e, e) * K
    Mc = np.zeros((n + m, n + m))
    for c in range(K):
        e = np.zeros(n + m)
        if (ys == c).any():
            e[:n][ys == c] = 1 / (ys == c).sum()
        if (yt == c).any():
            e[n:][yt == c] = -1 / (yt == c).sum()
        Mc += np.outer(e, e)
    M = (1 - mu) * M0 + mu * Mc
    norm = np.linalg.norm(M)
    return M / norm if norm > 0 else M


def targets(ys: np.ndarray, m: int, K: int):
    """``(Y, Y₂)``, each ``(n + m, K + 1)``: see the module docstring."""
    n = len(ys)
    Y = np.zeros((n + m, K + 1))
    Y[np.arange(n), ys] = 1
    Y[n:, K] = 1
    Y2 = np.zeros((n + m, K + 1))
    Y2[:n, K] = 1
    return Y, Y2


def weights(n: int, m: int, alpha: float, gamma: float):
    """Diagonals of ``E`` and ``E₂`` (module docstring), each ``(n + m,)``."""
    tl = max(n, m)
    return np.r_[np.full(n, tl / n), np.full(m, alpha * tl / m)], np.r_[np.full(n, gamma * tl / n), np.zeros(m)]


def daod_step(Kmat, e, e2, Y, Y2, M, L, lam: float, rho: float, sigma: float) -> np.ndarray:
    """Closed-form β ``(N, K+1)`` of one DAOD round: ``((E − E₂ + λM + ρL)K + σI)⁻¹ (EY − E₂Y₂)``
    with ``E = diag(e)``, ``E₂ = diag(e2)``."""
    A = (np.diag(e - e2) + lam * M + rho * L) @ Kmat + sigma * np.eye(len(Kmat))
    return np.linalg.solve(A, e[:, None] * Y - e2[:, None] * Y2)


def daod_objective(beta, Kmat, e, e2, Y, Y2, M, L, lam, rho, sigma, xp=np):
    """J(β) of the module docstring (``xp``: numpy or torch, for an autograd check)."""
    F = Kmat @ beta
    R, R2 = Y - F, Y2 - F
    return ((e[:, None] * R * R).sum() - (e2[:, None] * R2 * R2).sum()
            + sigma * xp.trace(beta.T @ Kmat @ beta)
            + xp.trace(beta.T @ Kmat @ (lam * M + rho * L) @ Kmat @ beta))


class DAOD(BaseEstimator):
    """Distribution Alignment with Open Difference (Fang et al., TNNLS 2020, [3]).

    Parameter names are the DAOD paper's.

    Parameters
    ----------
    p : neighbours of the manifold graph. sigma : σ, ridge on β. lam : λ, weight of the MMD.
    rho : ρ, weight of the manifold term. T : rounds at most. t : OSNN threshold of the first
    pseudo labels (``None``: chosen on the source, :class:`~stienet.baselines.osnn.OSNN`,
    maximising ``t_criterion``). alpha, gamma : weights of the open set difference (target-as-unknown,
    source-as-unknown). mu : marginal vs class-conditional MMD balance (fixed, see module).

    Attributes
    ----------
    beta_ (N, K+1) : kernel coefficients of the last round.
    F_ (m, K+1) : target outputs.
    labels_ (m,) : target labels, ``K`` = unknown.
    n_iter_ : rounds run.
    initial_labels_ (m,) : OSNN's first pseudo labels.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> centres = np.array([[5, 0, 0, 1], [0, 5, 0, 1], [0, 0, 5, 1]])
    >>> Xs = np.repeat(centres, 8, 0) + rng.normal(0, .3, (24, 4)); ys = np.repeat([0, 1, 2], 8)
    >>> Xt = np.r_[Xs[::2], [[0, 0, 0, 5]] * 6 + rng.normal(0, .3, (6, 4))]
    >>> DAOD().fit(Xs, ys, Xt).predict()[-6:].tolist()
    [3, 3, 3, 3, 3, 3]
    """

    def __init__(self, p=10, sigma=1.0, lam=50.0, rho=1.0, T=10, t=0.5, alpha=0.4, gamma=0.2,
                 mu=0.5, t_criterion="h"):
        self.p, self.sigma, self.lam, self.rho, self.T, self.t = p, sigma, lam, rho, T, t
        self.alpha, self.gamma, self.mu, self.t_criterion = alpha, gamma, mu, t_criterion

    def fit(self, Xs, ys, Xt, groups=None):
        """``groups (n,)``: source speakers; with ``t=None`` OSNN chooses the threshold of the
        first pseudo labels on them (speaker-disjoint, source only)."""
        Xs, Xt, ys = np.asarray(Xs, float), np.asarray(Xt, float), np.asarray(ys)
        n, m = len(Xs), len(Xt)
        self.K_ = K = int(ys.max()) + 1
        X = np.r_[Xs, Xt]
        X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        L = cosine_laplacian(X, self.p) if self.rho > 0 else np.zeros((n + m, n + m))
        Kmat = rbf_kernel(X, 1.0)
        Y, Y2 = targets(ys, m, K)
        e, e2 = weights(n, m, self.alpha, self.gamma)
        first = OSNN(T=self.t, criterion=self.t_criterion).fit(X[:n], ys, groups=groups)
        self.t_ = first.T_
        labels = first.predict(X[n:])
        self.initial_labels_ = labels
        for it in range(1, self.T + 1):
            M = mmd_matrix(ys, labels, K, self.mu)
            beta = daod_step(Kmat, e, e2, Y, Y2, M, L, self.lam, self.rho, self.sigma)
            F = Kmat[n:] @ beta
            new = F.argmax(1)
            done = np.array_equal(new, labels)
            labels = new
            if done:
                break
        self.beta_, self.F_, self.labels_, self.n_iter_ = beta, F, labels, it
        self.Xt_ = Xt
        return self

    def _check_fitted_target(self, Xt):
        if Xt is not None and not (np.shape(Xt) == self.Xt_.shape and np.array_equal(Xt, self.Xt_)):
            raise ValueError("DAOD is transductive: it labels only the target samples given to fit")

    def decision_function(self, Xt=None) -> np.ndarray:
        """Unknown score of the fitted target samples (``Xt``: None or those samples): output K
        minus the best known output."""
        self._check_fitted_target(Xt)
        return self.F_[:, self.K_] - self.F_[:, :self.K_].max(1)

    def predict_known(self, Xt=None) -> np.ndarray:
        """Closed-set labels ``0..K-1`` of the fitted target (rejection off): the best known
        output of F."""
        self._check_fitted_target(Xt)
        return self.F_[:, :self.K_].argmax(1)

    def predict(self, Xt=None) -> np.ndarray:
        """Labels ``0..K`` of the fitted target samples (transductive; ``Xt``: None or them)."""
        self._check_fitted_target(Xt)
        return self.labels_
