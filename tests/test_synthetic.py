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


def _anger_sadness_stats():
    """(mean RMS, mean YIN median F0) of anger and sadness over B's male speakers."""
    import librosa
    stats = {}
    for emo in ("anger", "sadness"):
        rms, f0 = [], []
        males = [v for k, v in _speakers("B", 0).items() if CORPORA["B"].speakers[k] == "m"]
        for i, spk in enumerate(2 * males):  # (male: angry F0 stays inside YIN's 60-500 Hz)
            y, sr = synthesize("B", emo, spk, np.random.default_rng(i))
            rms.append(np.sqrt(np.mean(y ** 2)))
            f = librosa.yin(y, fmin=60, fmax=500, sr=sr, frame_length=1024)
            f0.append(np.median(f))
        stats[emo] = (np.mean(rms), np.mean(f0))
    return stats


def test_emotions_differ_in_the_expected_directions():
    """High arousal (anger) louder than low arousal (sadness), over the corpus's speakers
    (single actors may deviate: generator v2 gives each actor their own version)."""
    stats = _anger_sadness_stats()
    assert stats["anger"][0] > 2 * stats["sadness"][0]


@pytest.mark.xfail(reason="generator v3 (issue #12): B's corpus deltas (draw 83) lower anger's F0 "
                          "level by 2.7 st and raise sadness's by 3.8 st (6.4 of the designed "
                          "8.4 st between them); median F0 of the angry clips = sad ones (YIN)",
                   strict=True)
def test_anger_higher_pitched_than_sadness():
    stats = _anger_sadness_stats()
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


# --- difficulty (issue #12) -----------------------------------------------------------------
CALIBRATION_SCALE = 0.15
#: Loose bounds on the UAR (%) of ComParE + per-speaker [0, 1] + linear SVM at
#: CALIBRATION_SCALE, corpus seed 0 (benchmarks/calibrate_standins.py at full size has the
#: real targets). Upper bounds catch a generator that became easy again: version 1 scored
#: within C 83, B→C 66, C→B 97, B2C 87 here (version 2: within B 59, within C 44, B→C 29,
#: C→B 45, B2C 32; version 3: within B 66, within C 44, B→C 51, C→B 49, B2C 43 — one seed of
#: small corpora moves these by 10 points and more); lower bounds catch one that lost its
#: emotion signal. ~20 s.
DIFFICULTY = {
    "within B": (35.0, 85.0),   # 7 classes, chance 14; real EmoDB 79 (full size)
    "within C": (28.0, 70.0),   # 6 classes, chance 17; real CASIA 51
    "B→C": (None, 65.0),        # 3 classes, chance 33; real 47 (may be near chance: no floor)
    "C→B": (None, 70.0),        # 3 classes; real 44
    "B2C": (None, 60.0),        # 5 classes, chance 20; SATNMF Table 3 SVM 32.9
}


#: The within_uar tests check the function, not the calibration: a smaller corpus is enough.
FUNCTION_SCALE = 0.06


