"""Readers of the real on-disk layouts of each corpus (and of a generic manifest CSV).

Each ``scan_<code>`` walks a corpus root recursively, keeps audio files only (``.lab``, ``.txt``,
``desktop.ini`` and the like are ignored) and returns one record per utterance with its raw
corpus label, canonical emotion and speaker. Labels that a corpus does not define raise
:class:`UnknownLabelError` naming the label and file (a generic manifest keeps an emotion of its
own, such as RAVDESS ``calm``, as its own class); a root in which no file has the expected
layout raises :class:`LayoutError` saying which layout was expected and how many audio files
were seen.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from .specs import EMOTIONS, get_spec

AUDIO_EXTENSIONS = {".wav", ".flac"}

#: Labels accepted in manifests besides the canonical names.
MANIFEST_ALIASES = {
    "angry": "anger", "happy": "happiness", "joy": "happiness", "sad": "sadness",
    "bored": "boredom", "disgusted": "disgust", "fearful": "fear", "surprised": "surprise",
}


class LayoutError(ValueError):
    """The files under a root do not have the layout of the requested corpus."""


class UnknownLabelError(ValueError):
    """A file carries an emotion label that its corpus does not define (or an empty one)."""


def audio_files(root: Path) -> list[Path]:
    """All audio files below ``root`` (sorted, recursive), by extension."""
    return sorted(p for p in Path(root).rglob("*")
                  if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file())


def _map(code: str, label: str, path: Path) -> str:
    labels = get_spec(code).labels
    if label not in labels:
        raise UnknownLabelError(
            f"label {label!r} of {path} is not a {get_spec(code).name} emotion "
            f"(expected one of {', '.join(sorted(labels))})")
    return labels[label]


def _records(code: str, root: Path, match) -> list[dict]:
    """Apply ``match(path) -> (label, speaker) | None`` to every audio file; check the result."""
    files = audio_files(root)
    records, unmatched = [], []
    for path in files:
        m = match(path)
        if m is None:
            unmatched.append(path)
            continue
        label, speaker = m
        records.append({"path": str(path.resolve()), "label": label,
                        "emotion": _map(code, label, path), "speaker": speaker})
    spec = get_spec(code)
    if not records:
        raise LayoutError(
            f"no {spec.name} files found under {root}: expected layout {spec.layout}; "
            f"saw {len(files)} audio file(s) ({', '.join(p.name for p in files[:3])}"
            f"{', ...' if len(files) > 3 else ''})")
    if unmatched:
        warnings.warn(
            f"{len(unmatched)} audio file(s) under {root} do not follow the {spec.name} layout "
            f"and were skipped: {', '.join(str(p) for p in unmatched[:5])}"
            f"{' ...' if len(unmatched) > 5 else ''}", stacklevel=3)
    return records


_EMODB = re.compile(r"^(\d{2})([a-z]\d{2})([A-Z])([a-z]*)$")


def scan_B(root: Path) -> list[dict]:
    """Berlin EmoDB: ``*/03a01Fa.wav`` (speaker = chars 1-2, emotion = char 6)."""
    def match(p):
        m = _EMODB.match(p.stem)
        return (m.group(3), m.group(1)) if m else None
    return _records("B", root, match)


def scan_C(root: Path) -> list[dict]:
    """CASIA: ``<speaker>/<emotion folder>/<NNN>.wav``."""
    def match(p):
        if not p.stem.isdigit() or len(p.relative_to(root).parts) < 3:
            return None
        return p.parent.name, p.parent.parent.name
    return _records("C", root, match)


_ENTERFACE = re.compile(r"^s(\d+)_([a-z]+)_(\d+)$")


def scan_e(root: Path) -> list[dict]:
    """eNTERFACE'05: ``s<subject>_<code>_<sentence>.wav`` anywhere below the root."""
    if not audio_files(root) and any(root.rglob("*.avi")):
        n = sum(1 for _ in root.rglob("*.avi"))
        raise LayoutError(
            f"{root} holds {n} .avi file(s) but no audio: eNTERFACE'05 ships video. Extract mono "
            "16 kHz wav next to each video first, e.g.\n"
            "  find ROOT -name '*.avi' -exec sh -c "
            "'ffmpeg -loglevel error -i \"$1\" -vn -ac 1 -ar 16000 \"${1%.avi}.wav\"' _ {} \\;")

    def match(p):
        m = _ENTERFACE.match(p.stem)
        return (m.group(2), f"s{int(m.group(1))}") if m else None
    return _records("e", root, match)


