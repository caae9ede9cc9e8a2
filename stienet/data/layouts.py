"""Readers of the real on-disk layouts of each corpus (and of a generic manifest CSV).

Each ``scan_<code>`` walks a corpus root recursively, keeps audio files only (``.lab``, ``.txt``,
``desktop.ini`` and the like are ignored) and returns one record per utterance with its raw
corpus label, canonical emotion and speaker. Labels that do not map raise
:class:`UnknownLabelError` naming the label and file; a root in which no file has the expected
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
    """A file carries an emotion label that has no canonical emotion."""


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
    CSV. Emotions are canonical names, common aliases (``angry``, ``happy``, ``joy``, ...) or,
    when ``code`` is given, that corpus's labels.
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
    records, absent = [], []
    for row in table.itertuples(index=False):
        path = (csv.parent / row.path).resolve()
        label = row.emotion.strip()
        emotion = label.lower() if label.lower() in EMOTIONS else aliases.get(label, aliases.get(label.lower()))
        if emotion is None:
            raise UnknownLabelError(
                f"label {label!r} of {path} (manifest {csv}) is not an emotion this package knows; "
                f"use one of {', '.join(EMOTIONS)}")
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
    return records


SCANNERS = {"B": scan_B, "C": scan_C, "e": scan_e, "S": scan_S,
            "E": lambda root: scan_manifest(root, "E")}
