"""Small Sphinx fixes for the stienet book (loaded from ``_config.yml``: ``sphinx.local_extensions``).

1. **Equation numbers as in the papers.** An equation labelled ``stienet-eqN`` or ``satnmf-eqN``
   is numbered N (Sphinx would number the equations of a page 1, 2, … in order of appearance), and
   an ``{eq}`` reference to it reads "STIENet Eq N" or "SATNMF Eq N", so the two papers' numbers are
   never confused. Needs ``math_numfig: false`` (numbers from the nodes, not from the toctree).
2. **One thebe configuration per page.** sphinx-thebe adds its ``const THEBE_JS_URL = …`` script
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
            ref.children = [nodes.Text(f"{PAPER_NAME[m.group(1)]} Eq {m.group(2)}")]


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
    app.connect("doctree-read", paper_numbers)
    app.connect("doctree-resolved", paper_references)
    app.connect("html-page-context", unique_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
