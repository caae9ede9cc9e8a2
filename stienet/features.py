"""Hand-crafted acoustic features.

* :func:`prosodic_stats` — MFCC, F0 and energy statistics per clip, a small classical SER
  feature set used to check that a corpus carries emotion signal (``notebooks/01_corpora``).
* :func:`compare_features` — the 6373 ComParE functionals (INTERSPEECH 2013 ComParE set, as
  ``ComParE_2016`` in openSMILE) that SATNMF uses (SATNMF §2.1), cached per corpus on disk.
* :func:`minmax_scale` — linear scaling of every feature to [0, 1] per speaker or per corpus
  (SATNMF §2.1, "speaker-dependent" normalisation). Explained in ``notebooks/06_satnmf``.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from .data.audio import load_waveforms
from .paths import atomic_write_bytes, cache_dir

#: Dimension of the ComParE functionals (SATNMF §2.1: 65 LLDs and deltas x 54 functionals + 5).
COMPARE_DIM = 6373


def prosodic_stats(clips, sr: int = 16000, n_mfcc: int = 13, progress: bool = False) -> np.ndarray:
    """Per-clip statistics: mean and std of ``n_mfcc`` MFCCs and their deltas, and mean, std,
    5th/95th percentile of log-F0 (YIN, 60-500 Hz, voiced frames) and of log-RMS energy.

    Parameters
    ----------
    clips : iterable of 1-D float arrays (any lengths) at ``sr`` Hz.

    Returns
    -------
    np.ndarray, shape (n_clips, 4 * n_mfcc + 8)
    """
    import librosa

    rows = []
    for y in tqdm(clips, desc="prosodic features", disable=not progress, leave=False):
        y = np.asarray(y, dtype=np.float32)
        mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc, n_fft=512, hop_length=160)
        delta = librosa.feature.delta(mfcc, width=5) if mfcc.shape[1] >= 5 else np.zeros_like(mfcc)
        f0 = librosa.yin(y, fmin=60, fmax=500, sr=sr, frame_length=1024, hop_length=160)
        rms = librosa.feature.rms(y=y, frame_length=512, hop_length=160)[0]
        log_rms = np.log(rms + 1e-5)
        voiced = log_rms > np.percentile(log_rms, 40)
        voiced = voiced[: len(f0)]
        lf0 = np.log(f0[: len(voiced)][voiced]) if voiced.any() else np.log(f0)

        def q(v):
            return [v.mean(), v.std(), np.percentile(v, 5), np.percentile(v, 95)]

        rows.append(np.concatenate([mfcc.mean(1), mfcc.std(1), delta.mean(1), delta.std(1),
                                    q(lf0), q(log_rms)]))
    return np.asarray(rows, dtype=np.float64)


@dataclass
class FeatureTable:
    """Features of the decodable clips of a corpus table.

    Attributes
    ----------
    table : the corpus table rows that were decoded (undecodable files are skipped, with the
        warning of :func:`stienet.data.load_waveforms`), aligned with ``values``.
    values : np.ndarray, shape (n_clips, n_features), float32.
    names : list of feature names.
    """

    table: pd.DataFrame
    values: np.ndarray
    names: list


def _smile():
    import opensmile

    return opensmile.Smile(feature_set=opensmile.FeatureSet.ComParE_2016,
                           feature_level=opensmile.FeatureLevel.Functionals)


def compare_features(table: pd.DataFrame, sr: int = 16000, cache: bool = True,
                     progress: bool = True) -> FeatureTable:
    """ComParE functionals (6373-d) of every clip of ``table`` (SATNMF §2.1).

    Waveforms come from :func:`stienet.data.load_waveforms` (mono, ``sr`` Hz). With ``cache``
    the matrix is stored under ``cache_dir()/features`` keyed on the decoded audio and the
    openSMILE version, so a second call reads it back instead of running openSMILE.
    Runs offline: openSMILE ships its configuration files with the PyPI package.
    """
    import opensmile

    audio = load_waveforms(table, sr=sr, cache=cache, progress=progress)
    key = hashlib.sha1(f"ComParE_2016|{opensmile.__version__}|{sr}".encode())
    key.update(audio.lengths.tobytes())
    key.update(np.ascontiguousarray(audio.flat).tobytes())
    corpus = "-".join(sorted(set(audio.table["corpus"])))
    target = cache_dir() / "features" / f"compare-{corpus}-{key.hexdigest()[:16]}.npz"
    if cache and target.is_file():
        with np.load(target, allow_pickle=False) as z:
            return FeatureTable(audio.table, z["values"], z["names"].tolist())
    smile = _smile()
    rows = []
    for i in tqdm(range(len(audio)), desc=f"openSMILE ComParE {corpus}", disable=not progress,
                  leave=False):
        rows.append(smile.process_signal(audio.clip(i), audio.sr).to_numpy()[0])
    values = np.asarray(rows, dtype=np.float32)
    names = list(smile.feature_names)
    if values.shape[1] != COMPARE_DIM:
        raise RuntimeError(f"openSMILE returned {values.shape[1]} ComParE features, "
                           f"expected {COMPARE_DIM}")
    if cache:
        buf = io.BytesIO()
        np.savez(buf, values=values, names=np.asarray(names, dtype=str))
        atomic_write_bytes(target, buf.getvalue())
    return FeatureTable(audio.table, values, names)


def minmax_scale(values: np.ndarray, groups=None) -> np.ndarray:
    """Scale every feature linearly to [0, 1] within each group (SATNMF §2.1).

    Parameters
    ----------
    values : array, shape (n_samples, n_features).
    groups : array of length n_samples (e.g. speaker ids: the paper's speaker-dependent
        normalisation) or ``None`` (one group: per-corpus scaling). Call it separately for
        source and target — the paper scales the two corpora independently.

    A feature that is constant within a group becomes 0 there. Non-finite input raises.

    Returns
    -------
    np.ndarray of the same shape, float64, values in [0, 1].
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"values must be (n_samples, n_features), got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"values hold {int((~np.isfinite(x)).sum())} non-finite entries")
    groups = np.zeros(len(x), dtype=int) if groups is None else np.asarray(groups)
    if len(groups) != len(x):
        raise ValueError(f"groups has {len(groups)} entries for {len(x)} samples")
    out = np.empty_like(x)
    for g in pd.unique(groups):
        rows = groups == g
        lo, hi = x[rows].min(0), x[rows].max(0)
        span = np.where(hi > lo, hi - lo, 1.0)
        out[rows] = (x[rows] - lo) / span
    return out