_SAVEE = re.compile(r"^(?:([A-Z]{2})_)?([a-z]+)(\d{2})$")


def scan_S(root: Path) -> list[dict]:
    """SAVEE: ``AudioData/<speaker>/<code><NN>.wav`` or flat ``<speaker>_<code><NN>.wav``."""
    def match(p):
        m = _SAVEE.match(p.stem)
        if not m:
            return None
        speaker = m.group(1) or (p.parent.name if p.parent != root else None)
        return (m.group(2), speaker) if speaker else None
    return _records("S", root, match)


def scan_manifest(root: Path, code: str | None = None) -> list[dict]:
    """A corpus described by a CSV with columns ``path, emotion, speaker``.

    ``root`` is the CSV itself or a folder holding ``manifest.csv``; paths are relative to the
    CSV. Emotions are canonical names, common aliases (``angry``, ``happy``, ``joy``, ...),
    or, when ``code`` is given, that corpus's labels (anything else raises
    :class:`UnknownLabelError`). Without ``code``, any other non-empty label is kept as its own
    class (:func:`manifest_emotion`; one :class:`ExtraLabelWarning` names them). An
    empty label raises :class:`UnknownLabelError`.
    """
    csv = root if root.is_file() else root / "manifest.csv"
    if not csv.is_file():
        raise LayoutError(f"expected a manifest CSV (columns path, emotion, speaker) at {csv}")
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    missing = {"path", "emotion", "speaker"} - set(table.columns)
    if missing:
        raise LayoutError(f"manifest {csv} lacks column(s) {', '.join(sorted(missing))}; "
                          "expected path, emotion, speaker")
    aliases = dict(MANIFEST_ALIASES)
    if code is not None:
        aliases.update(get_spec(code).labels)
    records, absent, own = [], [], {}
    for line, row in enumerate(table.itertuples(index=False), start=2):
        path = (csv.parent / row.path).resolve()
        label = row.emotion.strip()
        if not label:
            raise UnknownLabelError(f"manifest {csv.name}, line {line}: empty emotion label for "
                                    f"{row.path!r}; every row needs an emotion")
        emotion = manifest_emotion(label, aliases)
        if code is not None and emotion not in EMOTIONS:
            raise UnknownLabelError(
                f"label {label!r} of {row.path!r} (manifest {csv.name}) is not a "
                f"{get_spec(code).name} emotion (expected one of "
                f"{', '.join(sorted(get_spec(code).labels))})")
        if emotion not in EMOTIONS:
            own[emotion] = own.get(emotion, 0) + 1
        if not path.is_file():
            absent.append(str(path))
            continue
        records.append({"path": str(path), "label": label, "emotion": emotion,
                        "speaker": row.speaker})
    if absent:
        warnings.warn(f"{len(absent)} file(s) listed in {csv} do not exist and were skipped: "
                      f"{', '.join(absent[:5])}{' ...' if len(absent) > 5 else ''}", stacklevel=2)
    if not records:
        raise LayoutError(f"manifest {csv} lists no existing audio file")
    if own:
        warnings.warn(
            f"manifest {_manifest_name(csv)}: kept as their own class{'es' if len(own) > 1 else ''}: "
            + ", ".join(f"{e} ({n} clips)" for e, n in sorted(own.items()))
            + " (unknown in the open-set protocol; dropped by a closed-set class intersection)",
            ExtraLabelWarning, stacklevel=2)
    return records


class ExtraLabelWarning(UserWarning):
    """A manifest names an emotion outside :data:`~stienet.data.specs.EMOTIONS` (kept as its own
    class)."""


def manifest_emotion(label: str, aliases: dict[str, str] = MANIFEST_ALIASES) -> str:
    """The emotion a manifest label names: a canonical name of
    :data:`~stienet.data.specs.EMOTIONS`, an alias (``angry`` -> ``anger``), or else the label
    itself in lower case, as a class of its own (RAVDESS ``calm``, ``contempt``, ...). A label
    is never mapped onto a different emotion than the one it names."""
    key = label.strip()
    if key.lower() in EMOTIONS:
        return key.lower()
    return aliases.get(key, aliases.get(key.lower(), key.lower()))


def _manifest_name(csv: Path) -> str:
    return csv.parent.name if csv.stem == "manifest" and csv.parent.name else csv.stem


SCANNERS = {"B": scan_B, "C": scan_C, "e": scan_e, "S": scan_S,
            "E": lambda root: scan_manifest(root, "E")}
