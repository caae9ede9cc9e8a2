"""Result files: one JSON per run, written atomically, portable and with provenance.

:func:`save_result` stores every record through :func:`portable_record`: corpora are named by
code or corpus name (``B``, ``C``, ``ravdess``), never by a local path, and each real corpus
carries the ``sha256_of_files`` digest its data root's ``PROVENANCE.json`` gives
(:func:`corpus_provenance`). Per-clip scores are stored as float32 in their shortest exact
decimal form (:func:`float32_list`), so that the metrics recomputed from a file equal the stored
ones.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np

from .data.specs import CORPORA, corpus_name, manifest_path
from .paths import atomic_write_bytes

PROVENANCE_FILE = "PROVENANCE.json"
DATA_ROOT_PLACEHOLDER = "<data-root>"


def float32_list(values) -> list:
    """``values`` as float32, each written as the shortest decimal that reads back as the same
    float32 (``np.asarray(stored, np.float32)`` recovers the array exactly). Nested lists keep
    their shape."""
    arr = np.asarray(values, dtype=np.float32)
    if arr.ndim == 0:
        return float(np.format_float_positional(arr, unique=True, trim="-"))
    flat = [float(np.format_float_positional(v, unique=True, trim="-")) for v in arr.ravel()]
    return np.asarray(flat, dtype=object).reshape(arr.shape).tolist()


def _corpus_folder(spec: str, data_root) -> Path | None:
    """The folder or manifest CSV a corpus argument reads, or ``None`` for a synthetic stand-in."""
    manifest = manifest_path(spec)
    if manifest is not None:
        return Path(manifest).expanduser().resolve()
    data_root = data_root or os.environ.get("STIENET_DATA")
    if not data_root or spec not in CORPORA:
        return None
    from .data.corpus import find_corpus_root

    try:
        return find_corpus_root(spec, data_root).resolve()
    except FileNotFoundError:
        return None


def corpus_provenance(spec: str, data_root=None) -> dict | None:
    """Where a real corpus came from: its entry of ``PROVENANCE.json`` (``mirror``, ``commit``,
    ``wav_files``, ``sha256_of_files``), looked up in the corpus's folder and the folder above it
    (the data root that ``unpack.sh`` writes), under the corpus's folder name. Returns
    ``{"sha256_of_files": None, "provenance_file": "absent"}`` for a real corpus without such an
    entry, and ``None`` for a synthetic stand-in."""
    where = _corpus_folder(spec, data_root)
    if where is None:
        return None
    folder = where.parent if where.is_file() else where       # a manifest: its folder
    for candidate in (folder / PROVENANCE_FILE, folder.parent / PROVENANCE_FILE):
        if candidate.is_file():
            try:
                table = json.loads(candidate.read_text())
            except (OSError, ValueError):
                continue
            entry = table.get(folder.name) if isinstance(table, dict) else None
            if isinstance(entry, dict):
                return {"sha256_of_files": entry.get("sha256_of_files"),
                        **{k: v for k, v in entry.items() if k != "sha256_of_files"}}
    return {"sha256_of_files": None, "provenance_file": "absent"}


def portable_value(obj, data_root=None):
    """``obj`` with every local path replaced: a manifest CSV path (absolute or not) by its
    corpus name, the data root (and anything below it) by ``"<data-root>"``. Recursive over
    dicts and lists."""
    if isinstance(obj, str):
        if obj == DATA_ROOT_PLACEHOLDER:
            return obj
        if obj.lower().endswith(".csv") and manifest_path(obj) is not None:
            return corpus_name(obj)
        if data_root:
            for root in {str(data_root), str(Path(data_root).expanduser().resolve())}:
                if obj == root or obj.startswith(root.rstrip("/") + "/"):
                    return DATA_ROOT_PLACEHOLDER + obj[len(root.rstrip("/")):]
        return obj
    if isinstance(obj, dict):
        return {k: portable_value(v, data_root) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [portable_value(v, data_root) for v in obj]
    return obj


def portable_record(record: dict) -> dict:
    """A copy of a result record fit to commit: corpora named by code or corpus name (a manifest
    path anywhere in the record becomes :func:`~stienet.data.specs.corpus_name`), the data root
    ``"<data-root>"`` (:func:`portable_value`), and ``provenance`` mapping each corpus name to
    :func:`corpus_provenance` (``None`` for synthetic stand-ins). Idempotent."""
    record = dict(record)
    hyper = record.get("hyperparameters") or {}
    data_root = hyper.get("data_root") if isinstance(hyper, dict) else None
    if data_root == DATA_ROOT_PLACEHOLDER:
        data_root = None
    specs = [record[k] for k in ("source", "target") if isinstance(record.get(k), str)]
    known = record.get("provenance") or {}
    if "provenance" not in record or any(corpus_name(s) not in known for s in specs):
        record["provenance"] = {corpus_name(s): corpus_provenance(s, data_root) for s in specs}
    return portable_value(record, data_root)


def result_path(out_dir, method: str, data: str, source: str, target: str, seed: int,
                preset: str | None = None) -> Path:
    """``<out>/<data>/<method>/<source>_<target>_seed<seed>[_<preset>].json`` (codes keep their
    case; a manifest CSV is named by :func:`stienet.data.specs.corpus_name`). STIENet runs carry
    their preset, so that a ``paper`` and an ``open`` run of one pair and seed never share a
    file; the main job writes its executed notebook beside it (``.ipynb``)."""
    name = f"{corpus_name(source)}_{corpus_name(target)}_seed{seed}" + (f"_{preset}" if preset else "")
    return Path(out_dir) / data / method / f"{name}.json"


def _clean(obj):
    """JSON-safe copy: NaN/inf become None (JSON has no NaN), tuples become lists."""
    if isinstance(obj, float):
        return obj if obj == obj and abs(obj) != float("inf") else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def save_result(record: dict, path) -> Path:
    """Write :func:`portable_record` of ``record`` as indented JSON via a temporary file and a
    rename."""
    path = Path(path)
    atomic_write_bytes(path, json.dumps(_clean(portable_record(record)), indent=1,
                                        allow_nan=False).encode())
    return path


def load_result(path) -> dict:
    return json.loads(Path(path).read_text())


def git_commit() -> str | None:
    """Commit of the package's checkout (with ``-dirty`` for local changes), if any."""
    here = Path(__file__).resolve().parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return (sha + ("-dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def target_probabilities(record: dict):
    """``(prob (m, K+1), labels (m,))`` of a STIENet/OSBP result: the softmax of its stored
    float32 ``target_logits`` (:func:`stienet.metrics.probabilities`), or, for a file written
    before logits were stored, its rounded ``target_prob``."""
    from .metrics import probabilities

    m = record["metrics"]
    y = np.asarray(m["target_labels"])
    if "target_logits" in m:
        return probabilities(np.asarray(m["target_logits"], np.float32)), y
    return np.asarray(m["target_prob"], float), y
