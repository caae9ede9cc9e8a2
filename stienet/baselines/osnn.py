"""OSNN — the nearest-neighbour distance-ratio open-set classifier (Júnior et al., Machine
Learning 106(3), 2017; STIENet's reference [17]).

For a sample ``s``, let ``t`` be its nearest training sample and ``u`` its nearest training
sample **of a class other than t's**. With the ratio::

    R(s) = d(s, t) / d(s, u)    (0 ≤ R ≤ 1, since t is the nearest of all),

``s`` gets ``t``'s class when ``R ≤ T`` and "unknown" (label ``K``) otherwise: a sample lying as
close to two different classes (R near 1) belongs to neither. ``d`` is the Euclidean distance.

The threshold T is chosen on the **source (training) data only**, as the paper does: the known
classes are split into "known" and simulated "unknown" ones — each class in turn is left out as
the unknown one — and T maximises the normalised accuracy NA = λ_r·AKS + (1 − λ_r)·AUS over a
grid, averaged over the splits (AKS: accuracy on validation samples of the known classes, a
rejected one counts as wrong; AUS: share of the left-out class rejected; λ_r = 0.5 as in the
paper). No target sample is used. Duplicate training rows (an oversampled source) are dropped
first: a duplicate would put a zero-distance neighbour into the validation part.

How the fitting and validation parts are drawn decides T (``validation``):

* ``"speaker"`` (the default when speakers are given to :meth:`OSNN.fit`): leave one speaker out
  — the validation samples are one speaker's, the fitting samples the other speakers', so every
  ratio is measured across speakers, as it will be across corpora; the grid is finer near 1
  (:data:`T_GRID_SPEAKER`), where such ratios lie.
* ``"random"`` (the paper's random halves, the only choice before; used when no speakers are
  given): the fitting part holds the validation samples' own speakers. On real ComParE features
  (6373-d, scaled per speaker) the distance ratios of EmoDB → CASIA target clips lie between
  0.93 and 1.00 (5–95 % quantiles), those of held-out *source speakers* between 0.90 and 1.00,
  and random halves chose T = 0.85–0.90: every target clip was rejected.

Shapes: ``Xs (n, d)``, ``ys (n,)`` with labels ``0..K-1``, ``Xt (m, d)``.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.base import BaseEstimator

#: Threshold grid searched when ``T`` is not given (``validation="random"``).
T_GRID = tuple(np.round(np.arange(0.05, 1.0001, 0.05), 2))
#: Grid of the speaker-disjoint search: the same up to 0.85, then steps of 0.005 up to 1.
T_GRID_SPEAKER = tuple(np.round(np.r_[np.arange(0.05, 0.8501, 0.05), np.arange(0.855, 1.0001, 0.005)], 3))


def distance_ratio(X_fit: np.ndarray, y_fit: np.ndarray, X: np.ndarray):
    """Nearest-neighbour label and distance ratio of every row of ``X (k, d)`` against the
    fitting set ``X_fit (n, d), y_fit (n,)`` (at least two classes).

    Returns ``(label (k,), R (k,))`` with ``R = d(s, t) / d(s, u)``, ``t`` the nearest fitting
    sample and ``u`` the nearest one of another class (``R = 0`` when ``d(s, t) = 0``)."""
    y_fit = np.asarray(y_fit)
    if len(np.unique(y_fit)) < 2:
        raise ValueError("OSNN needs at least two classes in the fitting set")
    D = cdist(np.asarray(X, float), np.asarray(X_fit, float))                 # (k, n)
    nearest = D.argmin(1)
    label = y_fit[nearest]
    other = np.where(y_fit[None, :] != label[:, None], D, np.inf)             # other classes only
    d_t, d_u = D[np.arange(len(D)), nearest], other.min(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        R = np.where(d_u > 0, d_t / d_u, 0.0)
    return label, R


def split_h(y_true, y_pred, unknown: int) -> float:
    """Harmonic mean of AKS and AUS (see :func:`normalised_accuracy`): 0 when a threshold
    rejects everything or nothing, which NA = 0.5·AKS + 0.5·AUS scores 0.5 and 0.5·AKS."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    known = y_true != unknown
    aks = float((y_pred[known] == y_true[known]).mean()) if known.any() else 0.0
    aus = float((y_pred[~known] == unknown).mean()) if (~known).any() else 0.0
    return 2 * aks * aus / (aks + aus) if aks + aus > 0 else 0.0


