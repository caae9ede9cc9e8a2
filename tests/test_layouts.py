"""Each real corpus layout read from a small fixture tree made here (with stray files)."""
from __future__ import annotations

import warnings

import pytest

from conftest import truncate, write_tone
from stienet.data import LayoutError, UnknownLabelError, load_corpus, load_waveforms
from stienet.data.layouts import ExtraLabelWarning


def _strays(root):
    (root / "notes.txt").write_text("x")
    (root / "desktop.ini").write_text("x")
    (root / "lab").mkdir(parents=True, exist_ok=True)
    (root / "lab" / "03a01Wa.lab").write_text("x")


def test_emodb_layout(tmp_path):
    root = tmp_path / "emodb"
    write_tone(root / "wav" / "03a01Wa.wav")
    write_tone(root / "wav" / "08b02Tc.wav", sr=22050)
    write_tone(root / "wav" / "16a05Nb.wav", sr=48000, channels=2)
    _strays(root)
    t = load_corpus("B", root)
    assert list(t["emotion"]) == ["anger", "sadness", "neutral"]
    assert list(t["speaker"]) == ["03", "08", "16"]
    assert set(t["corpus"]) == {"B"} and set(t["data"]) == {"real"}


def test_casia_layout(tmp_path):
    root = tmp_path / "casia"
    for spk in ("liuchanhg", "wangzhe"):
        for folder in ("angry", "happy", "surprise"):
            write_tone(root / spk / folder / "201.wav")
    _strays(root)
    t = load_corpus("C", root)
    assert len(t) == 6
    assert sorted(set(t["emotion"])) == ["anger", "happiness", "surprise"]
    assert sorted(set(t["speaker"])) == ["liuchanhg", "wangzhe"]


def test_enterface_layout_and_avi_only(tmp_path):
    root = tmp_path / "enterface"
    write_tone(root / "subject 1" / "anger" / "sentence 1" / "s1_an_1.wav", sr=48000)
    write_tone(root / "subject 12" / "fear" / "sentence 3" / "s12_fe_3.wav", sr=48000, channels=2)
    t = load_corpus("e", root)
    assert list(t["emotion"]) == ["anger", "fear"]
    assert list(t["speaker"]) == ["s1", "s12"]

    video = tmp_path / "videos"
    (video / "subject 1").mkdir(parents=True)
    (video / "subject 1" / "s1_an_1.avi").write_bytes(b"\0")
    with pytest.raises(LayoutError, match="ffmpeg"):
        load_corpus("e", video)


def test_savee_nested_and_flat(tmp_path):
    nested = tmp_path / "savee"
    write_tone(nested / "AudioData" / "DC" / "a01.wav", sr=44100)
    write_tone(nested / "AudioData" / "KL" / "sa15.wav", sr=44100)
    write_tone(nested / "AudioData" / "JE" / "n30.wav", sr=44100)
    _strays(nested)
    t = load_corpus("S", nested)
    assert list(t["emotion"]) == ["anger", "neutral", "sadness"]
    assert list(t["speaker"]) == ["DC", "JE", "KL"]

    flat = tmp_path / "flat"
    write_tone(flat / "JK_su03.wav", sr=44100)
    write_tone(flat / "DC_h12.wav", sr=44100)
    t = load_corpus("S", flat)
    assert list(t["emotion"]) == ["happiness", "surprise"]
    assert list(t["speaker"]) == ["DC", "JK"]


def test_manifest(tmp_path):
    root = tmp_path / "ravdess"
    write_tone(root / "a" / "x1.wav")
    write_tone(root / "b" / "x2.wav", sr=22050)
    (root / "manifest.csv").write_text("path,emotion,speaker\na/x1.wav,angry,01\nb/x2.wav,Sadness,02\n")
    t = load_corpus("manifest", root / "manifest.csv")
    assert list(t["emotion"]) == ["anger", "sadness"] and set(t["corpus"]) == {"ravdess"}  # the folder names a manifest.csv
    (root / "bad.csv").write_text("file,emotion\n")
    with pytest.raises(LayoutError, match="path, speaker"):
        load_corpus("manifest", root / "bad.csv")


def _ravdess_like(root):
    """Four clips: anger, fear, happiness and two ``calm`` (RAVDESS's own emotion)."""
    rows = [("a/x1.wav", "angry", "01"), ("a/x2.wav", "fearful", "01"), ("b/x3.wav", "happy", "02"),
            ("b/x4.wav", "calm", "02"), ("b/x5.wav", "Calm", "02")]
    for path, _, _ in rows:
        write_tone(root / path)
    (root / "manifest.csv").write_text("path,emotion,speaker\n"
                                       + "".join(f"{p},{e},{s}\n" for p, e, s in rows))
    return root


def test_manifest_keeps_its_own_labels(tmp_path):
    """RAVDESS ``calm`` is its own class: not refused, not mapped onto neutral; one warning line
    names it with its count."""
    root = _ravdess_like(tmp_path / "ravdess")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = load_corpus("manifest", root)
    assert list(t["emotion"]) == ["anger", "fear", "happiness", "calm", "calm"]
    assert list(t["label"]) == ["angry", "fearful", "happy", "calm", "Calm"]  # the raw label stays
    extra = [w for w in caught if issubclass(w.category, ExtraLabelWarning)]
    assert len(extra) == 1 and "\n" not in str(extra[0].message)
    assert "calm (2 clips)" in str(extra[0].message) and "ravdess" in str(extra[0].message)


