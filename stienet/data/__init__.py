"""Corpora, their on-disk layouts, protocols and synthetic stand-ins.

Read top to bottom: :mod:`.specs` (what each corpus is) → :mod:`.layouts` (reading real folders)
→ :mod:`.synthetic` (generated stand-ins in the same layouts) → :mod:`.corpus`
(:func:`load_corpus`) → :mod:`.audio` (:func:`load_waveforms`) → :mod:`.protocols`.
Explained in ``notebooks/01_corpora``.

Names are imported on first use (PEP 562), so ``import stienet.data.specs`` — what the command
line needs to check its arguments — does not pay for numpy, scipy and pandas.
"""
from __future__ import annotations

import importlib

_WHERE = {
    "UnreadableAudio": "audio", "Waveforms": "audio", "load_waveforms": "audio",
    "read_audio": "audio",
    "FOLDER_NAMES": "corpus", "find_corpus_root": "corpus", "load_corpus": "corpus",
    "resolve_corpus": "corpus", "summarize": "corpus",
    "LayoutError": "layouts", "UnknownLabelError": "layouts",
    "Split": "protocols", "closed_set_split": "protocols", "open_set_split": "protocols",
    "oversample": "protocols",
    "CORPORA": "specs", "CORPUS_CODES": "specs", "EMOTIONS": "specs", "KNOWN_CLASSES": "specs",
    "SCHEMES": "specs", "R_SCHEMES": "specs", "ALL_SCHEMES": "specs", "scheme_corpora": "specs", "CorpusSpec": "specs", "get_spec": "specs", "corpus_name": "specs",
    "check_corpus_arg": "specs", "manifest_path": "specs",
    "synthetic_root": "synthetic",
}

__all__ = list(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
