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
W sparse. ``solver="dense"`` builds both as dense matrices and computes the objective literally
(``benchmarks/satnmf_speed.py --solvers`` times both); ``tests/test_satnmf.py`` checks the fast
update against a V update computed from Eq 8's gradient with independently built dense M and W.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.neighbors import kneighbors_graph
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits
from tqdm import tqdm

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
    this is the reference computation; :class:`SATNMF` uses cheaper identities.
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


@dataclass
class _Problem:
    """What every trial of one :meth:`SATNMF.fit` shares (computed once): the data X (d, N), the
    labels Y and indicator E (c, N), the kNN graph W and its degrees (Eq 7), the MMD groups
    (Eq 6, built from the SVM pseudo labels) and, for ``solver="dense"``, the N × N matrices."""

    X: np.ndarray
    Y: np.ndarray
    E: np.ndarray
    W: sp.csr_matrix
    degree: np.ndarray
    mmd: MMDGroups
    dense: dict | None
    xx: float


class SATNMF(BaseEstimator):
    """Semi-supervised adaptation-regularized transfer NMF (SATNMF paper, Eq 8) + linear SVM.

    Parameter names are the **SATNMF paper's** (not STIENet's). Explained in
    ``notebooks/06_satnmf``.

    Parameters
    ----------
    r : number of basis vectors (rank; paper searched {16, …, 512}).
    alpha : α, weight of the class-wise MMD terms inside M (Eq 6).
    beta : β, weight of the label term Σ e_ij (Y − HV)²_ij (Eq 1, weighted as Eq 3 prints it).
    gamma : γ, weight of Tr(VMVᵀ) (Eq 8).
    lam : λ, weight of the graph term Tr(VLVᵀ) (Eq 8).
    p : neighbours of the kNN graph (Eq 7).
    sigma : heat-kernel width of Eq 7 (``None``: mean p-NN distance).
    label_weights : ``"binary"`` (the mask of semi-supervised NMF) or ``"paper"`` (Eq 2 as
        printed; the label term then collapses) — see :func:`label_matrices`.
    C : trade-off of the linear SVMs (pseudo labels and the classifier on the codes).
    n_trials : random initialisations whose predictions are voted (§2.3).
    max_iter, tol : stop after ``max_iter`` rounds or once the relative change of the objective
        ``abs(f[k-1] - f[k]) / f[k-1]`` falls to ``tol`` or below (defaults chosen from the
        convergence plot of ``notebooks/06_satnmf``).
    solver : ``"fast"`` (implicit M, sparse W) or ``"dense"`` (N × N matrices; reference).
    dtype : ``"float32"`` (default: about twice as fast; UAR checked against float64 in
        ``notebooks/06_satnmf``) or ``"float64"``. The objective is always summed in float64.
    n_jobs : trials run at the same time (threads; BLAS limited to one thread each while more
        than one runs). ``None``: all ``n_trials`` at once, so that the cores share the work
        evenly (5 trials on 2 cores: no last trial running alone).
    progress : show a progress bar over trials × rounds (tqdm, on stderr).
    random_state : seed of trial 0 (trial t uses ``random_state + t``).

    Attributes
    ----------
    U_ (d, r), H_ (c, r), V_ (r, n + m), objective_ (list, one value per round): of the trial
        with the lowest final objective.
    trials_ : list of dicts, one per trial: U, H, V, objective, rel_change (relative objective
        change of the last round), converged (tol reached before max_iter), seconds, svm, pred.
    converged_ : whether every trial reached ``tol``.
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
                 label_weights="binary", C=1.0, n_trials=5, max_iter=300, tol=5e-4,
                 solver="fast", dtype="float32", n_jobs=None, progress=False, random_state=0):
        self.r, self.alpha, self.beta, self.gamma, self.lam = r, alpha, beta, gamma, lam
        self.p, self.sigma, self.label_weights, self.C = p, sigma, label_weights, C
        self.n_trials, self.max_iter, self.tol = n_trials, max_iter, tol
        self.solver, self.dtype, self.n_jobs = solver, dtype, n_jobs
        self.progress, self.random_state = progress, random_state

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
        for name in ("alpha", "beta", "gamma", "lam", "tol"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.solver not in ("fast", "dense"):
            raise ValueError(f"solver must be 'fast' or 'dense', got {self.solver!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
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
    def fit(self, Xs, ys, Xt, n_classes=None, callback=None):
        """Factorise [Xs; Xt] (Eq 8), once per trial, and train a linear SVM on each trial's
        source codes. ``Xs`` (n, d), ``ys`` (n,) in ``0..c-1``, ``Xt`` (m, d), all ≥ 0.

        The pseudo labels, the kNN graph and the MMD groups are computed once and shared by
        the trials; trials run ``n_jobs`` at a time. ``callback(k, U, H, V)``, if given, is
        called after round k = 1, 2, … of every trial (``benchmarks/satnmf_convergence.py``
        uses it to score the codes as the rounds go)."""
        Xs, ys, Xt, c = self._check(Xs, ys, Xt, n_classes)
        n, m = len(Xs), len(Xt)
        self.n_classes_ = c
        self.pseudo_labels_ = None
        if self.gamma > 0 and self.alpha > 0:
            self.pseudo_labels_ = linear_svm(self.C).fit(Xs, ys).predict(Xt)
        prob = self._problem(Xs, ys, Xt, c)
        seeds = [None if self.random_state is None else self.random_state + t
                 for t in range(self.n_trials)]
        jobs = self.n_trials if self.n_jobs is None else int(self.n_jobs)
        with tqdm(total=self.n_trials * self.max_iter, disable=not self.progress,
                  desc=f"{type(self).__name__} {self.n_trials} trials x {self.max_iter} rounds",
                  unit="round") as bar:
            lock = threading.Lock()

            def tick(k=1):
                with lock:
                    bar.update(k)

            def trial(seed):
                start = time.perf_counter()
                out = self._factorise(prob, np.random.default_rng(seed), tick, callback)
                out["seconds"] = time.perf_counter() - start
                return out

            if jobs > 1:
                with threadpool_limits(1), ThreadPoolExecutor(jobs) as pool:
                    self.trials_ = list(pool.map(trial, seeds))
            else:
                self.trials_ = [trial(seed) for seed in seeds]
        for tr in self.trials_:
            V = tr["V"].astype(np.float64)
            tr["svm"] = linear_svm(self.C).fit(V[:, :n].T, ys)
            tr["pred"] = tr["svm"].predict(V[:, n:].T)
        best = min(self.trials_, key=lambda tr: tr["objective"][-1])
        self.U_, self.H_, self.V_, self.objective_ = best["U"], best["H"], best["V"], best["objective"]
        self.converged_ = all(tr["converged"] for tr in self.trials_)
        self.labels_ = vote([tr["pred"] for tr in self.trials_], c)
        return self

    def _problem(self, Xs, ys, Xt, c) -> _Problem:
        n, m = len(Xs), len(Xt)
        X = np.vstack([Xs, Xt]).T                      # d × N, columns = samples
        Y, E = label_matrices(ys, c, m, self.label_weights)
        mmd = MMDGroups.from_labels(ys, self.pseudo_labels_ if self.pseudo_labels_ is not None
                                    else np.full(m, -1), c, self.alpha)
        self.empty_classes_ = mmd.empty if self.pseudo_labels_ is not None else []
        W = knn_graph(X.T, self.p, self.sigma) if self.lam > 0 else sp.csr_matrix((n + m, n + m))
        dense = None
        if self.solver == "dense":
            M = mmd.dense()
            dense = {"W": W.toarray(), "M": M, "Mpm": (np.maximum(M, 0), np.maximum(-M, 0)),
                     "L": laplacian(W).toarray()}
        dt = np.dtype(self.dtype)
        return _Problem(X.astype(dt), Y.astype(dt), E.astype(dt), W.astype(dt),
                        np.asarray(W.sum(1)).ravel().astype(dt), mmd, dense,
                        float(np.sum(X * X)))

    def _factorise(self, prob: _Problem, rng, tick, callback=None) -> dict:
        """One trial: random non-negative start, multiplicative rounds until tol or max_iter."""
        X, Y, E = prob.X, prob.Y, prob.E
        d, N = X.shape
        scale = np.sqrt(max(X.mean(dtype=np.float64), EPS) / self.r)
        U = (scale * np.abs(rng.standard_normal((d, self.r)))).astype(X.dtype)
        V = (scale * np.abs(rng.standard_normal((self.r, N)))).astype(X.dtype)
        H = (np.sqrt(max(Y.mean(dtype=np.float64), EPS) / self.r)
             * np.abs(rng.standard_normal((Y.shape[0], self.r)))).astype(X.dtype)
        kw = dict(beta=self.beta, lam=self.lam, gamma=self.gamma)
        hist, rel, converged = [], None, False
        for _ in range(self.max_iter):
            if prob.dense is None:
                U, H, V, UtX = satnmf_update(X, U, H, V, Y, E, W=prob.W, degree=prob.degree,
                                             mmd=prob.mmd, **kw)
                f = self._objective_fast(prob, UtX, U, H, V)
            else:
                U, H, V, _ = satnmf_update(X, U, H, V, Y, E, W=prob.dense["W"],
                                           degree=prob.degree, M=prob.dense["Mpm"], **kw)
                f = satnmf_objective(X, U, H, V, Y, E, prob.dense["L"], prob.dense["M"], **kw)
            if not np.isfinite(f):
                raise FloatingPointError(f"SATNMF objective became {f} after {len(hist)} rounds")
            hist.append(f)
            tick()
            if callback is not None:
                callback(len(hist), U, H, V)
            if len(hist) > 1:
                rel = abs(hist[-2] - f) / abs(hist[-2])
                if rel <= self.tol:
                    converged = True
                    break
        tick(self.max_iter - len(hist))
        return {"U": U, "H": H, "V": V, "objective": hist, "rel_change": rel,
                "converged": converged}

    def _objective_fast(self, prob: _Problem, UtX, U, H, V) -> float:
        """Eq (8) from products the update already has: ‖X − UV‖² = ‖X‖² − 2⟨UᵀX, V⟩ +
        ⟨UᵀU, VVᵀ⟩, Tr(VLVᵀ) = Σ_j d_j‖v_j‖² − ⟨V, VW⟩, Tr(VMVᵀ) from group means. Sums are
        accumulated in float64 whatever the dtype of the factors."""
        def dot(a, b):
            return float(np.sum(a * b, dtype=np.float64))

        f = prob.xx - 2 * dot(UtX, V) + dot(U.T @ U, V @ V.T)
        if self.beta > 0:
            f += self.beta * dot(prob.E, (prob.Y - H @ V) ** 2)
        if self.lam > 0:
            f += self.lam * (dot(V * V, prob.degree) - dot(V, (prob.W @ V.T).T))
        if self.gamma > 0:
            f += self.gamma * prob.mmd.trace(V.astype(np.float64))
        return f

    # -- using the model ---------------------------------------------------------------------
    def transform(self, X, U=None, n_iter=200):
        """Codes of new samples ``X`` (k, d) with the basis fixed (``U_`` by default): the
        reconstruction-only V update of Eq (3). Returns (k, r)."""
        U = (self.U_ if U is None else U).astype(np.float64)
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
