"""Fixed-length crops and padding."""
import numpy as np
import pandas as pd
import pytest

from stienet.data import Waveforms


def _waves():
    clips = [np.arange(10, dtype=np.float32), np.arange(100, 104, dtype=np.float32)]
    lengths = np.array([10, 4])
    return Waveforms(pd.DataFrame({"path": ["a", "b"]}), np.concatenate(clips),
                     np.array([0, 10]), lengths, sr=2)


def test_center_crop_and_pad():
    w = _waves()
    x = w.fixed(seconds=3, crop="center")  # 6 samples
    assert x.shape == (2, 6) and x.dtype == np.float32
    assert list(x[0]) == [2, 3, 4, 5, 6, 7]
    assert list(x[1]) == [100, 101, 102, 103, 0, 0]


def test_random_crop_is_seeded_and_in_range():
    w = _waves()
    a = w.fixed(3, crop="random", rows=[0] * 50, rng=np.random.default_rng(1))
    b = w.fixed(3, crop="random", rows=[0] * 50, rng=np.random.default_rng(1))
    assert (a == b).all()
    starts = a[:, 0]
    assert starts.min() >= 0 and starts.max() <= 4 and len(set(starts)) > 1
    assert (np.diff(a, axis=1) == 1).all()


def test_bad_crop():
    with pytest.raises(ValueError, match="needs an rng"):
        _waves().fixed(3, crop="random")
    with pytest.raises(ValueError, match="'center' or 'random'"):
        _waves().fixed(3, crop="middle")
