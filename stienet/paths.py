"""Where the package keeps generated and cached files, and how it writes them safely."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """Root of the package's cache: ``$STIENET_CACHE``, else ``~/.cache/stienet``.

    Synthetic corpora, decoded waveforms and openSMILE features live below it; deleting it is
    always safe (everything is regenerated on demand).
    """
    root = os.environ.get("STIENET_CACHE") or Path.home() / ".cache" / "stienet"
    path = Path(root).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a reader never sees
    a half-written file and a killed process never leaves one behind. The file gets the mode
    a plain ``open()`` would give it (0644 under the usual umask 022), not ``mkstemp``'s 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
