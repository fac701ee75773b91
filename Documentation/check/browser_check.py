#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Open the rendered guide in headless Chromium and check it as a reader would.

Usage: browser_check.py --html DIR --src DIR --shots DIR [--chromium PATH]

--html is Sphinx's output, --src the staging tree Sphinx read (its .rst
files, and _kit, _linux and _gen as the pages name them). For every page the
script takes a full-page screenshot (PNG in --shots) and checks:

* kernel-doc: every identifier a ``kernel-doc`` directive names, and every
  kernel-doc comment of a file rendered whole, is on the page as a C
  declaration whose signature text contains the name;
* links: every link to another page of the guide, or to an anchor, points
  at a page that exists and an element id that page has;
* literalinclude and kit-code: every included file exists, and the page
  shows one code block with that file's caption, which is not empty.

Chromium is driven over --remote-debugging-pipe with the standard library
only. Exit status 0 if every check passed, 1 otherwise.
"""

import argparse
import os
import re
import shutil
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
from cdp import Browser, file_url  # noqa: E402

WIDTH, HEIGHT = 1280, 900


# What each page shows, collected in the browser.
PAGE_SCRIPT = r"""
(() => {
  const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
  const links = Array.from(document.querySelectorAll('a[href]'))
    .map(a => a.getAttribute('href'));
  const sigs = Array.from(document.querySelectorAll('dl.c > dt.sig'))
    .map(dt => dt.textContent.replace(/\s+/g, ' ').trim());
  const blocks = Array.from(document.querySelectorAll('div.literal-block-wrapper'))
    .map(w => {
      const cap = w.querySelector('.code-block-caption .caption-text');
      const pre = w.querySelector('pre');
      return {caption: cap ? cap.textContent.trim() : '',
              lines: pre ? pre.textContent.split('\n').length : 0,
              height: pre ? pre.getBoundingClientRect().height : 0};
    });
  const images = Array.from(document.images)
    .map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}));
  const errors = Array.from(document.querySelectorAll('.system-message, .problematic'))
    .map(e => e.textContent.trim().slice(0, 200));
  const text = document.body.innerText.replace(/\s+/g, ' ');
  return {ids, links, sigs, blocks, images, errors, text,
          title: document.title};
})()
"""

DIRECTIVE = re.compile(r"^(\s*)\.\. (kernel-doc|literalinclude|kit-code)::\s*(\S+)\s*$")
OPTION = re.compile(r"^\s*:([a-z-]+):\s*(.*)$")
# The first word after "/**" names what the comment documents. Any "/**"
# comment counts, well-formed or not: a broken one must fail the check.
KDOC_NAME = re.compile(r"^\s*\*\s+(?:(?:struct|union|enum|typedef)\s+)?"
                       r"([A-Za-z_][A-Za-z0-9_]*)")


def parse_directives(rst_path):
    """kernel-doc, literalinclude and kit-code directives of one page, with
    options (a kit-code counts as a literalinclude)."""
    found = []
    with open(rst_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = DIRECTIVE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, kind, arg = m.groups()
        opts, last = {}, None
        i += 1
        while i < len(lines) and (lines[i].startswith(indent + " ")
                                  and lines[i].strip()):
            om = OPTION.match(lines[i])
            if om:
                last = om.group(1)
                opts[last] = om.group(2)
            elif last:
                opts[last] += " " + lines[i].strip()
            i += 1
        if kind == "kit-code":
            # Its caption defaults to the path without /_kit/ or /_linux/
            # (scripts/kit/sphinxext.py); it is an include like the other.
            kind = "literalinclude"
            opts.setdefault("caption", re.sub(r"^/_(kit|linux)/", "", arg))
        found.append({"kind": kind, "arg": arg, "opts": opts})
    return found


def kdoc_names(path):
    """Names of the kernel-doc comments (/** name() - ...) in a C file."""
    names = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "/**" and i + 1 < len(lines):
            m = KDOC_NAME.match(lines[i + 1])
            if m:
                names.append(m.group(1))
    return names


def doc_first_sentence(path, title):
    """The first sentence of the body of the "DOC: @title" comment of a C
    file, white space folded; None if there is no such section."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"/\*\*\s*\n\s*\*\s*DOC:\s*%s\s*\n(.*?)\*/" % re.escape(title),
                  text, re.S)
    if not m:
        return None
    body = " ".join(l.strip().lstrip("*").strip() for l in m.group(1).splitlines())
    return " ".join(body.split()).split(". ")[0]


