"""SATNMF — semi-supervised adaptation-regularized transfer NMF (Luo & Han), and its special cases.

All symbols here are the **SATNMF paper's**: α weighs the class-wise MMD (Eq 6), β the label
term (Eq 1), γ the MMD term and λ the graph term (Eq 8), r is the number of basis vectors and
p the number of neighbours of the graph (Eq 7). They are unrelated to STIENet's α…ε
(:class:`stienet.losses.LossWeights`). Explained in ``notebooks/06_satnmf``.

Shapes follow the paper inside the algorithm — features are columns: X is d × N with
N = n + m (source first, then target), V is r × N — while the estimator's public API follows
scikit-learn (samples are rows: ``Xs`` is n × d).

The joint-distribution MMD matrix M (Eq 6) and the kNN graph (Eq 7) are N × N; the default
``solver="fast"`` never forms M (VM⁺ and VM⁻ come from per-class means, O((c+1)·r·N)) and keeps
W sparse. ``solver="dense"`` builds both as dense matrices and computes the objective literally:
it is the reference the tests and ``benchmarks/satnmf_speed.py`` compare against.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.neighbors import kneighbors_graph
from sklearn.svm import LinearSVC

#: Denominator guard of the multiplicative updates (the same in both solvers).
EPS = 1e-12

#: Entries of the label indicator E of SATNMF Eq (2): (where y = 1, where y = 0).
LABEL_WEIGHTS = {"paper": (0.001, 1.0), "binary": (1.0, 1.0)}

#: Special cases of SATNMF Eq (8) named as in the paper (§3.3.1 and Fig 2), and TNMF (its
#: ref [14]: marginal MMD and the graph, no labels). Values are the parameters fixed at 0.
VARIANTS: dict[str, dict[str, float]] = {
    "SNMF": {"alpha": 0.0, "gamma": 0.0, "lam": 0.0},
    "SNMF-γ": {"alpha": 0.0, "lam": 0.0},
    "STNMF-λ": {"alpha": 0.0},
    "SATNMF": {},
    "TNMF": {"alpha": 0.0, "beta": 0.0},
}


def linear_svm(C: float = 1.0) -> LinearSVC:
    """The linear SVM of the paper (pseudo labels, classification on the codes, baseline):
    liblinear, one-vs-rest, squared hinge, solved in the dual (n < d for 6373-d features);
    seeded, because liblinear's dual solver visits samples in random order."""
    return LinearSVC(C=C, dual=True, max_iter=20000, random_state=0)


# --------------------------------------------------------------------------------------------
# Eq (1)-(3): semi-supervised NMF
# --------------------------------------------------------------------------------------------

