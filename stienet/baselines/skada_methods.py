"""Beyond the papers: standard shallow domain-adaptation methods from ``skada`` (scikit-adaptation,
BSD-3-Clause; https://scikit-adaptation.github.io), run through the same closed-set runner as
SATNMF Table 3's methods, so SATNMF can be read against maintained reference implementations.

Every method runs on the coordinates of the rows in an orthonormal basis U of the span of all
source and target rows (:func:`~stienet.baselines.common.span_coordinates`; ≤ N ≈ 550 values
instead of d = 6373). Inner products and distances between rows are unchanged by it, so
subspace alignment, linear-kernel TCA, JDOT and the SVM give the same results as on the raw
features at a fraction of the cost. CORAL's Ledoit–Wolf shrinkage is then estimated in the
span (its target, trace/dimension, is computed over r ≤ N dimensions instead of d), so CORAL
here is CORAL of the span coordinates — on the raw 6373 features one fit took 220 s.

Each class wraps one skada adapter (or classifier) behind this package's closed-set face
``fit(Xs, ys, Xt)`` / ``predict(Xt)``: source and target are merged the skada way
(:func:`skada.utils.source_target_merge`: ``sample_domain`` > 0 for source rows, < 0 for target
rows, target labels masked), the adapter maps both domains, and the paper's linear SVM is trained
on the adapted source (:class:`~stienet.baselines.common.RepresentationSVM`).

* :class:`CORAL` — correlation alignment (Sun, Feng & Saenko, AAAI 2016): the source is
  whitened with its own covariance and re-coloured with the target's,
  x̃s = Ct^{1/2} Cs^{-1/2} (xs − x̄s) (shrinkage ``reg``); the target is centred, xt − x̄t.
* :class:`SubspaceAlignment` — (Fernando et al., ICCV 2013): with Ps, Pt the top-k PCA bases
  (d × k) of each domain, source maps to Xs Ps Psᵀ Pt, target to Xt Pt.
* :class:`TCA` — transfer component analysis (Pan et al., IEEE TNN 2011): k components of
  the kernel matrix K (N × N) from the leading eigenvectors of (I + μ K L K)⁻¹ K H K (L the MMD
  matrix of SATNMF Eq (4), H the centring matrix; skada's μ weighs the MMD term, where Pan et
  al.'s weighs the identity).
* :class:`JDOT` — joint distribution optimal transport (Courty et al., NeurIPS 2017): a
  classifier on the target fitted jointly with an OT coupling between (xs, ys) and (xt, f(xt));
  here with the linear SVM and the hinge loss (skada's ``metric="hinge"``), no extra SVM.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .common import RepresentationSVM, check_domains, span_coordinates


def merge(Xs, ys, Xt):
    """(X, y, sample_domain) in skada's convention (what :func:`skada.utils.source_target_merge`
    returns): source rows first (domain 1), then target rows (domain −2) with masked labels −1."""
    n, m = len(Xs), len(Xt)
    return (np.vstack([Xs, Xt]), np.r_[np.asarray(ys), np.full(m, -1)],
            np.r_[np.ones(n), np.full(m, -2.0)])


class _SkadaAdapterSVM(RepresentationSVM):
    """An adapter of skada on source + target, then the paper's linear SVM."""

    def adapter(self):                                        # pragma: no cover — abstract
        raise NotImplementedError

    def representation(self, Xs, ys, Xt):
        self.basis_ = span_coordinates(np.vstack([Xs, Xt]))
        Xs, Xt = Xs @ self.basis_, Xt @ self.basis_
        X, y, sd = merge(Xs, ys, Xt)
        self.sizes_ = (len(Xs), len(Xt))
        self.adapter_ = self.adapter()
        self.adapter_.fit(X, y, sample_domain=sd)
        return self._map(Xs, 1), self._map(Xt, -2)

    def _map(self, X, domain):
        return np.asarray(self.adapter_.transform(X, sample_domain=np.full(len(X), domain),
                                                  allow_source=True), dtype=np.float64)

    def transform(self, X):
        """New rows are mapped as target rows."""
        return self._map(np.asarray(X, dtype=np.float64) @ self.basis_, -2)


class CORAL(_SkadaAdapterSVM):
    """CORAL (skada :class:`~skada.CORALAdapter`) + linear SVM.

    Parameters: ``reg`` covariance shrinkage ('auto' = Ledoit–Wolf), ``C`` the SVM trade-off.
    """

    def __init__(self, reg="auto", C=1.0):
        self.reg, self.C = reg, C

    def adapter(self):
        from skada import CORALAdapter

        return CORALAdapter(reg=self.reg)


class SubspaceAlignment(_SkadaAdapterSVM):
    """Subspace alignment (skada :class:`~skada.SubspaceAlignmentAdapter`) + linear SVM.

    Parameters: ``n_components`` k of both PCA bases (at most the smaller domain's size),
    ``C`` the SVM trade-off.
    """

    def __init__(self, n_components=64, C=1.0, seed=0):
        self.n_components, self.C, self.seed = n_components, C, seed

    def adapter(self):
        from skada import SubspaceAlignmentAdapter

        k = min(self.n_components, *self.sizes_)
        return SubspaceAlignmentAdapter(n_components=k, random_state=self.seed)


class TCA(_SkadaAdapterSVM):
    """Transfer component analysis (skada :class:`~skada.TransferComponentAnalysisAdapter`,
    linear kernel) + linear SVM.

    Parameters: ``n_components`` k, ``mu`` μ (the trade-off of TCA's regulariser), ``C``.
    """

    def __init__(self, n_components=64, mu=0.1, kernel="linear", C=1.0):
        self.n_components, self.mu, self.kernel, self.C = n_components, mu, kernel, C

    def adapter(self):
        from skada import TransferComponentAnalysisAdapter

        return TransferComponentAnalysisAdapter(kernel=self.kernel, n_components=self.n_components,
                                                mu=self.mu)


class JDOT(ClassifierMixin, BaseEstimator):
    """JDOT (skada :class:`~skada.JDOTClassifier`) with the paper's linear SVM and hinge loss.

    Parameters: ``alpha`` weight of the feature distance in the OT cost (skada's default 0.5),
    ``C`` the SVM trade-off, ``n_iter_max`` alternating OT / classifier steps.
    """

    def __init__(self, alpha=0.5, C=1.0, n_iter_max=5):
        self.alpha, self.C, self.n_iter_max = alpha, C, n_iter_max

    def fit(self, Xs, ys, Xt):
        from skada import JDOTClassifier

        from ..satnmf import linear_svm

        Xs, ys, Xt = check_domains(Xs, ys, Xt)
        self.basis_ = span_coordinates(np.vstack([Xs, Xt]))
        X, y, sd = merge(Xs @ self.basis_, ys, Xt @ self.basis_)
        self.jdot_ = JDOTClassifier(linear_svm(self.C), alpha=self.alpha, metric="hinge",
                                    n_iter_max=self.n_iter_max)
        self.jdot_.fit(X, y, sample_domain=sd)
        self.classes_ = np.unique(ys)
        return self

    def predict(self, Xt):
        Xt = np.asarray(Xt, dtype=np.float64)
        return self.jdot_.predict(Xt @ self.basis_, sample_domain=np.full(len(Xt), -2))
