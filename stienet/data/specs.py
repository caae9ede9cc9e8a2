"""Corpus specifications: codes, label sets, speakers and sizes of the real corpora.

The numbers here describe the *real* corpora (as published); the synthetic stand-ins in
:mod:`stienet.data.synthetic` copy them so that a synthetic run has the same shape as a real one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Canonical emotion names used everywhere in the package (labels of every corpus map to these).
EMOTIONS: tuple[str, ...] = (
    "anger", "boredom", "disgust", "fear", "happiness", "neutral", "sadness", "surprise",
)


@dataclass(frozen=True)
class CorpusSpec:
    """What is known of one real corpus.

    Attributes
    ----------
    code : str
        The papers' one-letter code (case-sensitive: ``e`` is eNTERFACE'05, ``E`` is Estonian).
    name : str
        The corpus's name ("Berlin EmoDB", …).
    language : str
        The language spoken in it.
    labels : dict[str, str]
        Corpus label (file-name code or folder name) -> canonical emotion.
    class_counts : dict[str, int]
        Samples per canonical emotion in the real corpus.
    speakers : dict[str, str]
        Speaker id -> sex (``"m"``/``"f"``) in the real corpus.
    native_sr : int
        Sample rate of the distributed audio (Hz).
    layout : str
        Human-readable description of the on-disk layout the loader reads.
    """

    code: str
    name: str
    language: str
    labels: dict[str, str]
    class_counts: dict[str, int]
    speakers: dict[str, str]
    native_sr: int
    layout: str
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def emotions(self) -> tuple[str, ...]:
        """Canonical emotions of this corpus, in :data:`EMOTIONS` order."""
        return tuple(e for e in EMOTIONS if e in self.class_counts)

    @property
    def n_samples(self) -> int:
        return sum(self.class_counts.values())


_EMODB_SPEAKERS = {"03": "m", "08": "f", "09": "f", "10": "m", "11": "m",
                   "12": "m", "13": "f", "14": "f", "15": "m", "16": "f"}
# eNTERFACE'05: 42 subjects (s1..s44 without s6 and s23 here), about 81 % male.
_ENTERFACE_SPEAKERS = {f"s{i}": ("f" if i % 5 == 0 else "m")
                       for i in range(1, 45) if i not in (6, 23)}

CORPORA: dict[str, CorpusSpec] = {
    "B": CorpusSpec(
        code="B", name="Berlin EmoDB", language="German",
        labels={"W": "anger", "L": "boredom", "E": "disgust", "A": "fear",
                "F": "happiness", "T": "sadness", "N": "neutral"},
        class_counts={"anger": 127, "boredom": 81, "disgust": 46, "fear": 69,
                      "happiness": 71, "neutral": 79, "sadness": 62},
        speakers=_EMODB_SPEAKERS, native_sr=16000,
        layout="*/03a01Fa.wav: speaker = characters 1-2, emotion = character 6 (W L E A F T N)",
    ),
    "C": CorpusSpec(
        code="C", name="CASIA", language="Chinese (Mandarin)",
        labels={"angry": "anger", "fear": "fear", "happy": "happiness",
                "neutral": "neutral", "sad": "sadness", "surprise": "surprise"},
        class_counts={e: 200 for e in ("anger", "fear", "happiness", "neutral", "sadness", "surprise")},
        speakers={"liuchanhg": "f", "wangzhe": "m", "zhaoquanyin": "f", "ZhaoZuoxiang": "m"},
        native_sr=16000,
        layout="<speaker>/<emotion folder>/<NNN>.wav, folders angry fear happy neutral sad surprise",
        notes="1200 public utterances (SATNMF Table 1); STIENet Table 1 lists 900.",
    ),
    "e": CorpusSpec(
        code="e", name="eNTERFACE'05", language="English",
        labels={"an": "anger", "di": "disgust", "fe": "fear", "ha": "happiness",
                "sa": "sadness", "su": "surprise"},
        class_counts={"anger": 210, "disgust": 210, "fear": 210, "happiness": 207,
                      "sadness": 210, "surprise": 210},
        speakers=_ENTERFACE_SPEAKERS, native_sr=48000,
        layout="s<subject>_<code>_<sentence>.wav anywhere below the root, codes an di fe ha sa su",
        notes="The corpus ships .avi video; extract mono 16 kHz wav first (see the README).",
    ),
    "S": CorpusSpec(
        code="S", name="SAVEE", language="English (British)",
        labels={"a": "anger", "d": "disgust", "f": "fear", "h": "happiness",
                "n": "neutral", "sa": "sadness", "su": "surprise"},
        class_counts={"anger": 60, "disgust": 60, "fear": 60, "happiness": 60,
                      "neutral": 120, "sadness": 60, "surprise": 60},
        speakers={"DC": "m", "JE": "m", "JK": "m", "KL": "m"}, native_sr=44100,
        layout="AudioData/<speaker>/<code><NN>.wav or flat <speaker>_<code><NN>.wav, codes a d f h n sa su",
    ),
    "E": CorpusSpec(
        code="E", name="Estonian EEKK", language="Estonian",
        labels={"anger": "anger", "joy": "happiness", "happiness": "happiness",
                "sadness": "sadness", "neutral": "neutral"},
        class_counts={"anger": 291, "happiness": 291, "neutral": 291, "sadness": 291},
        speakers={"F1": "f", "F2": "f", "M1": "m", "M2": "m"}, native_sr=44100,
        layout="a manifest CSV (columns path, emotion, speaker) at the root",
        notes="1164 utterances, 4 emotions (SATNMF Table 1); read through a manifest.",
    ),
}

#: Codes accepted by :func:`stienet.data.load_corpus` (``manifest`` reads any CSV-described corpus).
CORPUS_CODES: tuple[str, ...] = tuple(CORPORA) + ("manifest",)

#: Default known classes of the open-set protocol (STIENet §4.1).
KNOWN_CLASSES: tuple[str, ...] = ("anger", "fear", "happiness")

#: Closed-set schemes of SATNMF Table 2: name -> (source, target, classes).
SCHEMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "e2E": ("e", "E", ("anger", "happiness", "sadness")),
    "E2B": ("E", "B", ("anger", "happiness", "neutral", "sadness")),
    "B2C": ("B", "C", ("anger", "fear", "happiness", "neutral", "sadness")),
    "C2e": ("C", "e", ("anger", "fear", "happiness", "sadness", "surprise")),
}


#: The five classes of B2C, for the schemes beyond the paper on RAVDESS ("R").
FIVE_CLASSES: tuple[str, ...] = ("anger", "fear", "happiness", "neutral", "sadness")
#: Closed-set schemes beyond SATNMF's Table 2, on RAVDESS: name -> (source, target, classes).
#: ``"ravdess"`` stands for the manifest ``<data-root>/ravdess/manifest.csv``
#: (:func:`scheme_corpora`), the layout that ``shared/realdata/unpack.sh`` writes.
R_SCHEMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "B2R": ("B", "ravdess", FIVE_CLASSES), "R2B": ("ravdess", "B", FIVE_CLASSES),
    "C2R": ("C", "ravdess", FIVE_CLASSES), "R2C": ("ravdess", "C", FIVE_CLASSES),
}
ALL_SCHEMES = {**SCHEMES, **R_SCHEMES}


def scheme_corpora(scheme: str, data_root=None) -> tuple[str, str, tuple[str, ...]]:
    """(source, target, classes) of a closed-set scheme (:data:`SCHEMES`, :data:`R_SCHEMES`),
    with RAVDESS resolved to ``<data-root>/ravdess/manifest.csv`` (data root: the argument or
    ``$STIENET_DATA``); a missing manifest is an error that says where it was looked for."""
    import os
    from pathlib import Path

    if scheme not in ALL_SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; schemes are {', '.join(ALL_SCHEMES)}")
    src, tgt, classes = ALL_SCHEMES[scheme]
    if "ravdess" in (src, tgt):
        root = data_root or os.environ.get("STIENET_DATA")
        manifest = Path(root).expanduser() / "ravdess" / "manifest.csv" if root else None
        if manifest is None or not manifest.is_file():
            raise ValueError(f"scheme {scheme} reads RAVDESS from <data-root>/ravdess/manifest.csv"
                             + (f"; there is no {manifest}" if manifest else "; give --data-root"))
        src, tgt = (str(manifest) if c == "ravdess" else c for c in (src, tgt))
    return src, tgt, classes


def get_spec(code: str) -> CorpusSpec:
    """Return the :class:`CorpusSpec` of ``code``; unknown codes raise and list the valid ones."""
    if code not in CORPORA:
        raise ValueError(
            f"unknown corpus code {code!r}; valid codes are {', '.join(CORPUS_CODES)} "
            "(case-sensitive: 'e' = eNTERFACE'05, 'E' = Estonian)")
    return CORPORA[code]


# --- corpus arguments: a code, or a manifest CSV path ------------------------------------------
# Light on purpose (no numpy/pandas): the command line checks its arguments with these before it
# imports anything heavy.

def manifest_path(spec: str):
    """The manifest CSV a corpus argument names, or ``None`` when ``spec`` is a corpus code.

    A path ending in ``.csv``, or an existing folder holding ``manifest.csv``, names a manifest
    (columns ``path, emotion, speaker``; :func:`stienet.data.layouts.scan_manifest`). The file
    need not exist: :func:`check_corpus_arg` says so when it does not.
    """
    from pathlib import Path

    spec = str(spec)
    if spec in CORPORA:
        return None
    path = Path(spec).expanduser()
    if path.suffix.lower() == ".csv":
        return path
    try:
        if path.is_dir() and (path / "manifest.csv").is_file():
            return path / "manifest.csv"
    except OSError:          # not a path this system can hold (too long, bad bytes)
        pass
    return None


def corpus_name(spec: str) -> str:
    """Short name of a corpus argument, for tables and file names: the code itself, or the
    manifest's file stem (its folder's name when the file is ``manifest.csv``)."""
    path = manifest_path(spec)
    if path is None:
        return str(spec)
    return path.parent.name if path.stem == "manifest" and path.parent.name else path.stem


def check_corpus_arg(spec: str, role: str = "corpus") -> str:
    """Check a ``--source``/``--target`` value: a code of :data:`CORPORA` or a manifest CSV
    (see :func:`manifest_path`) that exists. Returns ``spec``; raises ``ValueError`` with a
    message meant for the command line."""
    path = manifest_path(spec)
    if path is None:
        if spec in CORPORA:
            return spec
        close = [c for c in CORPORA if c.lower() == str(spec).lower()]
        hint = f" (did you mean {close[0]!r}? codes are case-sensitive)" if close else ""
        raise ValueError(
            f"{role} {spec!r} is neither a corpus code nor a manifest CSV{hint}; codes: "
            + ", ".join(f"{c} = {s.name}" for c, s in CORPORA.items())
            + "; or give a path to a CSV with columns path, emotion, speaker")
    if not path.is_file():
        raise ValueError(f"{role} manifest {path} does not exist")
    return spec
