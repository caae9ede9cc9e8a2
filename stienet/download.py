"""Downloading the one freely available corpus, Berlin EmoDB, into the layout the loader reads.

``python -m stienet download emodb --to data`` fetches the archive from the database's own site
(:data:`EMODB_URL`, the source audEERING's ``audb``/``audformat`` EmoDB conversion also
names), checks it, and unpacks it to ``data/emodb/`` — ready for ``--data-root data``.

**Verification.** No checksum of the archive is published by its authors, and none could be
confirmed for this package, so the check is structural: the archive must be a zip holding the
535 utterances of EmoDB as ``wav/<speaker><text><emotion><version>.wav`` with the 10 speakers
and 7 emotion letters of the corpus (:func:`check_emodb_members`). The archive's SHA-256 is
printed so that it can be compared with another copy; pass ``sha256=`` to pin it.

CASIA, eNTERFACE'05 and SAVEE need a licence or a request to their authors: see the book page
``book/obtaining_corpora``.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

#: The archive on the EmoDB authors' site (TU Berlin project; Burkhardt et al., 2005).
EMODB_URL = "http://emodb.bilderbar.info/download/download.zip"
EMODB_FILES = 535
EMODB_SPEAKERS = {"03", "08", "09", "10", "11", "12", "13", "14", "15", "16"}
EMODB_EMOTIONS = set("WLEAFTN")
_MEMBER = re.compile(r"^(?:.*/)?wav/(\d{2})([ab]\d{2})([A-Z])([a-z]?)\.wav$")


class DownloadError(RuntimeError):
    """The archive could not be fetched, or is not what it should be."""


def check_emodb_members(names: list[str]) -> list[str]:
    """The EmoDB utterances among an archive's member ``names``; raises :class:`DownloadError`
    unless there are exactly 535, from the 10 speakers, with the 7 emotion letters."""
    wavs = [n for n in names if n.lower().endswith(".wav")]
    matched = [m for m in map(_MEMBER.match, wavs) if m]
    speakers = {m.group(1) for m in matched}
    emotions = {m.group(3) for m in matched}
    problems = []
    if len(matched) != EMODB_FILES:
        problems.append(f"{len(matched)} files named like wav/03a01Fa.wav, expected {EMODB_FILES}")
    if len(wavs) != len(matched):
        problems.append(f"{len(wavs) - len(matched)} other .wav file(s)")
    if speakers != EMODB_SPEAKERS:
        problems.append(f"speakers {', '.join(sorted(speakers)) or 'none'} "
                        f"(expected {', '.join(sorted(EMODB_SPEAKERS))})")
    if emotions != EMODB_EMOTIONS:
        problems.append(f"emotion letters {''.join(sorted(emotions)) or 'none'} "
                        f"(expected {''.join(sorted(EMODB_EMOTIONS))})")
    if problems:
        raise DownloadError("the archive is not Berlin EmoDB as published: " + "; ".join(problems))
    return [m.string for m in matched]


def _fetch(url: str, dest: Path, timeout: float, progress: bool) -> str:
    """Stream ``url`` into ``dest``; returns the SHA-256 of what was written."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(dest, "wb") as fh:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while chunk := resp.read(1 << 16):
                fh.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress and sys.stderr.isatty():
                    of = f" of {total / 1e6:.1f}" if total else ""
                    print(f"\r  {done / 1e6:.1f}{of} MB", end="", file=sys.stderr, flush=True)
            if progress and sys.stderr.isatty():
                print(file=sys.stderr)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url} answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:   # no network, DNS, refused, timeout
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download {url}: {reason}. Is this machine offline? Download the archive "
            "elsewhere and pass it with --url file:///path/to/download.zip") from None
    return digest.hexdigest()


def download_emodb(to="data", url: str = EMODB_URL, sha256: str | None = None,
                   force: bool = False, timeout: float = 60.0, progress: bool = True) -> Path:
    """Download, verify and unpack Berlin EmoDB to ``<to>/emodb``; returns that folder.

    ``url`` may be ``file:///…`` for an archive fetched by other means. ``sha256`` pins the
    archive's hash (none is published; see the module docstring). An existing ``<to>/emodb``
    is kept unless ``force``. Nothing is left behind on failure.
    """
    root = Path(to).expanduser()
    dest = root / "emodb"
    if dest.exists() and not force:
        raise DownloadError(f"{dest} already exists; use --force to replace it")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".emodb-download-") as tmp:
        archive = Path(tmp) / "emodb.zip"
        print(f"downloading Berlin EmoDB from {url}", flush=True)
        digest = _fetch(url, archive, timeout, progress)
        if sha256 and digest != sha256.lower():
            raise DownloadError(f"SHA-256 of the archive is {digest}, expected {sha256}")
        try:
            with zipfile.ZipFile(archive) as zf:
                names = zf.namelist()
                wavs = check_emodb_members(names)
                unpacked = Path(tmp) / "emodb"
                for name in names:
                    target = (unpacked / name).resolve()
                    if not target.is_relative_to(unpacked.resolve()):
                        raise DownloadError(f"archive member {name!r} points outside the folder")
                zf.extractall(unpacked)
        except zipfile.BadZipFile:
            raise DownloadError(f"{url} did not return a zip archive") from None
        # the archive holds wav/, lablaut/, labsilb/, silb/ and two text files at its top, or
        # below one folder: either way the loader finds wav/03a01Fa.wav recursively
        if dest.exists():
            shutil.rmtree(dest)
        shutil.move(str(unpacked), dest)
    print(f"verified: {len(wavs)} utterances, 10 speakers, 7 emotions (structure check; no "
          f"published checksum exists)\narchive SHA-256: {digest}\nunpacked to {dest}\n"
          f"use it with: --data-root {root}   (e.g. python -m stienet corpora --codes B "
          f"--data-root {root})", flush=True)
    return dest


def download(corpus: str, to="data", url: str | None = None, force: bool = False) -> Path:
    """Command-line entry: ``corpus`` is ``"emodb"`` (the only freely downloadable one)."""
    if corpus != "emodb":
        raise DownloadError(f"only emodb can be downloaded; CASIA, eNTERFACE'05 and SAVEE are "
                            "obtained from their authors (book page 'Obtaining the corpora')")
    return download_emodb(to, url or EMODB_URL, force=force)
