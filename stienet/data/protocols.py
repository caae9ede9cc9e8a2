"""Experimental protocols: which samples and labels a cross-corpus run uses.

* :func:`open_set_split` — STIENet (§4.1): the source keeps its known classes only, balanced by
  oversampling; the target keeps everything, known classes labelled ``0..K-1`` and every other
  emotion ``K`` ("unknown").
* :func:`closed_set_split` — SATNMF (§3.1, Table 2): both corpora restricted to shared classes.

Both return tables that keep a ``row`` column: the position of each sample in the input table
(and so in :class:`stienet.data.Waveforms` built from it). Oversampled rows repeat it.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .specs import ALL_SCHEMES, KNOWN_CLASSES


@dataclass
class Split:
    """Source and target tables of one protocol, with a ``label`` column (int)."""

    source: pd.DataFrame
    target: pd.DataFrame
    classes: tuple[str, ...]
    open_set: bool

    @property
    def label_names(self) -> tuple[str, ...]:
        """Names of the integer labels (``+ ("unknown",)`` in the open-set protocol)."""
        return self.classes + (("unknown",) if self.open_set else ())

    def describe(self) -> pd.DataFrame:
        """Samples per label in source and target."""
        names = list(self.label_names)
        out = pd.DataFrame({
            "source": self.source["label"].value_counts().reindex(range(len(names)), fill_value=0).values,
            "target": self.target["label"].value_counts().reindex(range(len(names)), fill_value=0).values,
        }, index=names)
        out.loc["total"] = out.sum()
        return out


def _check_pair(source: pd.DataFrame, target: pd.DataFrame) -> None:
    s, t = set(source["corpus"]), set(target["corpus"])
    if s == t and (set(source["path"]) & set(target["path"])):
        raise ValueError(f"source and target are the same corpus ({', '.join(sorted(s))}); "
                         "a cross-corpus protocol needs two different corpora")


def _require(table: pd.DataFrame, classes, role: str) -> None:
    counts = table["emotion"].value_counts()
    empty = [c for c in classes if counts.get(c, 0) == 0]
    if empty:
        corpus = ", ".join(sorted(set(table["corpus"])))
        raise ValueError(f"class(es) {', '.join(empty)} have zero samples in the {role} corpus "
                         f"{corpus} (it has {', '.join(sorted(counts.index))})")


def oversample(table: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Repeat samples of minority labels (drawn without replacement, then cycling) until every
    label has as many rows as the largest one. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    largest = table["label"].value_counts().max()
    parts = []
    for _, group in table.groupby("label", sort=True):
        extra = largest - len(group)
        reps = [group]
        while extra > 0:
            take = min(extra, len(group))
            reps.append(group.iloc[rng.permutation(len(group))[:take]])
            extra -= take
        parts.append(pd.concat(reps))
    return pd.concat(parts, ignore_index=True)


def open_set_split(source: pd.DataFrame, target: pd.DataFrame,
                   known: tuple[str, ...] = KNOWN_CLASSES, balance: bool = True,
                   seed: int = 0) -> Split:
    """STIENet's open-set protocol (K = ``len(known)``; default anger, fear, happiness).

    Source: known-class samples only, labels ``0..K-1``, balanced by :func:`oversample` when
    ``balance``. Target: every sample, label ``known.index(emotion)`` or ``K`` (unknown); never
    duplicated. Raises when source and target are one corpus, a known class is empty in the
    source, or the target has none of the known classes. A target lacking only *some* known
    classes (say, a corpus without fear) is allowed with a warning that names them: the model
    still learns them from the source, nothing in the target carries them, and OS/OS* average
    over the known classes the target has (:func:`stienet.metrics.open_set_metrics` leaves a
    class without true samples out of every mean).
    """
    known = tuple(known)
    if len(set(known)) != len(known) or not known:
        raise ValueError(f"known classes must be distinct and non-empty, got {known}")
    _check_pair(source, target)
    _require(source, known, "source")
    present = set(target["emotion"])
    missing = [c for c in known if c not in present]
    corpus = ", ".join(sorted(set(target["corpus"])))
    if len(missing) == len(known):
        _require(target, known, "target")
    if missing:
        warnings.warn(
            f"the target corpus {corpus} has no {', '.join(missing)} clips: OS and OS* average "
            f"over the known classes it has ({', '.join(c for c in known if c in present)}) "
            "and unknown; the model still learns every known class from the source",
            stacklevel=2)
    src = source.assign(row=np.arange(len(source)))
    src = src[src["emotion"].isin(known)].copy()
    src["label"] = src["emotion"].map(known.index).astype(int)
    if balance:
        src = oversample(src, seed)
    tgt = target.assign(row=np.arange(len(target)))
    tgt["label"] = [known.index(e) if e in known else len(known) for e in tgt["emotion"]]
    return Split(src.reset_index(drop=True), tgt.reset_index(drop=True), known, open_set=True)


def closed_set_split(source: pd.DataFrame, target: pd.DataFrame,
                     classes: tuple[str, ...] | str | None = None) -> Split:
    """SATNMF's closed-set protocol.

    ``classes``: a list of emotions, a scheme name of SATNMF Table 2 (``e2E``, ``E2B``, ``B2C``,
    ``C2e``) or beyond it on RAVDESS (``B2R``, ``R2B``, ``C2R``, ``R2C``: B2C's five classes), or ``None`` for the intersection of the two corpora's emotions.
    """
    _check_pair(source, target)
    if isinstance(classes, str):
        if classes not in ALL_SCHEMES:
            raise ValueError(f"unknown scheme {classes!r}; schemes are {', '.join(ALL_SCHEMES)}")
        classes = ALL_SCHEMES[classes][2]
    if classes is None:
        classes = tuple(sorted(set(source["emotion"]) & set(target["emotion"])))
        if not classes:
            raise ValueError("source and target share no emotion")
    classes = tuple(classes)
    _require(source, classes, "source")
    _require(target, classes, "target")
    parts = []
    for table in (source, target):
        t = table.assign(row=np.arange(len(table)))
        t = t[t["emotion"].isin(classes)].copy()
        t["label"] = t["emotion"].map(classes.index).astype(int)
        parts.append(t.reset_index(drop=True))
    return Split(parts[0], parts[1], classes, open_set=False)
