"""Small Sphinx fixes for the stienet book (loaded from ``_config.yml``: ``sphinx.local_extensions``).

1. **Equation numbers as in the papers.** An equation labelled ``stienet-eqN`` or ``satnmf-eqN``
   is numbered N (Sphinx would number the equations of a page 1, 2, … in order of appearance), and
   an ``{eq}`` reference to it reads "STIENet Eq N" or "SATNMF Eq N", so the two papers' numbers are
   never confused. Needs ``math_numfig: false`` (numbers from the nodes, not from the toctree).
2. **Docstring fields without types.** The package's docstrings write ``name : what it is`` in
   their Parameters and Attributes sections (shapes and meanings, no separate type line);
   napoleon would show the text after the colon as the *type*. Before napoleon runs, such a
   line becomes ``name`` followed by the text as its description.
   A mention of a chapter in a docstring (``notebooks/06_satnmf``) becomes a link to it.
3. **Both files of every chapter to download.** A chapter is a jupytext pair: the executed
   ``notebooks/NAME.ipynb`` and its reviewed source ``notebooks/NAME.py``. Both are copied to
   ``_downloads/notebooks/`` and linked under the chapter's title.
4. **One thebe configuration per page.** sphinx-thebe adds its ``const THEBE_JS_URL = …`` script
   once per read phase; the second copy is a JavaScript SyntaxError on every page. Identical
   scripts are written once.
"""
from __future__ import annotations

import re

from docutils import nodes

PAPER_LABEL = re.compile(r"^(stienet|satnmf)-eq(\d+)$")
PAPER_NAME = {"stienet": "STIENet", "satnmf": "SATNMF"}


def paper_numbers(app, doctree):
    """Give every paper-labelled equation of a freshly read page its number in the paper."""
    domain = app.env.get_domain("math")
    for node in doctree.findall(nodes.math_block):
        m = PAPER_LABEL.match(node.get("label") or "")
        if m:
            node["number"] = int(m.group(2))
            domain.equations[node["label"]] = (app.env.docname, int(m.group(2)))


def paper_references(app, doctree, docname):
    """Write ``{eq}`` references to paper equations as "STIENet Eq N" / "SATNMF Eq N"."""
    for ref in doctree.findall(nodes.reference):
        target = (ref.get("refuri") or "").rpartition("#")[2] or ref.get("refid") or ""
        m = re.match(r"^equation-(stienet|satnmf)-eq(\d+)$", target)
        if m and ref.astext().strip("()") == m.group(2):
            ref.clear()
            ref += nodes.Text(f"{PAPER_NAME[m.group(1)]} Eq {m.group(2)}")


FIELD_SECTIONS = {"parameters", "params", "other parameters", "attributes", "keyword arguments"}
# "name : str", "x : dict[str, int]", "s : float | None": a real type, left to napoleon
BARE_TYPE = re.compile(r"^[A-Za-z_][\w.]*(\[[\w., \[\]]*\])?(\s*\|\s*[A-Za-z_][\w.]*(\[[\w., \[\]]*\])?)*$")
FIELD = re.compile(r"^(\s*)([A-Za-z_*][\w*]*(?:\s*,\s*[A-Za-z_*][\w*]*)*) : (\S.*)$")


def untyped_fields(app, what, name, obj, options, lines):
    """``name : description`` → ``name`` + indented description, in field sections only."""
    out, section, indent = [], None, ""
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and re.fullmatch(r"\s*-{3,}\s*", nxt):        # a numpy section header
            section = line.strip().lower()
            indent = line[: len(line) - len(line.lstrip())]
            out += [line, nxt]
            i += 2
            continue
        m = FIELD.match(line)
        if section in FIELD_SECTIONS and m and m.group(1) == indent and not BARE_TYPE.match(m.group(3).strip()):
            out += [indent + m.group(2), indent + "    " + m.group(3)]
        else:
            out.append(line)
        i += 1
    lines[:] = out


NOTEBOOK = re.compile(r"(``)?notebooks/(\w+)(?:\.ipynb|\.py)?(``)?(?![\w/`])")


def notebook_links(app, what, name, obj, options, lines):
    """``notebooks/06_satnmf`` in a docstring → a link to that chapter of the book."""
    from pathlib import Path

    def link(m):
        page = m.group(2)
        if not (Path(app.srcdir) / "notebooks" / f"{page}.ipynb").is_file():
            return m.group(0)
        return f":doc:`notebooks/{page} </notebooks/{page}>`"

    for i, line in enumerate(lines):
        if not line.lstrip().startswith((">>>", "...")):
            lines[i] = NOTEBOOK.sub(link, line)


def download_links(app, doctree, docname):
    """Under a chapter's title: links to its ``.ipynb`` and ``.py`` (copied by :func:`copy_notebooks`)."""
    from pathlib import Path

    if not docname.startswith("notebooks/"):
        return
    name = Path(docname).name
    if not (Path(app.srcdir) / "notebooks" / f"{name}.py").is_file():
        return
    sections = list(doctree.findall(nodes.section))
    if not sections:
        return
    html = (f'<p class="chapter-downloads">Download this chapter: '
            f'<a href="../_downloads/notebooks/{name}.ipynb" download>{name}.ipynb</a> (with its outputs) · '
            f'<a href="../_downloads/notebooks/{name}.py" download>{name}.py</a> '
            f'(the jupytext source: <code>jupytext --to ipynb --execute {name}.py</code>)</p>')
    title = sections[0].next_node(nodes.title)
    sections[0].insert(sections[0].index(title) + 1, nodes.raw("", html, format="html"))


def copy_notebooks(app, exception):
    """Copy every chapter's ``.ipynb`` and ``.py`` to ``_downloads/notebooks/`` of the HTML output."""
    import shutil
    from pathlib import Path

    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / "_downloads" / "notebooks"
    out.mkdir(parents=True, exist_ok=True)
    for src in (Path(app.srcdir) / "notebooks").glob("*.py"):
        for f in (src, src.with_suffix(".ipynb")):
            if f.is_file():
                shutil.copy2(f, out / f.name)


def unique_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated identical ``<script>`` entries (sphinx-thebe's configuration, written twice)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        # the copies differ in priority, and in filename None vs "" (an inline script)
        key = (getattr(js, "filename", str(js)) or "", tuple(sorted((getattr(js, "attributes", None) or {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.napoleon")
    app.connect("autodoc-process-docstring", untyped_fields, priority=100)   # before napoleon (500)
    app.connect("autodoc-process-docstring", notebook_links, priority=600)
    app.connect("doctree-read", paper_numbers)
    app.connect("doctree-resolved", paper_references)
    app.connect("doctree-resolved", download_links)
    app.connect("build-finished", copy_notebooks)
    app.connect("html-page-context", unique_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
