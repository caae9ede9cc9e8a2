"""Synthetic stand-ins: real layouts, real label sets, determinism, labelled as synthetic."""
import hashlib

import numpy as np
import pytest

from stienet.data import CORPORA, load_corpus, load_waveforms, open_set_split, synthetic_root
from stienet.data.synthetic import MARKER, synthesize, _speakers

SCALE = 0.04


@pytest.mark.parametrize("code", ["B", "C", "e", "S", "E"])
def test_layout_labels_and_marker(code):
    table = load_corpus(code, scale=SCALE, progress=False)
    spec = CORPORA[code]
    assert set(table["data"]) == {"synthetic"}
    assert set(table["emotion"]) == set(spec.class_counts)
    assert set(table["speaker"]) <= set(spec.speakers)
    expected = sum(max(1, round(n * SCALE)) for n in spec.class_counts.values())
    assert len(table) == expected
    root = synthetic_root(code, scale=SCALE)
    assert (root / MARKER).is_file()
    # written in the real layout: the same scanner as real data read it (paths tell)
    example = table["path"].iloc[0]
    if code == "C":
        assert example.split("/")[-2] in spec.labels
    if code == "S":
        assert "/AudioData/" in example
    if code == "E":
        assert (root / "manifest.csv").is_file()


def test_native_sample_rates():
    import soundfile as sf
    for code in "BCeS":
        path = load_corpus(code, scale=SCALE, progress=False)["path"].iloc[0]
        assert sf.info(path).samplerate == CORPORA[code].native_sr


def _digest(code, seed):
    root = synthetic_root(code, seed=seed, scale=SCALE, progress=False)
    h = hashlib.sha1()
    for p in sorted(root.rglob("*.wav")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_audio(tmp_path, monkeypatch):
    first = _digest("B", 0)
    monkeypatch.setenv("STIENET_CACHE", str(tmp_path))  # regenerate from scratch elsewhere
    assert _digest("B", 0) == first
    assert _digest("B", 1) != first


def test_emotions_differ_in_the_expected_directions():
    """High arousal (anger) louder, higher and faster than low arousal (sadness), per speaker."""
    import librosa
    spk = _speakers("B", 0)["03"]
    stats = {}
    for emo in ("anger", "sadness"):
        rms, f0 = [], []
        for i in range(4):
            y, sr = synthesize("B", emo, spk, np.random.default_rng(i))
            rms.append(np.sqrt(np.mean(y ** 2)))
            f = librosa.yin(y, fmin=60, fmax=500, sr=sr, frame_length=1024)
            f0.append(np.median(f))
        stats[emo] = (np.mean(rms), np.mean(f0))
    assert stats["anger"][0] > 2 * stats["sadness"][0]
    assert stats["anger"][1] > 1.2 * stats["sadness"][1]


def _mean_log_spectrum(code, shift, speaker):
    import soxr
    from scipy.signal import welch
    specs = []
    for i in range(6):
        y, sr = synthesize(code, "neutral", speaker, np.random.default_rng(i), shift=shift)
        _, p = welch(soxr.resample(y, sr, 16000), fs=16000, nperseg=512)
        specs.append(np.log(p + 1e-12))
    return np.mean(specs, axis=0)


def test_shift_scales_corpus_differences():
    """Same speaker, same emotion: corpora e and S sound more alike at shift 0 than at shift 2."""
    spk = _speakers("S", 0)["DC"]
    gap = {s: np.linalg.norm(_mean_log_spectrum("e", s, spk) - _mean_log_spectrum("S", s, spk))
           for s in (0.0, 2.0)}
    assert gap[0.0] < 0.5 * gap[2.0]
    with pytest.raises(ValueError, match="scale must be > 0"):
        synthetic_root("B", scale=0)


def test_open_set_pair_on_synthetic_data():
    src = load_corpus("B", scale=SCALE, progress=False)
    tgt = load_corpus("C", scale=SCALE, progress=False)
    split = open_set_split(src, tgt)
    assert split.describe().loc["unknown", "target"] == len(tgt) - 3 * round(200 * SCALE)
    audio = load_waveforms(src, progress=False)
    x = audio.fixed(3.0, rows=split.source["row"])
    assert x.shape == (len(split.source), 48000) and np.isfinite(x).all()