def _calibration_module():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).parents[1] / "benchmarks" / "calibrate_standins.py"
    spec = importlib.util.spec_from_file_location("calibrate_standins", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow   # over 10 s: an end-to-end run
def test_standins_are_about_as_hard_as_real_speech():
    """The calibration of the stand-ins (small scale, one seed, loose bounds): the project's
    closed-set SVM pipeline must neither find them easy nor find no emotion in them."""
    measured = _calibration_module().measure(CALIBRATION_SCALE, [0], only=list(DIFFICULTY))
    measured = measured.set_index("setting")["UAR"]
    outside = {k: (measured[k], (low, high)) for k, (low, high) in DIFFICULTY.items()
               if not (low or 0.0) <= measured[k] <= high}
    assert not outside, f"UAR % outside (low, high) at scale {CALIBRATION_SCALE}: {outside}"


def test_within_uar_on_a_subset_of_classes():
    """``within_uar(classes=...)`` (used by benchmarks/shift_within.py): naming every emotion of
    the corpus gives the unrestricted number, a subset scores only those clips (3 labels), and
    an emotion the corpus does not have is refused."""
    module = _calibration_module()
    from stienet.data.specs import KNOWN_CLASSES
    from stienet.data import load_corpus
    emotions = sorted(set(load_corpus("B", seed=0, scale=FUNCTION_SCALE, progress=False)["emotion"]))
    full = module.within_uar("B", 0, FUNCTION_SCALE)
    assert module.within_uar("B", 0, FUNCTION_SCALE, classes=emotions) == pytest.approx(full)
    known = module.within_uar("B", 0, FUNCTION_SCALE, classes=KNOWN_CLASSES)
    assert 0.0 <= known <= 100.0 and known != pytest.approx(full)
    with pytest.raises(ValueError, match="no clips of"):
        module.within_uar("B", 0, FUNCTION_SCALE, classes=("anger", "contempt"))


def test_within_uar_on_a_group_of_features():
    """``within_uar(features=...)`` (the cue table of benchmarks/shift_within.py): a pattern that
    matches every ComParE name gives the unrestricted number, one group gives another, a pattern
    that matches nothing is refused; the cue groups each match some functionals and no two
    groups share one."""
    import re
    import sys
    from pathlib import Path

    from stienet.data import load_corpus
    from stienet.features import compare_features

    module = _calibration_module()
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    try:
        from shift_within import CUE_GROUPS
    finally:
        sys.path.pop(0)
    full = module.within_uar("B", 0, FUNCTION_SCALE)
    assert module.within_uar("B", 0, FUNCTION_SCALE, features=".") == pytest.approx(full)
    f0 = module.within_uar("B", 0, FUNCTION_SCALE, features=CUE_GROUPS["F0"])
    assert 0.0 <= f0 <= 100.0 and f0 != pytest.approx(full)
    with pytest.raises(ValueError, match="no ComParE feature name matches"):
        module.within_uar("B", 0, FUNCTION_SCALE, features="no-such-descriptor")
    names = compare_features(load_corpus("B", seed=0, scale=FUNCTION_SCALE, progress=False),
                             progress=False).names
    hits = {g: {n for n in names if re.search(p, n)} for g, p in CUE_GROUPS.items()}
    assert all(hits.values()), {g: len(h) for g, h in hits.items()}
    groups = list(hits)
    for i, a in enumerate(groups):
        for b in groups[i + 1:]:
            assert not hits[a] & hits[b], (a, b, sorted(hits[a] & hits[b])[:3])


def test_confusion_lever():
    """The structured-disagreement lever (``confuse``, 0 in generator v2): every corpus has its own
    confusion partner for every emotion, and ``confuse = c`` moves the corpus's profile exactly
    ``c`` of the way towards it (``shift`` scales the share, 0 = the literature profile)."""
    import dataclasses

    from stienet.data import synthetic as syn
    from stienet.data.specs import EMOTIONS

    for e in EMOTIONS:
        partners = [syn.confusion_partner(code, e) for code in syn.CONFUSION_STEP]
        assert e not in partners and len(set(partners)) == len(partners)
    assert all(style.confuse == 0.0 for style in syn.CORPUS_STYLES.values())  # v2: lever unused
    assert np.array_equal(syn.corpus_profile("B", "anger"), syn._profile("anger"))
    original = syn.CORPUS_STYLES["B"]
    try:
        syn.CORPUS_STYLES["B"] = dataclasses.replace(original, confuse=0.4)
        partner = syn._profile(syn.confusion_partner("B", "anger"))
        expected = 0.6 * syn._profile("anger") + 0.4 * partner
        assert np.allclose(syn.corpus_profile("B", "anger"), expected)
        assert np.allclose(syn.corpus_profile("B", "anger", shift=0.5),
                           0.8 * syn._profile("anger") + 0.2 * partner)
        assert np.array_equal(syn.corpus_profile("B", "anger", shift=0.0), syn._profile("anger"))
    finally:
        syn.CORPUS_STYLES["B"] = original


def test_delta_draw(monkeypatch):
    """``CorpusStyle.draw`` picks which random draw of a corpus's deltas it gets: draw 0 is the
    code-seeded draw of generator version 2, another draw is a different but deterministic
    sample of the same size (same ``disagree``)."""
    import dataclasses
    import hashlib

    from stienet.data import synthetic as syn

    monkeypatch.setitem(syn.CORPUS_STYLES, "e", dataclasses.replace(syn.CORPUS_STYLES["e"], draw=0))
    v2 = np.random.default_rng(int(hashlib.sha1(b"e").hexdigest()[:8], 16))
    size = syn.CORPUS_STYLES["e"].disagree
    expected = {e: v2.normal(size=9) * syn.PROFILE_UNIT * size for e in syn.EMOTION_PROFILES}
    got = syn._expression_deltas("e")
    assert all(np.array_equal(got[e], expected[e]) for e in expected)
    # pinned from generator version 2 (commit 090af27), independent of the formula above
    assert np.allclose(got["anger"][:3], [-3.0911458814381447, 3.051687450989198,
                                          0.6457710920645932], rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="integer >= 0"):
        monkeypatch.setitem(syn.CORPUS_STYLES, "e",
                            dataclasses.replace(syn.CORPUS_STYLES["e"], draw=-1))
        syn._expression_deltas("e")
    monkeypatch.setitem(syn.CORPUS_STYLES, "e", dataclasses.replace(syn.CORPUS_STYLES["e"], draw=7))
    assert syn.CORPUS_STYLES["e"].disagree == size
    other, again = syn._expression_deltas("e"), syn._expression_deltas("e")
    assert all(np.array_equal(other[e], again[e]) for e in other)
    assert not np.allclose(other["anger"], expected["anger"])
    pooled = np.concatenate([other[e] / (syn.PROFILE_UNIT * size) for e in other])
    assert 0.6 < pooled.std() < 1.4   # same size of disagreement, another direction


def test_calibration_proxy_follows_the_levers(monkeypatch):
    """benchmarks/calibration_proxy.py: bad ``--set`` input is refused with the expected format,
    and the proxy sees the disagreement lever — when B plays every emotion fully as its
    confusion partner, a C-trained classifier transfers to B far worse."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "calibration_proxy.py"
    spec = importlib.util.spec_from_file_location("calibration_proxy", path)
    proxy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(proxy)
    from stienet.data import synthetic as syn

    with pytest.raises(SystemExit, match="CODE.field=value"):
        proxy.apply(["B.confuse"])
    classes = ("anger", "fear", "happiness")
    before = proxy.cross_uar("C", "B", classes, seeds=(0,), per_class=120)
    monkeypatch.setitem(syn.CORPUS_STYLES, "B", syn.CORPUS_STYLES["B"])
    proxy.apply(["B.confuse=1"])
    after = proxy.cross_uar("C", "B", classes, seeds=(0,), per_class=120)
    assert before > 45.0 and after < before - 10.0, (before, after)


def test_draw_scan_and_row_names(capsys):
    """calibration_proxy.scan_draws measures the rows a corpus takes part in for each draw and
    leaves the corpus's style as it was; calibrate_standins refuses a row name it does not have
    (a misspelt --only used to measure nothing for it, silently)."""
    import importlib.util
    from pathlib import Path

    from stienet.data import synthetic as syn

    path = Path(__file__).parents[1] / "benchmarks" / "calibration_proxy.py"
    spec = importlib.util.spec_from_file_location("calibration_proxy", path)
    proxy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(proxy)
    assert proxy.rows_of("e") == ["e2E", "C2e", "within e"]
    before = syn.CORPUS_STYLES["S"]
    table = proxy.scan_draws("S", [before.draw, before.draw + 1], seeds=(0,))
    assert syn.CORPUS_STYLES["S"] is before and list(table.columns) == ["within S"]
    assert table.loc[before.draw, "within S"] == proxy.row_uar("within S", seeds=(0,))
    assert table["within S"].nunique() == 2          # another draw, another corpus
    with pytest.raises(SystemExit):
        _calibration_module().main(["--only", "within_e", "--out", ""])
    assert "--only expects settings of the table" in capsys.readouterr().err


def test_every_corpus_style_has_a_confusion_partner():
    from stienet.data import synthetic as syn

    assert set(syn.CONFUSION_STEP) == set(syn.CORPUS_STYLES)
