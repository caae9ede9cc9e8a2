"""What the closed-set baselines of SATNMF's Table 3 share (one method per module, STYLE §7).

Every closed-set method is an estimator with ``fit(Xs, ys, Xt)`` and ``predict(Xt)``
(samples as rows: ``Xs`` (n, d) source features, ``ys`` (n,) integer labels, ``Xt`` (m, d)
unlabelled target features). Methods that learn a new representation and then train the
paper's linear SVM on it ("mSDA+SVM", "FSTSL+SVM" in SATNMF Table 3) derive from
:class:`RepresentationSVM`: they implement :meth:`~RepresentationSVM.representation` only, so
the oracle grid search (:mod:`stienet.closed_set`) can learn each representation once and try
every SVM trade-off C on it.

The SVM is trained in the span of the source rows (:func:`span_coordinates`): a linear SVM's
weight vector lies in that span (representer theorem), and liblinear's dual depends on the data
only through inner products, so training on the coordinates Zs·U and predicting on Zt·U
(U an orthonormal basis of the span) gives the same classifier as on Zs, Zt themselves — at
O(n) instead of O(D) per coordinate step (D = (L+1)·6373 for mSDA).
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


def check_domains(Xs, ys, Xt):
    """(Xs, ys, Xt) as float64 / int arrays with matching shapes; raises ValueError otherwise."""
    Xs, Xt = np.asarray(Xs, dtype=np.float64), np.asarray(Xt, dtype=np.float64)
    ys = np.asarray(ys)
    if Xs.ndim != 2 or Xt.ndim != 2 or Xs.shape[1] != Xt.shape[1]:
        raise ValueError(f"Xs and Xt must be (n, d) and (m, d), got {Xs.shape} and {Xt.shape}")
    if ys.shape != (len(Xs),):
        raise ValueError(f"ys must have shape ({len(Xs)},), got {ys.shape}")
    if not (np.isfinite(Xs).all() and np.isfinite(Xt).all()):
        raise ValueError("non-finite features")
    return Xs, ys.astype(int), Xt


def one_hot(y, n_classes: int) -> np.ndarray:
    """(n, c) indicator matrix of integer labels ``y`` (n,)."""
    out = np.zeros((len(y), n_classes))
    out[np.arange(len(y)), y] = 1.0
    return out


def span_coordinates(Zs) -> np.ndarray:
    """U (D, r): an orthonormal basis of the span of the rows of ``Zs`` (n, D), r = rank ≤ n.
    ``Zs @ U`` has the same Gram matrix as ``Zs``, and ``Zt @ U`` the same inner products with
    every source row as ``Zt``."""
    U, sv, _ = np.linalg.svd(np.asarray(Zs, dtype=np.float64).T, full_matrices=False)
    return U[:, sv > sv[0] * 1e-12] if len(sv) and sv[0] > 0 else U[:, :1]


def span_svm(C: float, Zs, ys):
    """(U, svm): the paper's linear SVM trained on the span coordinates ``Zs @ U``."""
    from ..satnmf import linear_svm

    U = span_coordinates(Zs)
    return U, linear_svm(C).fit(Zs @ U, ys)


class RepresentationSVM(ClassifierMixin, BaseEstimator):
    """A transfer representation followed by the paper's linear SVM (trade-off ``C``).

    Subclasses implement ``representation(Xs, ys, Xt) -> (Zs, Zt)`` (they may store learned
    state with a trailing underscore) and ``transform(X)`` when new data can be mapped. ``fit``
    learns the representation on source + target and the SVM on ``Zs``; ``predict(Xt)`` returns
    the labels of the ``Xt`` given to ``fit`` when it is that same array (transductive use, as in
    the paper), else of ``transform(Xt)``.
    """

    def fit(self, Xs, ys, Xt):
        Xs, ys, Xt = check_domains(Xs, ys, Xt)
        self.Zs_, self.Zt_ = self.representation(Xs, ys, Xt)
        self._Xt_fit = Xt
        self.span_, self.svm_ = span_svm(self.C, self.Zs_, ys)
        self.classes_ = self.svm_.classes_
        return self

    def predict(self, Xt):
        Xt = np.asarray(Xt, dtype=np.float64)
        same = Xt.shape == self._Xt_fit.shape and np.array_equal(Xt, self._Xt_fit)
        return self.svm_.predict((self.Zt_ if same else self.transform(Xt)) @ self.span_)


class SourceOnly(RepresentationSVM):
    """The identity representation: the paper's source-only linear SVM (trade-off ``C``)."""

    def __init__(self, C: float = 1.0):
        self.C = C

    def representation(self, Xs, ys, Xt):
        return Xs, Xt

    def transform(self, X):
        return np.asarray(X, dtype=np.float64)
