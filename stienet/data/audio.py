"""Decoding, resampling, cropping and on-disk caching of waveforms.

Every file is decoded with ``soundfile`` (any sample rate, bit depth or channel count; channels
are averaged to mono) and resampled with ``soxr``. The decoded, resampled, *full-length* clips
of a table are cached as one ``.npz`` keyed by the files' paths, sizes and modification times and
by the sample rate, so a changed corpus invalidates its cache and a second run decodes nothing.
Fixed-length views (centre crop for evaluation, random crop for training, zero padding for short
clips) are cut from that cache in memory by :meth:`Waveforms.fixed`.
"""
from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
import soxr
from tqdm import tqdm

from ..paths import atomic_write_bytes, cache_dir

#: Bumped whenever decoding changes, so old caches are not reused.
DECODER_VERSION = 1


class UnreadableAudio(RuntimeError):
    """A file could not be decoded, or holds fewer frames than its header announces."""


def _wav_is_truncated(path: str | os.PathLike) -> bool:
    """True when a RIFF/WAVE file's ``data`` chunk announces more bytes than the file holds.

    libsndfile silently shortens such files, so the header is checked here. Streaming headers
    (size 0 or 0xFFFFFFFF) are not judged.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return False
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            chunk = fh.read(8)
            n = int.from_bytes(chunk[4:8], "little")
            if chunk[:4] == b"data":
                return n not in (0, 0xFFFFFFFF) and pos + 8 + n > size
            pos += 8 + n + (n & 1)
    return False


def read_audio(path: str | os.PathLike, sr: int = 16000) -> np.ndarray:
    """Decode ``path`` to mono float32 at ``sr`` Hz.

    Raises :class:`UnreadableAudio` for undecodable, empty or truncated files (a file whose data
    chunk is shorter than its header says).
    """
    try:
        info = sf.info(str(path))
        data, native_sr = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises several types (LibsndfileError, RuntimeError, ...)
        raise UnreadableAudio(f"{path}: {exc}") from exc
    if data.shape[0] == 0:
        raise UnreadableAudio(f"{path}: no audio frames")
    if data.shape[0] < info.frames or _wav_is_truncated(path):
        raise UnreadableAudio(f"{path}: truncated (the header announces more data than the file holds)")
    mono = data.mean(axis=1)
    if native_sr != sr:
        mono = soxr.resample(mono, native_sr, sr, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)


def _cache_key(paths: list[str], sr: int) -> str:
    h = hashlib.sha1(f"v{DECODER_VERSION}|{sr}".encode())
    for p in paths:
        st = os.stat(p)
        h.update(f"|{p}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


@dataclass
class Waveforms:
    """Full-length mono clips of a corpus table, concatenated in one array.

    Attributes
    ----------
    table : pandas.DataFrame
        The rows that decoded (unreadable files removed), index reset to ``0..N-1``.
    flat : np.ndarray, shape (total_samples,)
        All clips back to back, float32.
    offsets : np.ndarray, shape (N,)
        Start (samples) of clip ``i`` in ``flat``.
    lengths : np.ndarray, shape (N,)
        Length (samples) of clip ``i``.
    sr : int
    skipped : list of (path, reason)
        Files that could not be decoded.
    """

    table: pd.DataFrame
    flat: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    sr: int
    skipped: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lengths)

    def clip(self, i: int) -> np.ndarray:
        """The full-length clip ``i``."""
        return self.flat[self.offsets[i]:self.offsets[i] + self.lengths[i]]

    def real_samples(self, seconds: float = 3.0, rows=None) -> np.ndarray:
        """Samples of real audio in each :meth:`fixed` clip (the rest is zero padding), ``(n,)``."""
        rows = np.arange(len(self)) if rows is None else np.asarray(rows, dtype=int)
        return np.minimum(self.lengths[rows], int(round(seconds * self.sr)))

    def fixed(self, seconds: float = 3.0, crop: str = "center", rows=None,
              rng: np.random.Generator | None = None) -> np.ndarray:
        """Fixed-length clips, shape ``(len(rows), round(seconds * sr))``, float32.

        Longer clips are cropped (``crop="center"`` for evaluation, ``"random"`` for training,
        drawing the start from ``rng``); shorter ones are zero-padded at the end. ``rows``
        selects (and may repeat) clips; default all.
        """
        if crop not in ("center", "random"):
            raise ValueError(f"crop must be 'center' or 'random', got {crop!r}")
        if crop == "random" and rng is None:
            raise ValueError("crop='random' needs an rng (np.random.default_rng(seed))")
        n = int(round(seconds * self.sr))
        rows = np.arange(len(self)) if rows is None else np.asarray(rows, dtype=int)
        out = np.zeros((len(rows), n), dtype=np.float32)
        lengths = self.lengths[rows]
        spare = np.maximum(lengths - n, 0)
        starts = spare // 2 if crop == "center" else rng.integers(0, spare + 1)
        for j, (i, start) in enumerate(zip(rows, starts)):
            take = min(n, lengths[j])
            begin = self.offsets[i] + start
            out[j, :take] = self.flat[begin:begin + take]
        return out


def load_waveforms(table: pd.DataFrame, sr: int = 16000, cache: bool = True,
                   progress: bool = True) -> Waveforms:
    """Decode every file of ``table`` (a :func:`stienet.data.load_corpus` table) at ``sr`` Hz.

    Unreadable or truncated files are skipped with **one** warning that counts and names them;
    the returned :attr:`Waveforms.table` lacks those rows. With ``cache=True`` the result is
    stored under ``cache_dir()/waveforms`` and reused while no file changes.
    """
    if len(table) == 0:
        raise ValueError("load_waveforms got an empty table")
    paths = list(table["path"])
    corpus = "-".join(sorted(set(table["corpus"]))) if "corpus" in table else "table"
    target = cache_dir() / "waveforms" / f"{corpus}-{sr}-{_cache_key(paths, sr)}.npz"
    if cache and target.is_file():
        with np.load(target, allow_pickle=False) as z:
            keep, flat, lengths = z["keep"], z["flat"], z["lengths"]
            skipped = [tuple(s) for s in z["skipped"].tolist()]
    else:
        clips, keep, skipped = [], [], []
        for i, path in enumerate(tqdm(paths, desc=f"decoding {corpus} @ {sr} Hz",
                                      disable=not progress, leave=False)):
            try:
                clips.append(read_audio(path, sr))
                keep.append(i)
            except UnreadableAudio as exc:
                skipped.append((path, str(exc)))
        if not clips:
            raise UnreadableAudio(f"none of the {len(paths)} files could be decoded; "
                                  f"first error: {skipped[0][1]}")
        keep = np.asarray(keep, dtype=np.int64)
        lengths = np.asarray([len(c) for c in clips], dtype=np.int64)
        flat = np.concatenate(clips)
        if cache:
            buf = io.BytesIO()
            np.savez(buf, keep=keep, flat=flat, lengths=lengths,
                     skipped=np.asarray(skipped, dtype=str).reshape(-1, 2))
            atomic_write_bytes(target, buf.getvalue())
    if skipped:
        warnings.warn(f"skipped {len(skipped)} unreadable audio file(s) of {len(paths)}: "
                      + "; ".join(reason for _, reason in skipped[:10])
                      + (" ..." if len(skipped) > 10 else ""), stacklevel=2)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    kept = table.iloc[keep].reset_index(drop=True)
    return Waveforms(kept, flat, offsets, lengths, sr, skipped)
