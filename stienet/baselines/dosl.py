"""DoSL — domain-adaptive subspace learning (Liu, Zong, Zhang, Liu, Chen, Zhao & Zhu,
"Unsupervised cross-corpus speech emotion recognition using domain-adaptive subspace
learning", ICASSP 2018), SATNMF's [10]. Transductive: the learnt regression matrix is itself
the target classifier ("DoSL" in SATNMF Table 3, no SVM).

**What is implemented, and from where.** The DoSL paper's text is not available to this
project. SATNMF describes it as "learning a regression coefficient matrix to bridge the
source and target speech corpora" (§1), trained on all data to induce the target classifier
directly (§3.2). The model below is the least-squares subspace-learning form of that group's
cross-corpus methods (a sparse regression from features to the label space, plus a term that
makes the source and target means agree in that label space); the published objective may
differ in its norms or weights.

With features as columns — Xs (d × n), Xt (d × m), Ls (c × n) one-hot source labels — and the
regression matrix U (d × c):

    min_U  ‖Ls − Uᵀ Xs‖²_F + μ ‖Uᵀ (x̄s − x̄t)‖²₂ + λ ‖U‖₁                                (DoSL)

x̄s = Xs 1/n and x̄t = Xt 1/m are the corpus means; ‖U‖₁ = Σ ``|u_ij|`` selects features per
class. The target label of x is argmax_k (Uᵀx)_k. Solved by FISTA (Beck & Teboulle 2009) on
the smooth part f(U) = ‖Ls − UᵀXs‖² + μ‖Uᵀδ‖² (δ = x̄s − x̄t),

    ∇f(U) = 2 Xs (Xsᵀ U − Lsᵀ) + 2 μ δ δᵀ U,     step 1/ℓ with ℓ = 2 (‖Xs‖₂² + μ ‖δ‖²),

and the soft-threshold prox of λ‖·‖₁. ``tests/test_baselines_closed.py`` checks the solution
against scikit-learn's coordinate-descent Lasso on the stacked least-squares problem.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .common import check_domains, one_hot


def dosl_objective(U, Xs, Ls, delta, mu: float, lam: float) -> float:
    """The DoSL objective above. U (d, c), Xs (d, n), Ls (c, n), delta (d,)."""
    return float(np.sum((Ls - U.T @ Xs) ** 2) + mu * np.sum((U.T @ delta) ** 2)
                 + lam * np.abs(U).sum())


def soft_threshold(Z, t: float) -> np.ndarray:
    """The prox of t‖·‖₁: ``sign(z) max(|z| − t, 0)`` entrywise."""
    return np.sign(Z) * np.maximum(np.abs(Z) - t, 0.0)


class DoSL(ClassifierMixin, BaseEstimator):
    """DoSL regression classifier (see the module docstring for the objective and its source).

    Parameters
    ----------
    lam : λ, weight of the ℓ1 sparsity penalty.
    mu : μ, weight of the mean-matching term.
    max_iter, tol : FISTA iterations at most; stop when the relative change of U < tol.

    Learned state: ``U_`` (d, c), ``objective_`` (every 10 iterations), ``n_iter_``.
    """

    def __init__(self, lam=1.0, mu=1.0, max_iter=2000, tol=1e-6):
        self.lam, self.mu, self.max_iter, self.tol = lam, mu, max_iter, tol

    def fit(self, Xs, ys, Xt):
        Xs, ys, Xt = check_domains(Xs, ys, Xt)
        c = int(ys.max()) + 1
        Xc, Ls = Xs.T, one_hot(ys, c).T
        delta = Xs.mean(0) - Xt.mean(0)
        step = 1.0 / (2.0 * (np.linalg.norm(Xc, 2) ** 2 + self.mu * delta @ delta))
        XsLs = Xc @ Ls.T
        U = Y = np.zeros((Xc.shape[0], c))
        t = 1.0
        self.objective_ = []
        for it in range(1, self.max_iter + 1):
            grad = 2.0 * (Xc @ (Xc.T @ Y) - XsLs) + 2.0 * self.mu * np.outer(delta, delta @ Y)
            U_new = soft_threshold(Y - step * grad, step * self.lam)
            t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
            Y = U_new + ((t - 1.0) / t_new) * (U_new - U)
            change = np.linalg.norm(U_new - U) / max(np.linalg.norm(U_new), 1e-12)
            U, t = U_new, t_new
            if it % 10 == 0:
                self.objective_.append(dosl_objective(U, Xc, Ls, delta, self.mu, self.lam))
            if change < self.tol:
                break
        self.U_, self.n_iter_ = U, it
        self.classes_ = np.arange(c)
        return self

    def decision_function(self, X):
        return np.asarray(X, dtype=np.float64) @ self.U_

    def predict(self, Xt):
        return self.decision_function(Xt).argmax(1)
