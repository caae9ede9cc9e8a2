"""Simple reference classifiers.

:func:`cross_corpus_matrix` — a plain scikit-learn baseline (standardised features, logistic
regression) trained on each corpus and tested on each other one; the diagonal is
speaker-independent cross-validation within the corpus. Used to show that the synthetic
stand-ins carry emotion signal and that it drops across corpora (``notebooks/01_corpora``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def _model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.5))


def _standardize(x: np.ndarray) -> np.ndarray:
    """Per-corpus z-scoring (no labels used), the usual first step of cross-corpus SER."""
    return StandardScaler().fit_transform(x)


def cross_corpus_matrix(features: dict[str, np.ndarray], tables: dict[str, pd.DataFrame],
                        classes: tuple[str, ...], n_folds: int = 4) -> pd.DataFrame:
    """Unweighted average recall (UAR) of the baseline, rows = training corpus, columns = test.

    ``features[code]`` is ``(n_code, d)`` aligned with ``tables[code]`` rows; only rows whose
    emotion is in ``classes`` are used. Diagonal: ``n_folds``-fold cross-validation grouped by
    speaker (a speaker is never in both train and test folds). Each corpus's features are
    z-scored on that corpus alone before anything else (no labels involved). Chance is
    ``1 / len(classes)``.
    """
    data = {}
    for code, table in tables.items():
        keep = table["emotion"].isin(classes).to_numpy()
        y = table.loc[keep, "emotion"].map(list(classes).index).to_numpy()
        data[code] = (_standardize(features[code])[keep], y, table.loc[keep, "speaker"].to_numpy())
    out = pd.DataFrame(index=list(data), columns=list(data), dtype=float)
    for src, (xs, ys, gs) in data.items():
        folds = min(n_folds, len(set(gs)))
        pred = cross_val_predict(_model(), xs, ys, groups=gs, cv=GroupKFold(folds))
        out.loc[src, src] = balanced_accuracy_score(ys, pred)
        model = _model().fit(xs, ys)
        for tgt, (xt, yt, _) in data.items():
            if tgt != src:
                out.loc[src, tgt] = balanced_accuracy_score(yt, model.predict(xt))
    out.index.name, out.columns.name = "train", "test"
    return out
