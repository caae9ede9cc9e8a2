"""Open-set and closed-set protocols: counts, labels, oversampling, errors."""
import pandas as pd
import pytest

from stienet.data import closed_set_split, open_set_split


def _table(corpus, counts):
    rows = [{"path": f"/{corpus}/{e}{i}.wav", "emotion": e, "speaker": f"s{i % 2}", "corpus": corpus}
            for e, n in counts.items() for i in range(n)]
    return pd.DataFrame(rows)


SRC = _table("B", {"anger": 10, "fear": 4, "happiness": 7, "boredom": 5, "sadness": 3})
TGT = _table("C", {"anger": 6, "fear": 6, "happiness": 6, "surprise": 6, "sadness": 6, "neutral": 6})


def test_open_set_counts_and_labels():
    split = open_set_split(SRC, TGT)
    d = split.describe()
    assert list(d["source"]) == [10, 10, 10, 0, 30]       # balanced to the largest known class
    assert list(d["target"]) == [6, 6, 6, 18, 36]          # all target samples, 3 unknown classes
    assert split.label_names == ("anger", "fear", "happiness", "unknown")
    # oversampling repeats real rows of the right class; target is not duplicated
    src = split.source
    assert (SRC.loc[src["row"], "emotion"].to_numpy() == src["emotion"].to_numpy()).all()
    assert src[src.label == 1]["row"].nunique() == 4
    assert split.target["row"].is_unique and len(split.target) == len(TGT)
    # each original fear sample appears 2 or 3 times (no sample left out while others triple)
    reps = src[src.label == 1]["row"].value_counts()
    assert set(reps) <= {2, 3}


def test_open_set_oversampling_is_seeded():
    a = open_set_split(SRC, TGT, seed=3).source["row"].tolist()
    b = open_set_split(SRC, TGT, seed=3).source["row"].tolist()
    c = open_set_split(SRC, TGT, seed=4).source["row"].tolist()
    assert a == b and a != c


def test_open_set_without_balance_and_custom_known():
    split = open_set_split(SRC, TGT, known=("anger", "sadness"), balance=False)
    assert list(split.describe()["source"]) == [10, 3, 0, 13]
    assert list(split.describe()["target"]) == [6, 6, 24, 36]


def test_closed_set_scheme():
    with pytest.raises(ValueError, match="neutral have zero samples in the source"):
        closed_set_split(SRC, TGT, "B2C")
    src = _table("B", {"anger": 3, "fear": 2, "happiness": 2, "neutral": 4, "sadness": 1, "boredom": 9})
    split = closed_set_split(src, TGT, "B2C")
    assert split.classes == ("anger", "fear", "happiness", "neutral", "sadness")
    assert list(split.describe()["source"]) == [3, 2, 2, 4, 1, 12]
    assert list(split.describe()["target"]) == [6, 6, 6, 6, 6, 30]


def test_ravdess_schemes_use_the_five_classes_of_b2c():
    src = _table("B", {"anger": 3, "fear": 2, "happiness": 2, "neutral": 4, "sadness": 1, "boredom": 9})
    tgt = _table("ravdess", {"anger": 2, "fear": 2, "happiness": 2, "neutral": 2, "sadness": 2, "calm": 5})
    split = closed_set_split(src, tgt, "B2R")
    assert split.classes == closed_set_split(src, TGT, "B2C").classes
    assert list(split.describe()["target"]) == [2, 2, 2, 2, 2, 10]     # calm dropped


def test_closed_set_intersection():
    split = closed_set_split(SRC, TGT)
    assert split.classes == ("anger", "fear", "happiness", "sadness")
    assert list(split.describe()["source"]) == [10, 4, 7, 3, 24]
    assert list(split.describe()["target"]) == [6, 6, 6, 6, 24]
    assert not split.open_set and "unknown" not in split.label_names


def test_protocol_errors():
    with pytest.raises(ValueError, match="same corpus"):
        open_set_split(SRC, SRC)
    with pytest.raises(ValueError, match="have zero samples in the target"):
        open_set_split(SRC, TGT[~TGT.emotion.isin(["anger", "fear", "happiness"])])
    with pytest.raises(ValueError, match="unknown scheme"):
        closed_set_split(SRC, TGT, "B2X")
    with pytest.raises(ValueError, match="share no emotion"):
        closed_set_split(_table("B", {"boredom": 2}), _table("C", {"surprise": 2}))


def test_open_set_target_without_a_known_class_is_allowed_and_said():
    """A target without fear: fear keeps its label in the source, no target clip carries it,
    and the warning names the missing class."""
    with pytest.warns(UserWarning, match="has no fear clips"):
        split = open_set_split(SRC, TGT[TGT.emotion != "fear"])
    assert split.label_names == ("anger", "fear", "happiness", "unknown")
    assert (split.source["label"] == 1).sum() > 0
    assert (split.target["label"] == 1).sum() == 0
    assert set(split.target["label"]) == {0, 2, 3}