def label_matrices(ys, n_classes: int, n_target: int, weights: str = "paper"):
    """One-hot labels Y and the label indicator E of SATNMF Eq (2).

    Parameters
    ----------
    ys : int array (n,), source labels in ``0..n_classes-1``.
    n_classes : c.
    n_target : m (target columns: unknown labels, E = 0 there).
    weights : ``"paper"`` — E = 0.001 where y = 1 and 1 where y = 0, exactly as Eq (2) prints
        it; ``"binary"`` — E = 1 on every labelled entry (the plain mask of semi-supervised NMF).

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
    """SATNMF Eq (1): ‖X − UV‖²_F + β‖E ∘ (Y − HV)‖²_F.

    X (d, N), U (d, r), H (c, r), V (r, N), Y and E (c, N).
    """
    return float(np.sum((X - U @ V) ** 2) + beta * np.sum((E * (Y - H @ V)) ** 2))


def snmf_update(X, U, H, V, Y, E, beta: float):
    """One round of the multiplicative updates of SATNMF Eq (3): U, then H, then V.

    The updates descend Eq (1) with the weights Ω = E ∘ E (the gradient of ‖E∘(Y − HV)‖² is
    −2 (E∘E∘(Y − HV)) Vᵀ). For the binary E, Ω = E and this is Eq (3) as printed; for the
    paper's E (entries 0.001) Eq (3) writes E where the gradient has E∘E — we follow the
    gradient, so Eq (1) never increases. Returns new (U, H, V).
    """
    W = E * E
    U = U * (X @ V.T) / (U @ (V @ V.T) + EPS)
    H = H * ((W * Y) @ V.T) / ((W * (H @ V)) @ V.T + EPS)
    V = V * (U.T @ X + beta * H.T @ (W * Y)) / (U.T @ U @ V + beta * H.T @ (W * (H @ V)) + EPS)
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
    """SATNMF Eq (8) computed literally: ‖X−UV‖² + β‖E∘(Y−HV)‖² + λ Tr(VLVᵀ) + γ Tr(VMVᵀ).

    ``L`` (the Laplacian, :func:`laplacian`) and ``M`` (:meth:`MMDGroups.dense`) are N × N —
    this is the reference computation; :class:`SATNMF` uses cheaper identities.
    """
    L = L.toarray() if sp.issparse(L) else L
    return (snmf_objective(X, U, H, V, Y, E, beta) + lam * float(np.trace(V @ L @ V.T))
            + gamma * float(np.trace(V @ M @ V.T)))


def satnmf_update(X, U, H, V, Y, Om, *, beta, lam, gamma, W=None, degree=None, mmd=None,
                  M=None):
    """One round of multiplicative updates for SATNMF Eq (8); returns (U, H, V, UᵀX).

    With the gradient ∇_V = 2[UᵀUV − UᵀX + βHᵀ(Ω∘(HV) − Ω∘Y) + λV(D − W) + γV(M⁺ − M⁻)] and
    every matrix split into its non-negative parts, the KKT condition V ∘ ∇_V = 0 gives

        V ← V ∘ (UᵀX + βHᵀ(Ω∘Y) + λVW + γVM⁻) / (UᵀUV + βHᵀ(Ω∘HV) + λVD + γVM⁺),

    with Ω = E ∘ E. U and H are updated as in Eq (3) (the regularisers do not involve them).
    Pass either ``mmd`` (fast: :class:`MMDGroups`) or dense ``M = (M⁺, M⁻)``; ``W`` sparse or dense
    and ``degree`` = row sums of W.
    """
    U = U * (X @ V.T) / (U @ (V @ V.T) + EPS)
    if beta > 0:
        H = H * ((Om * Y) @ V.T) / ((Om * (H @ V)) @ V.T + EPS)
    UtX = U.T @ X
    num = UtX.copy()
    den = (U.T @ U) @ V
    if beta > 0:
        num += beta * (H.T @ (Om * Y))
        den += beta * (H.T @ (Om * (H @ V)))
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


class SATNMF(BaseEstimator):
    """Semi-supervised adaptation-regularized transfer NMF (SATNMF paper, Eq 8) + linear SVM.

    Parameter names are the **SATNMF paper's** (not STIENet's):

    Parameters
    ----------
    r : number of basis vectors (rank; paper searched {16, …, 512}).
    alpha : α, weight of the class-wise MMD terms inside M (Eq 6).
    beta : β, weight of the label term ‖E∘(Y − HV)‖² (Eq 1).
    gamma : γ, weight of Tr(VMVᵀ) (Eq 8).
    lam : λ, weight of the graph term Tr(VLVᵀ) (Eq 8).
    p : neighbours of the kNN graph (Eq 7).
    sigma : heat-kernel width of Eq 7 (``None``: mean p-NN distance).
    label_weights : ``"paper"`` (Eq 2 as printed) or ``"binary"`` — see :func:`label_matrices`.
    C : trade-off of the linear SVMs (pseudo labels and the classifier on the codes).
    n_trials : random initialisations whose predictions are voted (§2.3).
    max_iter, tol : stop after ``max_iter`` rounds or when the relative change of the
        objective falls below ``tol``.
    solver : ``"fast"`` (implicit M, sparse W) or ``"dense"`` (N × N matrices; reference).
    random_state : seed of trial 0 (trial t uses ``random_state + t``).

    Attributes
    ----------
    U_ (d, r), H_ (c, r), V_ (r, n + m), objective_ (list, one value per round): of the trial
        with the lowest final objective.
    trials_ : list of dicts (U, H, V, objective, seconds of factorisation, svm, pred), one per
        trial.
    pseudo_labels_ : target pseudo labels used in M (SVM on the original features), or None.
    labels_ : voted predictions for the fitted target samples.
    empty_classes_ : classes left out of M because no target sample got that pseudo label.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> Xs, Xt = rng.random((40, 20)), rng.random((30, 20))
    >>> ys = np.arange(40) % 2
    >>> model = SATNMF(r=4, n_trials=3, max_iter=50).fit(Xs, ys, Xt)
    >>> model.predict().shape, model.V_.shape
    ((30,), (4, 70))
    """

    def __init__(self, r=128, alpha=1.0, beta=100.0, gamma=100.0, lam=1.0, p=5, sigma=None,
                 label_weights="paper", C=1.0, n_trials=5, max_iter=200, tol=1e-5,
                 solver="fast", random_state=0):
        self.r, self.alpha, self.beta, self.gamma, self.lam = r, alpha, beta, gamma, lam
        self.p, self.sigma, self.label_weights, self.C = p, sigma, label_weights, C
        self.n_trials, self.max_iter, self.tol = n_trials, max_iter, tol
        self.solver, self.random_state = solver, random_state

    # -- input checks ------------------------------------------------------------------------
    def _check(self, Xs, ys, Xt, n_classes):
        Xs, Xt = np.asarray(Xs, dtype=np.float64), np.asarray(Xt, dtype=np.float64)
        ys = np.asarray(ys)
        if Xs.ndim != 2 or Xt.ndim != 2 or Xs.shape[1] != Xt.shape[1]:
            raise ValueError(f"Xs and Xt must be (samples, features) with the same number of "
                             f"features, got {Xs.shape} and {Xt.shape}")
        if len(ys) != len(Xs):
            raise ValueError(f"ys has {len(ys)} labels for {len(Xs)} source samples")
        for name, x in (("Xs", Xs), ("Xt", Xt)):
            if not np.isfinite(x).all():
                raise ValueError(f"{name} holds non-finite values")
            if (x < 0).any():
                raise ValueError(f"{name} has negative entries (min {x.min():.3g}); NMF needs "
                                 "non-negative data: scale with stienet.features.minmax_scale")
        if not (isinstance(self.r, (int, np.integer)) and self.r > 0):
            raise ValueError(f"r must be a positive integer, got {self.r!r}")
        for name in ("alpha", "beta", "gamma", "lam"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.solver not in ("fast", "dense"):
            raise ValueError(f"solver must be 'fast' or 'dense', got {self.solver!r}")
        if self.n_trials < 1 or self.max_iter < 1:
            raise ValueError("n_trials and max_iter must be >= 1")
        if not np.issubdtype(ys.dtype, np.integer) or (ys < 0).any():
            raise ValueError("ys must hold integer labels 0..c-1")
        c = int(ys.max()) + 1 if n_classes is None else int(n_classes)
        if ys.max() >= c:
            raise ValueError(f"ys holds label {int(ys.max())} but c = n_classes = {c}")
        missing = sorted(set(range(c)) - set(ys.tolist()))
        if missing:
            raise ValueError(f"class(es) {missing} have no source sample; every one of the "
                             f"c = {c} classes needs labelled source data")
        return Xs, ys, Xt, c

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, Xs, ys, Xt, n_classes=None):
        """Factorise [Xs; Xt] (Eq 8), once per trial, and train a linear SVM on each trial's
        source codes. ``Xs`` (n, d), ``ys`` (n,) in ``0..c-1``, ``Xt`` (m, d), all ≥ 0."""
        Xs, ys, Xt, c = self._check(Xs, ys, Xt, n_classes)
        n, m = len(Xs), len(Xt)
        X = np.vstack([Xs, Xt]).T                      # d × N, columns = samples
        Y, E = label_matrices(ys, c, m, self.label_weights)
        Om = E * E
        self.n_classes_ = c
        self.pseudo_labels_ = None
        if self.gamma > 0 and self.alpha > 0:
            self.pseudo_labels_ = linear_svm(self.C).fit(Xs, ys).predict(Xt)
        mmd = MMDGroups.from_labels(ys, self.pseudo_labels_ if self.pseudo_labels_ is not None
                                    else np.full(m, -1), c, self.alpha)
        self.empty_classes_ = mmd.empty if self.pseudo_labels_ is not None else []
        W = knn_graph(X.T, self.p, self.sigma) if self.lam > 0 else sp.csr_matrix((n + m, n + m))
        degree = np.asarray(W.sum(1)).ravel()
        dense = None
        if self.solver == "dense":
            M = mmd.dense()
            dense = {"W": W.toarray(), "M": M, "Mpm": (np.maximum(M, 0), np.maximum(-M, 0)),
                     "L": laplacian(W).toarray()}
        self.trials_ = []
        for t in range(self.n_trials):
            rng = np.random.default_rng(None if self.random_state is None
                                        else self.random_state + t)
            start = time.perf_counter()
            U, H, V, hist = self._factorise(X, Y, E, Om, W, degree, mmd, dense, rng)
            seconds = time.perf_counter() - start
            svm = linear_svm(self.C).fit(V[:, :n].T, ys)
            self.trials_.append({"U": U, "H": H, "V": V, "objective": hist, "seconds": seconds, "svm": svm,
                                 "pred": svm.predict(V[:, n:].T)})
        best = min(self.trials_, key=lambda tr: tr["objective"][-1])
        self.U_, self.H_, self.V_, self.objective_ = best["U"], best["H"], best["V"], best["objective"]
        self.labels_ = vote([tr["pred"] for tr in self.trials_], c)
        return self

    def _factorise(self, X, Y, E, Om, W, degree, mmd, dense, rng):
        d, N = X.shape
        scale = np.sqrt(max(X.mean(), EPS) / self.r)
        U = scale * np.abs(rng.standard_normal((d, self.r)))
        V = scale * np.abs(rng.standard_normal((self.r, N)))
        H = np.sqrt(max(Y.mean(), EPS) / self.r) * np.abs(rng.standard_normal((Y.shape[0], self.r)))
        kw = dict(beta=self.beta, lam=self.lam, gamma=self.gamma)
        xx = float(np.sum(X * X))
        hist = []
        for _ in range(self.max_iter):
            if dense is None:
                U, H, V, UtX = satnmf_update(X, U, H, V, Y, Om, W=W, degree=degree, mmd=mmd, **kw)
                f = self._objective_fast(xx, UtX, U, H, V, Y, E, W, degree, mmd)
            else:
                U, H, V, _ = satnmf_update(X, U, H, V, Y, Om, W=dense["W"], degree=degree,
                                           M=dense["Mpm"], **kw)
                f = satnmf_objective(X, U, H, V, Y, E, dense["L"], dense["M"], **kw)
            if not np.isfinite(f):
                raise FloatingPointError(f"SATNMF objective became {f} after {len(hist)} rounds")
            hist.append(f)
            if len(hist) > 1 and abs(hist[-2] - f) <= self.tol * abs(hist[-2]):
                break
        return U, H, V, hist

    def _objective_fast(self, xx, UtX, U, H, V, Y, E, W, degree, mmd):
        """Eq (8) from products the update already has: ‖X − UV‖² = ‖X‖² − 2⟨UᵀX, V⟩ +
        ⟨UᵀU, VVᵀ⟩, Tr(VLVᵀ) = Σ_j d_j‖v_j‖² − ⟨V, VW⟩, Tr(VMVᵀ) from group means."""
        f = xx - 2 * float(np.sum(UtX * V)) + float(np.sum((U.T @ U) * (V @ V.T)))
        if self.beta > 0:
            f += self.beta * float(np.sum((E * (Y - H @ V)) ** 2))
        if self.lam > 0:
            f += self.lam * (float(np.sum(V * V * degree)) - float(np.sum(V * (W @ V.T).T)))
        if self.gamma > 0:
            f += self.gamma * mmd.trace(V)
        return f

    # -- using the model ---------------------------------------------------------------------
    def transform(self, X, U=None, n_iter=200):
        """Codes of new samples ``X`` (k, d) with the basis fixed (``U_`` by default): the
        reconstruction-only V update of Eq (3). Returns (k, r)."""
        U = self.U_ if U is None else U
        X = np.asarray(X, dtype=np.float64).T
        V = np.full((U.shape[1], X.shape[1]), np.sqrt(max(X.mean(), EPS) / U.shape[1]))
        UtX, UtU = U.T @ X, U.T @ U
        for _ in range(n_iter):
            V = V * UtX / (UtU @ V + EPS)
        return V.T

    def predict(self, Xt=None):
        """Voted labels (§2.3). ``Xt=None``: the target samples given to :meth:`fit`
        (transductive, as in the paper); otherwise new samples, coded by :meth:`transform`
        with each trial's basis."""
        if Xt is None:
            return self.labels_
        preds = [tr["svm"].predict(self.transform(Xt, tr["U"])) for tr in self.trials_]
        return vote(preds, self.n_classes_)


def make_variant(name: str, **params) -> SATNMF:
    """A special case of SATNMF by the paper's name (:data:`VARIANTS`): SNMF (α=γ=λ=0),
    SNMF-γ (α=λ=0), STNMF-λ (α=0), SATNMF, or TNMF (α=β=0). Fixing a parameter that the
    variant pins to 0 is an error."""
    if name not in VARIANTS:
        raise ValueError(f"unknown SATNMF variant {name!r}; known: {', '.join(VARIANTS)}")
    clash = {k: v for k, v in params.items() if k in VARIANTS[name] and v != VARIANTS[name][k]}
    if clash:
        raise ValueError(f"{name} fixes {', '.join(VARIANTS[name])} = 0; got {clash}")
    return SATNMF(**{**params, **VARIANTS[name]})
