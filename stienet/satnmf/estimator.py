"""The SATNMF estimator (scikit-learn style) on top of :mod:`stienet.satnmf.equations`: trials
(random initialisations) run in parallel threads and share the pseudo labels, the kNN graph and
the MMD groups; every trial reports its rounds, the relative objective change at its stop and
whether ``tol`` was reached. Parameter names are the SATNMF paper's. Explained in
``notebooks/06_satnmf``.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from .equations import (EPS, MMDGroups, knn_graph, label_matrices, laplacian, satnmf_objective,
                        satnmf_update, vote)

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


def svm_pseudo_labels(Xs, ys, Xt, C: float = 1.0) -> np.ndarray:
    """Target labels from :func:`linear_svm` trained on the source (the pseudo labels of Eq 5's
    class MMD), solved in the span of the source rows: with d = 6373 features and n < d clips,
    ``Xs @ U`` (U an orthonormal basis of that span) has the same Gram matrix as ``Xs`` and
    ``Xt @ U`` the same inner products with every source row, so liblinear's dual solver takes
    the same steps on an n-column problem (many times faster on real ComParE features)."""
    from ..baselines.common import span_svm

    U, svm = span_svm(C, Xs, ys)
    return svm.predict(np.asarray(Xt, dtype=np.float64) @ U)


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
    U_, H_, V_ : the factors, shapes (d, r), (c, r) and (r, n + m), of the trial with the
        lowest final objective.
    objective_ : list, the objective of that trial after every round.
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
            self.pseudo_labels_ = svm_pseudo_labels(Xs, ys, Xt, self.C)
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
