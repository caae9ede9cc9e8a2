"""`python -m stienet download emodb` against a local HTTP server (127.0.0.1 only).

The fixture archive has EmoDB's published structure (535 utterances wav/<speaker><text><emotion>
<version>.wav from 10 speakers and 7 emotion letters, plus label folders and text files), with
tiny tones instead of speech. No test contacts anything but the loopback interface."""
from __future__ import annotations

import functools
import http.server
import io
import itertools
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest
import soundfile as sf

from stienet.data import load_corpus
from stienet.download import EMODB_SPEAKERS, DownloadError, check_emodb_members

TEXTS = ["a01", "a02", "a04", "a05", "a07", "b01", "b02", "b03", "b09", "b10"]


def emodb_names(n=535):
    combos = itertools.product(TEXTS, sorted(EMODB_SPEAKERS), "WLEAFTN")
    return [f"wav/{spk}{text}{emo}a.wav" for text, spk, emo in itertools.islice(combos, n)]


def make_zip(path, names, prefix=""):
    buf = io.BytesIO()
    sf.write(buf, 0.1 * np.sin(np.arange(1600) / 5.0), 16000, format="WAV", subtype="PCM_16")
    wav = buf.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(prefix + name, wav)
        zf.writestr(prefix + "lablaut/03a01Fa.lab", "label")
        zf.writestr(prefix + "erklaerung.txt", "readme")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Serves a folder on 127.0.0.1 (an ephemeral port); yields (folder, base URL)."""
    root = tmp_path_factory.mktemp("www")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "stienet", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_download_unpacks_what_the_loader_reads(server, tmp_path):
    www, base = server
    make_zip(www / "download.zip", emodb_names())
    res = cli("download", "emodb", "--to", str(tmp_path / "data"), "--url", f"{base}/download.zip")
    assert res.returncode == 0, res.stderr
    assert "archive SHA-256: " in res.stdout and f"--data-root {tmp_path / 'data'}" in res.stdout
    table = load_corpus("B", data_root=tmp_path / "data")
    assert len(table) == 535 and set(table["data"]) == {"real"}
    assert table["speaker"].nunique() == 10 and table["emotion"].nunique() == 7
    # a second download does not overwrite silently
    again = cli("download", "emodb", "--to", str(tmp_path / "data"), "--url", f"{base}/download.zip")
    assert again.returncode == 2 and "already exists; use --force" in again.stderr


def test_download_accepts_an_archive_with_a_top_folder(server, tmp_path):
    www, base = server
    make_zip(www / "nested.zip", emodb_names(), prefix="emodb/")
    res = cli("download", "emodb", "--to", str(tmp_path), "--url", f"{base}/nested.zip")
    assert res.returncode == 0, res.stderr
    assert len(load_corpus("B", data_root=tmp_path)) == 535


@pytest.mark.parametrize("names, message", [
    (emodb_names(534), "534 files named like wav/03a01Fa.wav, expected 535"),
    ([n.replace("W", "X") for n in emodb_names()], "emotion letters"),
])
def test_download_rejects_an_archive_that_is_not_emodb(server, tmp_path, names, message):
    www, base = server
    make_zip(www / "wrong.zip", names)
    res = cli("download", "emodb", "--to", str(tmp_path), "--url", f"{base}/wrong.zip")
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []        # nothing left behind


def test_download_errors_are_one_line(server, tmp_path):
    www, base = server
    (www / "notzip.zip").write_text("<html>moved</html>")
    for url, message in ((f"{base}/missing.zip", "HTTP 404"),
                         (f"{base}/notzip.zip", "did not return a zip archive")):
        res = cli("download", "emodb", "--to", str(tmp_path), "--url", url)
        assert res.returncode == 2 and message in res.stderr, res.stderr
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_download_without_network_says_so(tmp_path):
    import socket

    with socket.socket() as s:           # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = cli("download", "emodb", "--to", str(tmp_path),
              "--url", f"http://127.0.0.1:{port}/download.zip")
    assert res.returncode == 2 and "cannot download" in res.stderr and "offline" in res.stderr


def test_member_check_needs_every_speaker():
    names = [n for n in emodb_names(700) if not n.startswith("wav/16")][:535]
    with pytest.raises(DownloadError, match="speakers"):
        check_emodb_members(names)
    assert len(check_emodb_members(emodb_names())) == 535
