"""ComParE features (openSMILE) with their cache, and the [0, 1] scaling of SATNMF §2.1."""
import numpy as np
import pandas as pd
import pytest

import stienet.features as features
from stienet.features import COMPARE_DIM, compare_features, minmax_scale


def test_compare_features_and_cache_hit(tmp_path, tone, monkeypatch):
    paths = [tone(tmp_path / f"a{i}.wav", seconds=0.8, freq=180.0 + 40 * i) for i in range(2)]
    table = pd.DataFrame({"path": [str(p) for p in paths], "corpus": "X", "speaker": "s1",
                          "emotion": "anger"})
    first = compare_features(table, progress=False)
    assert first.values.shape == (2, COMPARE_DIM) == (2, 6373)
    assert np.isfinite(first.values).all() and len(first.names) == COMPARE_DIM
    assert not np.allclose(first.values[0], first.values[1])

    def boom():
        raise AssertionError("openSMILE ran again although the cache holds the features")
    monkeypatch.setattr(features, "_smile", boom)
    second = compare_features(table, progress=False)
    assert np.array_equal(first.values, second.values)


def test_minmax_scale_per_speaker_and_per_corpus():
    x = np.array([[1.0, 5.0], [3.0, 5.0], [10.0, 0.0], [20.0, 1.0]])
    speakers = np.array(["a", "a", "b", "b"])
    per_speaker = minmax_scale(x, speakers)
    assert np.allclose(per_speaker, [[0, 0], [1, 0], [0, 0], [1, 1]])   # constant feature -> 0
    per_corpus = minmax_scale(x)
    assert per_corpus.min() == 0 and per_corpus.max() == 1
    assert np.allclose(per_corpus[:, 0], (x[:, 0] - 1) / 19)
    with pytest.raises(ValueError, match="non-finite"):
        minmax_scale(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="groups has 1 entries"):
        minmax_scale(x, ["a"])
