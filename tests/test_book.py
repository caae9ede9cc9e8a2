"""The book builds (offline, from stored outputs) and holds what its table of contents promises."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]

# building the book and opening every page in a browser is the slow part of the suite
slow_build = pytest.mark.slow


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    if shutil.which("jupyter-book") is None and not Path(sys.executable).with_name("jupyter-book").exists():
        pytest.fail("jupyter-book is not installed (it is in requirements.txt)")
    src = tmp_path_factory.mktemp("book")
    for item in ("_config.yml", "_toc.yml", "book", "notebooks", "stienet", "README.md"):
        (shutil.copytree if (ROOT / item).is_dir() else shutil.copy)(ROOT / item, src / item)
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe) if exe.exists() else "jupyter-book", "build", str(src), "-W",
                           "--quiet"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return src / "_build" / "html"


@slow_build
def test_pages_render_in_a_browser(html):
    """Every page opened from file:// in headless Chromium reads cleanly: no raw TeX left after
    MathJax ran (MathJax ships with the book), every image loaded, nothing wider than the content
    column, no JavaScript error. Screenshots of every page go to _build/screens/ for review."""
    import render_check

    if render_check.chromium() is None:
        pytest.skip("no chromium on this machine (Debian package `chromium`; .ci/run installs it): "
                    "the book was built but not opened in a browser")
    screens = ROOT / "_build" / "screens"
    shutil.rmtree(screens, ignore_errors=True)
    results = render_check.check_book(html, screens, workers=int(os.environ.get("RENDER_WORKERS", "2")))
    assert len(results) >= len(toc_files()), "fewer pages checked than the table of contents has"
    found = render_check.problems(results)
    assert not found, f"{len(found)} problems (screenshots in {screens}):\n" + "\n".join(found[:60])
    math_pages = [r for r in results if r["math"] > 0]
    assert any(r["page"].endswith("06_satnmf.html") for r in math_pages), "MathJax rendered nothing on 06"


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [ch["file"] for ch in part["chapters"]]
    return files


@slow_build
def test_every_toc_entry_has_a_page(html):
    for entry in toc_files():
        page = html / (str(Path(entry).with_suffix("")) + ".html")
        assert page.is_file(), f"{entry} has no page {page}"


@slow_build
def test_notebook_pages_have_their_figures_and_tables(html):
    for entry in toc_files():
        if not entry.endswith(".ipynb"):
            continue
        nb = (ROOT / entry).read_text()
        page = (html / (str(Path(entry).with_suffix("")) + ".html")).read_text()
        n_png = nb.count('"image/png"')
        assert page.count("<img") >= n_png, f"{entry}: {n_png} figures stored, fewer on the page"
        if '"text/html"' in nb and "<table" in nb:
            assert "<table" in page, f"{entry}: a stored table is missing from the page"


@slow_build
def test_api_page_lists_public_functions(html):
    page = (html / "book" / "api.html").read_text()
    for name in ("stienet.losses.mmd", "stienet.losses.class_mmd", "stienet.losses.rejection_loss",
                 "stienet.losses.inverse_entropy", "stienet.losses.total_loss",
                 "stienet.satnmf.SATNMF", "stienet.satnmf.knn_graph", "stienet.satnmf.MMDGroups",
                 "stienet.data.corpus.load_corpus", "stienet.train.fit",
                 "stienet.experiments.run_sweep", "stienet.report.pairs_table"):
        assert f'id="{name}"' in page, f"{name} is not on the API page"


def test_equations_are_labelled_once():
    labels = re.findall(r"\$\$ \((\w+-eq\d+)\)", "".join(
        p.read_text() for p in sorted((ROOT / "notebooks").glob("*.py"))))
    assert len(labels) == len(set(labels)), "an equation label is defined twice"
    assert {f"stienet-eq{i}" for i in range(1, 6)} <= set(labels)
    assert {f"satnmf-eq{i}" for i in range(1, 9)} <= set(labels)