def normalised_accuracy(y_true, y_pred, unknown: int, lambda_r: float = 0.5) -> float:
    """NA = λ_r·AKS + (1 − λ_r)·AUS (Júnior et al. 2017): AKS the accuracy on samples whose
    true label is not ``unknown``, AUS the share of ``unknown`` samples predicted unknown."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    known = y_true != unknown
    aks = float((y_pred[known] == y_true[known]).mean()) if known.any() else 0.0
    aus = float((y_pred[~known] == unknown).mean()) if (~known).any() else 0.0
    return lambda_r * aks + (1 - lambda_r) * aus


class OSNN(BaseEstimator):
    """Nearest-neighbour distance-ratio open-set classifier (OSNN, Júnior et al. 2017, [17]).

    Parameters
    ----------
    T : distance-ratio threshold; ``None`` chooses it on the source data (module docstring).
    grid : thresholds searched when ``T`` is None (default: :data:`T_GRID_SPEAKER` with
        speaker-disjoint validation, :data:`T_GRID` with random halves).
    validation : ``"speaker"`` (leave one speaker out; needs ``groups`` in :meth:`fit`, else
        random halves are used) or ``"random"`` (the paper's random halves).
    criterion : what T maximises: ``"na"`` (the paper's normalised accuracy, weight
        ``lambda_r``) or ``"h"`` (:func:`split_h`, the harmonic mean of AKS and AUS).
    lambda_r : weight of known-sample accuracy in the normalised accuracy (paper: 0.5).
    random_state : seed of the fitting / validation halves of the T search.

    Attributes
    ----------
    X_ (n', d), y_ (n',) : distinct training samples and their labels.
    K_ : number of known classes.
    T_ : the threshold used.
    search_ : mean NA per grid value (when T was searched).
    validation_ : how T was chosen (``"speaker"``, ``"random"`` or ``"given"``).

    Examples
    --------
    >>> import numpy as np
    >>> Xs = np.r_[np.zeros((5, 2)), np.ones((5, 2)) * [4, 0], np.ones((5, 2)) * [0, 4]]
    >>> Xs = Xs + np.random.default_rng(0).normal(0, .3, Xs.shape)
    >>> ys = np.repeat([0, 1, 2], 5)
    >>> OSNN(T=0.8).fit(Xs, ys).predict([[0, 0], [2, 2], [20, 20]]).tolist()
    [0, 3, 3]
    """

    def __init__(self, T=None, grid=None, lambda_r=0.5, validation="speaker", criterion="na",
                 random_state=0):
        self.T, self.grid, self.lambda_r = T, grid, lambda_r
        self.validation, self.criterion, self.random_state = validation, criterion, random_state

    def _score(self, truth, pred) -> float:
        if self.criterion == "h":
            return split_h(truth, pred, -1)
        return normalised_accuracy(truth, pred, -1, self.lambda_r)

    def fit(self, Xs, ys, Xt=None, groups=None):
        """Store the distinct source samples and choose T on them (``Xt`` is ignored: OSNN does
        not adapt; it is accepted for the common ``fit(Xs, ys, Xt)`` face). ``groups (n,)``: the
        speaker of each source sample, for the speaker-disjoint choice of T."""
        if self.validation not in ("speaker", "random"):
            raise ValueError(f"validation must be 'speaker' or 'random', got {self.validation!r}")
        if self.criterion not in ("na", "h"):
            raise ValueError(f"criterion must be 'na' (the paper's) or 'h', got {self.criterion!r}")
        X, idx = np.unique(np.asarray(Xs, float), axis=0, return_index=True)
        self.X_, self.y_ = X, np.asarray(ys)[idx]
        speakers = None if groups is None else np.asarray(groups)[idx]
        self.K_ = int(self.y_.max()) + 1
        if self.T is not None:
            self.T_, self.search_, self.validation_ = float(self.T), None, "given"
            return self
        by_speaker = (self.validation == "speaker" and speakers is not None
                      and len(np.unique(speakers)) >= 2)
        self.validation_ = "speaker" if by_speaker else "random"
        grid = np.asarray(self.grid if self.grid is not None
                          else T_GRID_SPEAKER if by_speaker else T_GRID, float)
        self.search_ = self._search_speakers(speakers, grid) if by_speaker else self._search(grid)
        best = np.flatnonzero(self.search_ == self.search_.max())
        self.T_ = float(grid[best[len(best) // 2]])
        return self

    def _search_speakers(self, speakers: np.ndarray, grid: np.ndarray) -> np.ndarray:
        """Mean normalised accuracy of each threshold over (left-out class, left-out speaker)
        splits: fitting part = the other classes' samples of the other speakers, validation
        part = every sample of the left-out speaker."""
        classes = np.unique(self.y_)
        if len(classes) < 3:
            raise ValueError("choosing T needs >= 3 source classes (one simulated unknown, "
                             "two left to form the distance ratio); give T instead")
        scores = []
        for out in classes:
            for spk in np.unique(speakers):
                fit_rows = (speakers != spk) & (self.y_ != out)
                val_rows = speakers == spk
                if len(np.unique(self.y_[fit_rows])) < 2 or not val_rows.any():
                    continue
                label, R = distance_ratio(self.X_[fit_rows], self.y_[fit_rows], self.X_[val_rows])
                truth = np.where(self.y_[val_rows] == out, -1, self.y_[val_rows])
                scores.append([self._score(truth, np.where(R <= T, label, -1)) for T in grid])
        return np.mean(scores, axis=0)

    def _search(self, grid=None) -> np.ndarray:
        """Mean normalised accuracy of each grid threshold over the leave-one-class-out splits
        (random halves of the other classes)."""
        classes = np.unique(self.y_)
        if len(classes) < 3:
            raise ValueError("choosing T needs >= 3 source classes (one simulated unknown, "
                             "two left to form the distance ratio); give T instead")
        rng = np.random.default_rng(self.random_state)
        grid = np.asarray(T_GRID if grid is None else grid, float)
        scores = []
        for out in classes:
            fit_rows, val_rows = [], [np.flatnonzero(self.y_ == out)]
            for c in classes[classes != out]:
                rows = rng.permutation(np.flatnonzero(self.y_ == c))
                half = max(1, len(rows) // 2)
                fit_rows.append(rows[:half])
                val_rows.append(rows[half:])
            fit_rows, val_rows = np.concatenate(fit_rows), np.concatenate(val_rows)
            label, R = distance_ratio(self.X_[fit_rows], self.y_[fit_rows], self.X_[val_rows])
            truth = np.where(self.y_[val_rows] == out, -1, self.y_[val_rows])
            scores.append([self._score(truth, np.where(R <= T, label, -1)) for T in grid])
        return np.mean(scores, axis=0)

    def decision_function(self, X) -> np.ndarray:
        """Unknown score of each row of ``X (k, d)``: the distance ratio R (higher = more unknown)."""
        return distance_ratio(self.X_, self.y_, X)[1]

    def predict_known(self, X) -> np.ndarray:
        """Closed-set labels ``0..K-1`` (rejection off): the class of the nearest source sample."""
        return distance_ratio(self.X_, self.y_, X)[0]

    def predict(self, X) -> np.ndarray:
        """Labels ``0..K-1``, or ``K`` (unknown) where R > T."""
        label, R = distance_ratio(self.X_, self.y_, X)
        return np.where(R <= self.T_, label, self.K_)
