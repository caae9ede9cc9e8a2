"""TNMF as an open-set method (Song et al., ICASSP 2016; STIENet's reference [24]).

TNMF factorises source and target features together, ``X ≈ U V``, with an MMD penalty that
pulls the mean source and target codes together and a graph term that keeps neighbours close —
the project's implementation is :func:`stienet.satnmf.make_variant` ``("TNMF")`` (SATNMF's
Eq 8 with α = β = 0; symbols are the SATNMF paper's). TNMF itself is a closed-set method, and
STIENet's paper does not say how it made it reject unknowns. **This module's rule** (stated, not
the paper's): :class:`~stienet.baselines.osnn.OSNN` on the codes — the distance-ratio
classifier fitted on the source codes (its threshold T chosen on the source codes only) labels
the target codes, "unknown" where the ratio exceeds T.

Shapes: ``Xs (n, d)`` non-negative (ComParE scaled to [0, 1]), ``ys (n,)`` in ``0..K-1``,
``Xt (m, d)``; codes ``V_ (r, n + m)``, source columns first.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from ..satnmf import make_variant
from .osnn import OSNN


class TNMFOpen(BaseEstimator):
    """TNMF codes + OSNN unknown rule (module docstring).

    Parameters
    ----------
    r, gamma, lam, p, n_trials, max_iter, tol, dtype : TNMF's (SATNMF paper's names, see
        :class:`stienet.satnmf.SATNMF`); the codes of the trial with the lowest objective are used
        (default one trial: nothing is voted here, more trials only pick the lowest objective).
    T : OSNN threshold on the codes (``None``: chosen on the source codes, leave one speaker
        out when speakers are given to :meth:`fit`).
    criterion : what that choice maximises (:class:`~stienet.baselines.osnn.OSNN`; ``"h"``).
    random_state : seed of the factorisation and of the T search.

    Attributes
    ----------
    tnmf_ : the fitted :class:`~stienet.satnmf.SATNMF` (TNMF special case).
    osnn_ : the :class:`~stienet.baselines.osnn.OSNN` fitted on the source codes.
    labels_ (m,) : target labels, ``K`` = unknown.
    scores_ (m,) : target unknown scores (distance ratios).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> basis = np.eye(4).repeat(5, 1)                           # 4 parts of 5 features each
    >>> Xs = np.repeat(basis[:3], 10, 0) + rng.random((30, 20)) * .05; ys = np.repeat([0, 1, 2], 10)
    >>> Xt = np.r_[Xs[::2], np.repeat(basis[3:], 6, 0) + rng.random((6, 20)) * .05]
    >>> TNMFOpen(r=4, n_trials=1, max_iter=100).fit(Xs, ys, Xt).predict()[-6:].tolist()
    [3, 3, 3, 3, 3, 3]
    """

    def __init__(self, r=128, gamma=100.0, lam=1.0, p=5, n_trials=1, max_iter=300, tol=5e-4,
                 dtype="float32", T=None, criterion="h", random_state=0):
        self.r, self.gamma, self.lam, self.p = r, gamma, lam, p
        self.n_trials, self.max_iter, self.tol, self.dtype = n_trials, max_iter, tol, dtype
        self.T, self.criterion, self.random_state = T, criterion, random_state

    def fit(self, Xs, ys, Xt, groups=None):
        """``groups (n,)``: source speakers, for OSNN's speaker-disjoint choice of T."""
        ys = np.asarray(ys)
        n = len(ys)
        self.K_ = int(ys.max()) + 1
        self.tnmf_ = make_variant("TNMF", r=self.r, gamma=self.gamma, lam=self.lam, p=self.p,
                                  n_trials=self.n_trials, max_iter=self.max_iter, tol=self.tol,
                                  dtype=self.dtype, random_state=self.random_state)
        self.tnmf_.fit(np.asarray(Xs, float), ys, np.asarray(Xt, float), n_classes=self.K_)
        V = np.asarray(self.tnmf_.V_, float)
        self.osnn_ = OSNN(T=self.T, criterion=self.criterion,
                          random_state=self.random_state).fit(V[:, :n].T, ys, groups=groups)
        self.labels_ = self.osnn_.predict(V[:, n:].T)
        self.scores_ = self.osnn_.decision_function(V[:, n:].T)
        self.known_labels_ = self.osnn_.predict_known(V[:, n:].T)
        self.Xt_ = np.asarray(Xt, float)
        return self

    def _fitted(self, Xt) -> bool:
        return Xt is None or (np.shape(Xt) == self.Xt_.shape and np.array_equal(Xt, self.Xt_))

    def decision_function(self, Xt=None) -> np.ndarray:
        """Unknown score (OSNN's distance ratio on the codes); the fitted target (``None`` or the
        same samples) uses its transductive codes, new samples are coded with ``U_``."""
        if self._fitted(Xt):
            return self.scores_
        return self.osnn_.decision_function(self.tnmf_.transform(Xt))

    def predict_known(self, Xt=None) -> np.ndarray:
        """Closed-set labels ``0..K-1`` (rejection off): OSNN's nearest class on the codes."""
        if self._fitted(Xt):
            return self.known_labels_
        return self.osnn_.predict_known(self.tnmf_.transform(Xt))

    def predict(self, Xt=None) -> np.ndarray:
        """Labels ``0..K`` (``K`` = unknown); ``None`` or the fitted target: transductive labels."""
        if self._fitted(Xt):
            return self.labels_
        return self.osnn_.predict(self.tnmf_.transform(Xt))