def resolve_include(src, page_rel, arg):
    if arg.startswith("/"):
        return os.path.join(src, arg[1:])
    return os.path.join(src, os.path.dirname(page_rel), arg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--chromium", default="chromium")
    args = ap.parse_args()

    chromium = shutil.which(args.chromium)
    if not chromium:
        print("browser check: %s not found (Debian package chromium)"
              % args.chromium)
        return 1
    html_root = os.path.realpath(args.html)
    src = os.path.realpath(args.src)
    shutil.rmtree(args.shots, ignore_errors=True)
    os.makedirs(args.shots)

    pages = []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if not d.startswith("_"))
        for f in sorted(files):
            if f.endswith(".rst"):
                rel = os.path.relpath(os.path.join(root, f), src)
                pages.append(rel[:-len(".rst")])

    problems = []
    seen = {}
    counts = {"kernel-doc": 0, "literalinclude": 0, "links": 0}
    browser = Browser(chromium, WIDTH, HEIGHT)
    try:
        for page in pages:
            html = os.path.join(html_root, page + ".html")
            if not os.path.isfile(html):
                problems.append("%s: page was not rendered" % page)
                continue
            browser.open(file_url(html))
            info = browser.evaluate(PAGE_SCRIPT)
            seen[page] = info
            shot = os.path.join(args.shots, page.replace("/", "-") + ".png")
            browser.full_page_screenshot(shot)

            for err in info["errors"]:
                problems.append("%s: rendered an error: %s" % (page, err))
            for img in info["images"]:
                if not img["ok"]:
                    problems.append("%s: image %s did not load"
                                    % (page, img["src"]))

            directives = parse_directives(os.path.join(src, page + ".rst"))
            sigs = info["sigs"]
            for d in directives:
                if d["kind"] == "kernel-doc":
                    path = os.path.join(src, d["arg"])
                    if not os.path.isfile(path):
                        problems.append("%s: kernel-doc source %s is missing"
                                        % (page, d["arg"]))
                        continue
                    if "doc" in d["opts"]:
                        # A DOC: section renders as prose: its first
                        # sentence must be on the page.
                        counts["kernel-doc"] += 1
                        first = doc_first_sentence(path, d["opts"]["doc"])
                        if not first or first not in info["text"]:
                            problems.append("%s: DOC section '%s' of %s is not shown"
                                            % (page, d["opts"]["doc"], d["arg"]))
                        continue
                    names = d["opts"].get("identifiers", "").split()
                    if not names:
                        names = kdoc_names(path)
                    if not names:
                        problems.append("%s: %s has no kernel-doc comments"
                                        % (page, d["arg"]))
                    for name in names:
                        counts["kernel-doc"] += 1
                        pat = re.compile(r"(^|[\s*])%s\s*\(" % re.escape(name))
                        spat = re.compile(r"\b(struct|union|enum) %s\b"
                                          % re.escape(name))
                        if not any(pat.search(s) or spat.search(s)
                                   for s in sigs):
                            problems.append(
                                "%s: no rendered signature for %s (from %s)"
                                % (page, name, d["arg"]))
                else:
                    counts["literalinclude"] += 1
                    path = resolve_include(src, page, d["arg"])
                    caption = d["opts"].get("caption", "")
                    if not os.path.isfile(path):
                        problems.append("%s: included file %s is missing"
                                        % (page, d["arg"]))
                    if caption.startswith("diff -u "):
                        for f in caption.split()[2:]:
                            if not os.path.isfile(os.path.join(src, "_kit", f)):
                                problems.append("%s: diffed file %s is missing"
                                                % (page, f))
                    blocks = [b for b in info["blocks"]
                              if b["caption"] == caption]
                    wanted = sum(1 for o in directives
                                 if o["kind"] == "literalinclude" and
                                 o["opts"].get("caption", "") == caption)
                    if not caption or len(blocks) < wanted:
                        problems.append("%s: %d of %d code blocks captioned "
                                        "%r are shown (for %s)"
                                        % (page, len(blocks), wanted, caption,
                                           d["arg"]))
                    elif any(b["lines"] < 2 or b["height"] < 10
                             for b in blocks):
                        problems.append("%s: the block from %s is empty"
                                        % (page, d["arg"]))
    finally:
        browser.close()

    # Internal links, resolved against what the browser saw on each page.
    for page, info in seen.items():
        base = os.path.dirname(os.path.join(html_root, page + ".html"))
        for href in info["links"]:
            parsed = urllib.parse.urlparse(href)
            if parsed.scheme or href.startswith("//"):
                continue
            counts["links"] += 1
            target = (os.path.normpath(os.path.join(
                base, urllib.parse.unquote(parsed.path)))
                if parsed.path else os.path.join(html_root, page + ".html"))
            if not os.path.exists(target):
                problems.append("%s: link %s: no such file" % (page, href))
                continue
            frag = urllib.parse.unquote(parsed.fragment)
            if not frag or not target.endswith(".html"):
                continue
            tpage = os.path.relpath(target, html_root)[:-len(".html")]
            if tpage in seen:
                if frag not in seen[tpage]["ids"]:
                    problems.append("%s: link %s: %s has no id %r"
                                    % (page, href, tpage, frag))
            else:
                with open(target, encoding="utf-8") as f:
                    if ('id="%s"' % frag) not in f.read():
                        problems.append("%s: link %s: no id %r"
                                        % (page, href, frag))

    print("  BROWSER %d pages, %d screenshots in %s" %
          (len(seen), len(os.listdir(args.shots)), args.shots))
    print("  CHECKED %d kernel-doc declarations, %d literalincludes, "
          "%d internal links" % (counts["kernel-doc"],
                                 counts["literalinclude"], counts["links"]))
    problems = list(dict.fromkeys(problems))
    for p in problems:
        print("  FAIL    " + p)
    if problems:
        print("browser check: %d problem(s)" % len(problems))
        return 1
    print("browser check: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
