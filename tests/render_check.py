"""Open every page of the built book in headless Chromium, as a reader would, and report what is wrong.

Used by ``tests/test_book.py`` (and by hand: ``python tests/render_check.py _build/html``). For each
page it opens a copy with a small checker script injected first in ``<head>`` from ``file://`` (no
network needed: MathJax is shipped with the book), lets MathJax finish and reports:

- raw TeX left in the text after MathJax ran (``\\(``, ``$$``, ``\\frac`` …);
- images that did not load;
- elements wider than the content column (tables and images always; other elements unless they
  sit in a scrolling box — wide equations scroll on purpose);
- code blocks whose text is wider than the block (``scrollWidth > clientWidth``): a command cut
  off behind a scroll bar;
- JavaScript errors (uncaught exceptions, ``console.error``, failed resources).

It also saves a full-page screenshot of each page (1280 px wide) to review by eye.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHECK_JS = r"""
<script>
(function () {
  var rc = window.__renderCheck = {errors: []};
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      rc.errors.push('failed to load ' + t.tagName.toLowerCase() + ' ' + (t.src || t.href || ''));
    } else {
      rc.errors.push(String(e.message) + ' (' + (e.filename || '') + ':' + (e.lineno || '') + ')');
    }
  }, true);
  window.addEventListener('unhandledrejection', function (e) {
    rc.errors.push('unhandled rejection: ' + String(e.reason));
  });
  var ce = console.error;
  console.error = function () {
    rc.errors.push('console.error: ' + Array.prototype.map.call(arguments, String).join(' '));
    return ce.apply(console, arguments);
  };
  var TEX = /\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{|\\(?:frac|sum|mathbf|mathrm|operatorname|left|right|alpha|beta|gamma|lambda|phi|hat|tilde|mathcal|boldsymbol|top|in|le|ge|cdot|tag)(?![A-Za-z])|\$[^$\s][^$]*\$/;
  var SKIP = 'script, style, pre, code, mjx-container, mjx-assistive-mml, .highlight, textarea, .headerlink';
  function check() {
    var art = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
    var box = art.getBoundingClientRect(), cs = getComputedStyle(art);
    var col = {left: box.left + parseFloat(cs.paddingLeft), right: box.right - parseFloat(cs.paddingRight)};
    col.width = col.right - col.left;
    var res = {errors: rc.errors, tex: [], images: [], wide: [], height: document.documentElement.scrollHeight,
               column: Math.round(col.width), math: document.querySelectorAll('mjx-container').length};
    var walker = document.createTreeWalker(art, NodeFilter.SHOW_TEXT);
    var n;
    while ((n = walker.nextNode())) {
      var p = n.parentElement;
      if (!p || p.closest(SKIP)) continue;
      var m = TEX.exec(n.textContent);
      if (m) res.tex.push(n.textContent.trim().slice(0, 120));
    }
    art.querySelectorAll('img').forEach(function (img) {
      if (!img.complete || img.naturalWidth === 0) res.images.push(img.getAttribute('src'));
    });
    var tol = 2;
    art.querySelectorAll('img, table, mjx-container, pre, .math, figure, svg, .cell_output > div').forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width === 0) return;
      var wide = r.right > col.right + tol || r.left < col.left - tol;
      if (!wide) return;
      var tag = el.tagName.toLowerCase();
      var scrolls = false;
      if (tag !== 'img' && tag !== 'table') {
        for (var a = el.parentElement; a && a !== art; a = a.parentElement) {
          var ox = getComputedStyle(a).overflowX;
          if ((ox === 'auto' || ox === 'scroll') && a.getBoundingClientRect().right <= col.right + tol) {
            scrolls = true; break;
          }
        }
      }
      if (!scrolls) {
        var txt = (el.textContent || el.getAttribute('src') || '').trim().replace(/\s+/g, ' ').slice(0, 80);
        res.wide.push(tag + ' ' + Math.round(r.width) + ' px > column ' + Math.round(col.width) + ' px: ' + txt);
      }
    });
    res.clipped = [];
    art.querySelectorAll('pre').forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        res.clipped.push(Math.round(el.scrollWidth) + ' px in ' + Math.round(el.clientWidth) + ' px: '
                         + (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80));
      }
    });
    var out = document.createElement('script');
    out.type = 'application/json';
    out.id = 'render-check-result';
    out.textContent = JSON.stringify(res);
    document.body.appendChild(out);
  }
  window.addEventListener('load', function () {
    setTimeout(function () {
      var mj = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
      if (window.MathJax && !mj) rc.errors.push('MathJax did not start');
      (mj ? mj.then(check, function (e) { rc.errors.push('MathJax: ' + e); check(); }) : check());
    }, 0);
  });
})();
</script>
"""

SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html"}


def chromium() -> str | None:
    """The Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=20000", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def pages(html: Path) -> list[Path]:
    """The book's content pages (no index, search, module source or copied sources)."""
    out = []
    for p in sorted(html.rglob("*.html")):
        rel = p.relative_to(html)
        if rel.parts[0] in ("_modules", "_sources", "_static") or rel.name in SKIP_PAGES:
            continue
        if rel.name.endswith(".check.html") or 'http-equiv="Refresh"' in p.read_text(encoding="utf-8")[:500]:
            continue  # a probe left behind, or the root index.html (a redirect)
        out.append(p)
    return out


