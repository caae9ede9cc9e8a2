"""Corpora, their on-disk layouts, protocols and synthetic stand-ins.

Read top to bottom: :mod:`.specs` (what each corpus is) → :mod:`.layouts` (reading real folders)
→ :mod:`.synthetic` (generated stand-ins in the same layouts) → :mod:`.corpus`
(:func:`load_corpus`) → :mod:`.audio` (:func:`load_waveforms`) → :mod:`.protocols`.
Explained in ``notebooks/01_corpora``.
"""
from .audio import UnreadableAudio, Waveforms, load_waveforms, read_audio
from .corpus import FOLDER_NAMES, find_corpus_root, load_corpus, summarize
from .layouts import LayoutError, UnknownLabelError
from .protocols import Split, closed_set_split, open_set_split, oversample
from .specs import CORPORA, CORPUS_CODES, EMOTIONS, KNOWN_CLASSES, SCHEMES, CorpusSpec, get_spec
from .synthetic import synthetic_root

__all__ = [
    "CORPORA", "CORPUS_CODES", "EMOTIONS", "KNOWN_CLASSES", "SCHEMES", "CorpusSpec", "get_spec",
    "LayoutError", "UnknownLabelError", "UnreadableAudio", "Waveforms", "Split",
    "load_corpus", "load_waveforms", "read_audio", "find_corpus_root", "summarize",
    "open_set_split", "closed_set_split", "oversample", "synthetic_root", "FOLDER_NAMES",
]
