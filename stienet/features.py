"""Hand-crafted acoustic features.

:func:`prosodic_stats` — MFCC, F0 and energy statistics per clip, a small classical SER feature
set used to check that a corpus carries emotion signal (``notebooks/01_corpora``).
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm


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
