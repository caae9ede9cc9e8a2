"""ATI — Assign-and-Transform-Iteratively open-set domain adaptation (Busto & Gall, ICCV 2017;
STIENet's reference [25]).

Alternates two steps, starting from the identity map ``W = I``:

1. **Assign** every target sample ``x_t`` either to a source class ``c`` or to "unknown"::

       min_x  Σ_t Σ_c d_ct · x_ct + λ · Σ_t o_t
       s.t.   Σ_c x_ct + o_t = 1   (each target sample: one class or unknown)
              Σ_t x_ct ≥ 1         (each source class receives at least one target sample)
              x_ct, o_t ∈ {0, 1}

   with ``d_ct = ‖W S_c − x_t‖²`` (``S_c``: mean of the source samples of class c) and the
   outlier cost ``λ = ½ (max d + min d)`` (the ATI-λ rule as this project reads the paper —
   its text is not in the project's reference store; recomputed every round).
   Solved exactly as a binary program with :func:`scipy.optimize.milp`.
2. **Transform**: the map ``W`` taking source samples to the target samples assigned to
   their class, least squares with a ridge towards the identity::

       min_W  Σ_c Σ_{t: x_ct=1} Σ_{s ∈ c} ‖W x̃_s − x_t‖² + ε ‖W − I₀‖²_F,

   on homogeneous source vectors ``x̃_s = [x_s; 1]`` (an affine map, so that a shift between the
   corpora can be represented; ``I₀ = [I, 0]``), closed form ``W = (B + εI₀)(G + εI)⁻¹`` with
   ``B = Σ_c (Σ_{t∈c} x_t)(Σ_{s∈c} x̃_s)ᵀ`` and ``G = Σ_c a_c Σ_{s∈c} x̃_s x̃_sᵀ`` (``a_c`` target
   samples assigned to c). The paper writes the cost with class centres and a linear W;
   summing over the class's samples (this module's reading) equals the centre cost plus the
   spread of the mapped class, which keeps W well posed from a few hundred clips.

The rounds stop when the assignment no longer changes (at most ``n_iter``). Finally a linear
SVM is trained on the mapped source samples (labels ``0..K-1``) and the target samples of the
last assignment's "unknown" (label ``K``), and predicts the target — the unknown class of the
classifier is learnt from the target outliers, as in the paper when the source has no unknowns.

ComParE vectors have 6373 dimensions; W would be 6373 × 6373. The estimator therefore first
projects source and target together onto their ``n_components`` leading principal components
(unsupervised, no labels). Shapes: ``Xs (n, d)``, ``ys (n,)`` in ``0..K-1``, ``Xt (m, d)``.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, hstack, identity, kron
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.svm import LinearSVC


def assign(D: np.ndarray, lam: float) -> np.ndarray:
    """Solve ATI's assignment problem (step 1). ``D (K, m)``: cost of target sample t in class c;
    ``lam``: cost of calling it unknown. Returns labels ``(m,)`` in ``0..K`` (``K`` = unknown),
    every class ``0..K-1`` used at least once (needs ``m ≥ K``)."""
    K, m = D.shape
    if m < K:
        raise ValueError(f"ATI's assignment needs at least as many target samples ({m}) as classes ({K})")
    # variables: x (K*m, class-major), then o (m,)
    cost = np.r_[D.ravel(), np.full(m, lam)]
    one_each = hstack([kron(np.ones((1, K)), identity(m)), identity(m)])        # (m, K*m + m)
    per_class = hstack([kron(identity(K), np.ones((1, m))), csr_matrix((K, m))])  # (K, K*m + m)
    res = milp(cost, integrality=np.ones(len(cost)), bounds=Bounds(0, 1),
               constraints=[LinearConstraint(one_each, 1, 1), LinearConstraint(per_class, 1, np.inf)])
    if not res.success:
        raise RuntimeError(f"ATI assignment failed: {res.message}")
    x = np.round(res.x[:K * m]).reshape(K, m)
    return np.where(x.sum(0) > 0.5, x.argmax(0), K)


def assignment_cost(D: np.ndarray, lam: float, labels: np.ndarray) -> float:
    """Objective of step 1 for given labels ``(m,)`` (``K`` = unknown)."""
    K = D.shape[0]
    labels = np.asarray(labels)
    known = labels < K
    return float(D[labels[known], np.flatnonzero(known)].sum() + lam * (~known).sum())


def homogeneous(X: np.ndarray) -> np.ndarray:
    """``[X, 1]``: ``(k, d) -> (k, d + 1)``."""
    return np.c_[X, np.ones(len(X))]


def fit_transform_map(Xs, ys, Xt, labels, K: int, eps: float) -> np.ndarray:
    """Step 2: ``W (d, d + 1)`` minimising Σ_c Σ_{t∈c} Σ_{s∈c} ‖W [x_s; 1] − x_t‖² + ε‖W − I₀‖²
    (``Xs (n, d)``, ``Xt (m, d)``, target ``labels (m,)`` in ``0..K``)."""
    d = Xs.shape[1]
    Xh = homogeneous(Xs)
    B, G = eps * np.eye(d, d + 1), eps * np.eye(d + 1)
    for c in range(K):
        xs, xt = Xh[ys == c], Xt[labels == c]
        if len(xs) == 0 or len(xt) == 0:
            continue
        B += np.outer(xt.sum(0), xs.sum(0))
        G += len(xt) * xs.T @ xs
    return np.linalg.solve(G.T, B.T).T                                          # B G⁻¹


class ATI(BaseEstimator):
    """Assign-and-Transform-Iteratively (ATI-λ, Busto & Gall, ICCV 2017, [25]).

    Parameters
    ----------
    lam : outlier cost λ; ``None``: ½ (max d + min d) each round (the paper's rule).
    n_iter : assign/transform rounds at most (stops earlier when the assignment repeats).
    eps : ridge of the map towards the identity (this module's, see the docstring).
    n_components : principal components kept before ATI (``None``: no projection).
    C : trade-off of the final linear SVM.
    random_state : seed of the SVM.

    Attributes
    ----------
    pca_ : the principal-component projection (or None).
    W_ (d', d' + 1) : the affine source-to-target map.
    assignment_ (m,) : target labels of the last assignment, ``K`` = unknown.
    n_iter_ : rounds run.
    history_ : (objective, λ) per round.
    svm_ : the final linear SVM.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> centres = np.array([[0, 0], [6, 0], [0, 6]])
    >>> Xs = np.repeat(centres, 10, 0) + rng.normal(0, .5, (30, 2)); ys = np.repeat([0, 1, 2], 10)
    >>> Xt = np.r_[Xs + 1, [[30, 30]] * 5 + rng.normal(0, .5, (5, 2))]
    >>> ATI(n_components=None).fit(Xs, ys, Xt).predict()[-5:].tolist()
    [3, 3, 3, 3, 3]
    """

    def __init__(self, lam=None, n_iter=10, eps=1.0, n_components=100, C=1.0, random_state=0):
        self.lam, self.n_iter, self.eps = lam, n_iter, eps
        self.n_components, self.C, self.random_state = n_components, C, random_state

    def _project(self, X):
        return X if self.pca_ is None else self.pca_.transform(X)

    def fit(self, Xs, ys, Xt):
        Xs, Xt, ys = np.asarray(Xs, float), np.asarray(Xt, float), np.asarray(ys)
        self.K_ = K = int(ys.max()) + 1
        self.pca_ = None
        if self.n_components is not None:
            k = min(self.n_components, len(Xs) + len(Xt) - 1, Xs.shape[1])
            self.pca_ = PCA(k, random_state=self.random_state).fit(np.r_[Xs, Xt])
        Zs, Zt = self._project(Xs), self._project(Xt)
        self.W_ = np.eye(Zs.shape[1], Zs.shape[1] + 1)
        labels, self.history_ = None, []
        for it in range(1, self.n_iter + 1):
            Ms = homogeneous(Zs) @ self.W_.T
            S = np.stack([Ms[ys == c].mean(0) for c in range(K)])
            D = ((S[:, None, :] - Zt[None, :, :]) ** 2).sum(-1)               # (K, m)
            lam = 0.5 * (D.max() + D.min()) if self.lam is None else float(self.lam)
            new = assign(D, lam)
            self.history_.append((assignment_cost(D, lam, new), lam))
            if labels is not None and np.array_equal(new, labels):
                break
            labels = new
            self.W_ = fit_transform_map(Zs, ys, Zt, labels, K, self.eps)
        self.assignment_, self.n_iter_ = labels, it
        unk = labels == K
        X = np.r_[homogeneous(Zs) @ self.W_.T, Zt[unk]]
        y = np.r_[ys, np.full(int(unk.sum()), K)]
        self.svm_ = LinearSVC(C=self.C, random_state=self.random_state, max_iter=10000).fit(X, y)
        self.Zt_ = Zt
        return self

    def decision_function(self, Xt=None) -> np.ndarray:
        """Unknown score per target row: the SVM's unknown margin minus its best known margin."""
        Z = self.Zt_ if Xt is None else self._project(np.asarray(Xt, float))
        s = self.svm_.decision_function(Z)
        if s.ndim == 1:                                   # two classes: column for classes_[1]
            s = np.c_[-s, s]
        known = s[:, self.svm_.classes_ < self.K_].max(1)
        if self.K_ not in self.svm_.classes_:
            return -known
        return s[:, list(self.svm_.classes_).index(self.K_)] - known

    def predict_known(self, Xt=None) -> np.ndarray:
        """Closed-set labels ``0..K-1`` (rejection off): the SVM's best known-class margin."""
        Z = self.Zt_ if Xt is None else self._project(np.asarray(Xt, float))
        s = self.svm_.decision_function(Z)
        if s.ndim == 1:
            s = np.c_[-s, s]
        known = self.svm_.classes_ < self.K_
        return self.svm_.classes_[known][s[:, known].argmax(1)]

    def predict(self, Xt=None) -> np.ndarray:
        """Labels ``0..K`` (``K`` = unknown) of ``Xt`` (``None``: the fitted target)."""
        Z = self.Zt_ if Xt is None else self._project(np.asarray(Xt, float))
        return self.svm_.predict(Z)