def check_page(page: Path, screens: Path | None = None, html_root: Path | None = None) -> dict:
    """Open ``page`` in headless Chromium; return the checker's findings (and save a screenshot)."""
    text = page.read_text(encoding="utf-8")
    probe = page.with_name(page.stem + ".check.html")
    probe.write_text(re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + CHECK_JS, text, count=1), encoding="utf-8")
    try:
        proc = _run(["--dump-dom", probe.resolve().as_uri()])
    finally:
        probe.unlink()
    m = re.search(r'<script type="application/json" id="render-check-result">(.*?)</script>', proc.stdout, re.S)
    if not m:
        return {"page": str(page), "fatal": "the checker did not report (Chromium: "
                + (proc.stderr.strip().splitlines() or ["no output"])[-1][:300] + ")"}
    res = json.loads(m.group(1))
    res["page"] = str(page.relative_to(html_root) if html_root else page)
    if screens is not None:
        name = str(page.relative_to(html_root) if html_root else page.name).replace("/", "__")
        shot = screens / (name[:-5] + ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        height = min(max(int(res.get("height", 2000)), 800), 16000)
        _run([f"--screenshot={shot}", f"--window-size=1280,{height}", page.resolve().as_uri()])
    return res


def check_book(html: Path, screens: Path | None = None, workers: int = 2) -> list[dict]:
    """Check every content page of a built book; a list of per-page findings."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda p: check_page(p, screens, html), pages(html)))


def problems(results: list[dict]) -> list[str]:
    """One line per problem found (empty when every page reads cleanly)."""
    out = []
    for r in results:
        page = r["page"]
        if "fatal" in r:
            out.append(f"{page}: {r['fatal']}")
            continue
        out += [f"{page}: raw TeX: {t!r}" for t in r["tex"]]
        out += [f"{page}: image did not load: {s}" for s in r["images"]]
        out += [f"{page}: too wide: {w}" for w in r["wide"]]
        out += [f"{page}: code block cut off (scrolls): {c}" for c in r.get("clipped", [])]
        out += [f"{page}: JS error: {e}" for e in r["errors"]]
    return out


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
    screens = Path(sys.argv[2]) if len(sys.argv) > 2 else root.parent / "screens"
    if chromium() is None:
        sys.exit("no chromium found (Debian: apt-get install -y chromium)")
    results = check_book(root, screens, workers=int(os.environ.get("RENDER_WORKERS", "2")))
    for r in results:
        if "fatal" not in r:
            print(f"{r['page']}: {r['math']} formulas, {r['height']} px high, column {r['column']} px")
    found = problems(results)
    print("\n".join(found) or "no problems")
    print(f"{len(results)} pages, {len(found)} problems; screenshots in {screens}")
    sys.exit(1 if found else 0)
