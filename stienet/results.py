"""Result files: one JSON per run, written atomically."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .data.specs import corpus_name
from .paths import atomic_write_bytes


def result_path(out_dir, method: str, data: str, source: str, target: str, seed: int) -> Path:
    """``<out>/<data>/<method>/<source>_<target>_seed<seed>.json`` (codes keep their case; a
    manifest CSV is named by :func:`stienet.data.specs.corpus_name`)."""
    return Path(out_dir) / data / method / f"{corpus_name(source)}_{corpus_name(target)}_seed{seed}.json"


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
    """Write ``record`` as indented JSON via a temporary file and a rename."""
    path = Path(path)
    atomic_write_bytes(path, json.dumps(_clean(record), indent=1, allow_nan=False).encode())
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