def test_own_label_is_unknown_in_open_set_and_dropped_in_closed_set(tmp_path):
    from stienet.data import closed_set_split, open_set_split

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        target = load_corpus("manifest", _ravdess_like(tmp_path / "ravdess"))
    source = target.assign(corpus="src", path=target["path"] + "#src")
    split = open_set_split(source, target)
    assert split.classes == ("anger", "fear", "happiness")
    calm = split.target["emotion"] == "calm"
    assert calm.sum() == 2 and (split.target.loc[calm, "label"] == 3).all()  # K = 3: "unknown"
    assert "calm" not in set(split.source["emotion"])
    closed = closed_set_split(source.drop(index=[3, 4]), target)  # the source has no calm
    assert closed.classes == ("anger", "fear", "happiness")
    assert "calm" not in set(closed.target["emotion"]) and len(closed.target) == 3


def test_manifest_empty_label_is_refused(tmp_path):
    root = tmp_path / "m"
    write_tone(root / "x1.wav")
    write_tone(root / "x2.wav")
    (root / "manifest.csv").write_text("path,emotion,speaker\nx1.wav,angry,01\nx2.wav, ,02\n")
    with pytest.raises(UnknownLabelError, match="line 3: empty emotion label for 'x2.wav'"):
        load_corpus("manifest", root)


def test_manifest_of_a_named_corpus_still_refuses_foreign_labels(tmp_path):
    """With a corpus code (eNTERFACE as a manifest), a label outside that corpus is a typo."""
    from stienet.data.layouts import scan_manifest

    root = tmp_path / "E"
    write_tone(root / "x1.wav")
    (root / "manifest.csv").write_text("path,emotion,speaker\nx1.wav,calm,01\n")
    with pytest.raises(UnknownLabelError, match="'calm'.*x1.wav"):
        scan_manifest(root, "E")


def test_unmapped_label_names_label_and_file(tmp_path):
    write_tone(tmp_path / "B" / "03a01Xa.wav")
    with pytest.raises(UnknownLabelError, match="'X'.*03a01Xa.wav"):
        load_corpus("B", tmp_path / "B")
    write_tone(tmp_path / "C" / "wangzhe" / "bored" / "201.wav")
    with pytest.raises(UnknownLabelError, match="'bored'"):
        load_corpus("C", tmp_path / "C")


def test_layout_not_recognized(tmp_path):
    write_tone(tmp_path / "x" / "hello.wav")
    write_tone(tmp_path / "x" / "world.wav")
    with pytest.raises(LayoutError, match=r"expected layout .*saw 2 audio file"):
        load_corpus("S", tmp_path / "x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "03a01Wa.lab").write_text("x")
    with pytest.raises(LayoutError, match="saw 0 audio file"):
        load_corpus("B", tmp_path / "empty")


def test_partial_mismatch_is_warned(tmp_path):
    write_tone(tmp_path / "emodb" / "03a01Wa.wav")
    write_tone(tmp_path / "emodb" / "readme_sample.wav")
    with pytest.warns(UserWarning, match="1 audio file.*do not follow"):
        t = load_corpus("B", tmp_path / "emodb")
    assert len(t) == 1


def test_bad_codes_and_roots(tmp_path):
    with pytest.raises(ValueError, match="valid codes are B, C, e, S, E, manifest"):
        load_corpus("X")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_corpus("B", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="expected one of: emodb"):
        load_corpus("B", data_root=tmp_path)
    with pytest.raises(ValueError, match="needs root"):
        load_corpus("manifest")


def test_data_root_keeps_e_and_E_apart(tmp_path):
    write_tone(tmp_path / "enterface" / "s3_ha_2.wav", sr=48000)
    write_tone(tmp_path / "emodb" / "09a01Fa.wav")
    t = load_corpus("e", data_root=tmp_path)
    assert list(t["emotion"]) == ["happiness"]
    with pytest.raises(FileNotFoundError, match="eekk"):
        load_corpus("E", data_root=tmp_path)


def test_decoding_resamples_mixes_and_skips_truncated(tmp_path):
    root = tmp_path / "emodb"
    write_tone(root / "03a01Wa.wav", sr=16000, seconds=1.0)
    write_tone(root / "03a01Wb.wav", sr=22050, seconds=1.0)
    write_tone(root / "03a01Wc.wav", sr=48000, seconds=1.0, channels=2, subtype="PCM_24")
    truncate(write_tone(root / "03a01Wd.wav", sr=16000, seconds=1.0))
    (root / "03a01We.wav").write_bytes(b"RIFF not really")
    table = load_corpus("B", root)
    assert len(table) == 5
    with pytest.warns(UserWarning, match=r"skipped 2 unreadable audio file\(s\) of 5.*03a01Wd.*truncated"):
        audio = load_waveforms(table, sr=16000)
    assert len(audio) == 3 and len(audio.table) == 3
    assert all(abs(n - 16000) <= 1 for n in audio.lengths)
    # the stereo file is averaged: channel gains 0.5 and 1.0 -> 0.75 of a 0.3 sine
    assert abs(abs(audio.clip(2)).max() - 0.225) < 0.01
    # second call comes from the cache and reports the same skip again (never silently)
    with pytest.warns(UserWarning, match="skipped 2"):
        again = load_waveforms(table, sr=16000)
    assert (again.flat == audio.flat).all()
    # a changed file invalidates the cache
    write_tone(root / "03a01Wa.wav", sr=16000, seconds=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        changed = load_waveforms(table, sr=16000)
    assert changed.lengths[0] == 32000
