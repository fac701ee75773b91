#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Render every slide of the built deck in headless Chromium and check it.

Usage: render_check.py --html DIR/index.html --shots DIR [--pdf FILE]
                       [--chromium PATH]

The deck is opened at 1280x720 (its own size, so one CSS pixel is one
pixel of the screenshot). For each slide, in order, the script goes to it,
takes a screenshot (DIR/NN.png) and fails if

* the slide is empty: no visible text and no loaded image;
* anything on it leaves the slide box (.reveal .slides): a code block, a
  table or a figure that is too tall or too wide; or runs under the slide
  number in the corner;
* a code block clips a line (its content is wider than the block), or a
  column of a two-column layout is wider than its column;
* code is set smaller than 14px, i.e. someone made it fit by shrinking it;
* text shows Markdown markup (a backtick, "**"), i.e. it was not rendered;
* an image does not load, or the page throws a script error.

With --pdf it also checks that the PDF has one page per slide. Finally it
writes DIR/contact-sheet.png, every slide at a third of its size, for a
person to look at. Exit status 0 if every check passed, 1 otherwise.
"""

import argparse
import math
import os
import re
import shutil
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
from cdp import REVEAL_READY, Browser, file_url  # noqa: E402

WIDTH, HEIGHT = 1280, 720
MIN_CODE_PX = 14
SLACK = 1.0

GO_TO = r"""
(i => {
  const s = Reveal.getSlides()[i];
  const ix = Reveal.getIndices(s);
  Reveal.slide(ix.h, ix.v, ix.f === undefined ? undefined : 99);
  return new Promise(r => requestAnimationFrame(() =>
    requestAnimationFrame(() => r(true))));
})(%d)
"""

# Everything measured in the slide's own units (1280x720).
MEASURE = r"""
((i, slack, minCode) => {
  const s = Reveal.getSlides()[i];
  const box = document.querySelector('.reveal .slides')
    .getBoundingClientRect();
  const k = box.width / %d;
  const title = (s.querySelector('h1, h2') || {}).textContent || '';
  const say = e => {
    const t = (e.textContent || e.getAttribute('alt') || '').trim()
      .replace(/\s+/g, ' ');
    return e.tagName.toLowerCase() +
      (e.className && typeof e.className === 'string' ?
        '.' + e.className.trim().split(/\s+/).join('.') : '') +
      (t ? ' "' + t.slice(0, 50) + '"' : '');
  };
  const visible = e => {
    if (e.closest('aside.notes')) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const problems = [];
  const text = s.innerText.trim();
  const images = Array.from(s.querySelectorAll('img'));
  const shown = images.filter(im => visible(im) && im.naturalWidth > 0);
  for (const im of images)
    if (!(im.complete && im.naturalWidth > 0))
      problems.push('image ' + im.getAttribute('src') + ' did not load');
  if (!text && !shown.length)
    problems.push('empty slide: no visible text or image');
  // Markdown that was not rendered shows its markup.
  const prose = Array.from(
    s.querySelectorAll('p, li, td, th, div.box, h1, h2, h3'))
    .filter(e => visible(e) && !e.closest('pre'))
    .map(e => Array.from(e.childNodes).filter(n => n.nodeType === 3)
      .map(n => n.textContent).join(''));
  for (const t of prose)
    if (/`|\*\*|^#+ /.test(t))
      problems.push('unrendered Markdown: "' + t.trim().slice(0, 60) + '"');

  // Leaving the slide box: report the outermost element that does.
  const out = new Set();
  for (const e of s.querySelectorAll('*')) {
    // Inside a code block the block's own clip check below speaks.
    if (!visible(e) || e.parentElement.closest('pre code')) continue;
    const r = e.getBoundingClientRect();
    const d = {
      right: (r.right - box.right) / k, bottom: (r.bottom - box.bottom) / k,
      left: (box.left - r.left) / k, top: (box.top - r.top) / k,
    };
    const worst = Object.entries(d).filter(([, v]) => v > slack);
    if (!worst.length) continue;
    out.add(e);
    if (e.parentElement && out.has(e.parentElement)) continue;
    problems.push(say(e) + ' overflows the slide box by ' +
      worst.map(([side, v]) => Math.ceil(v) + 'px at the ' + side).join(', '));
  }
  // The slide number sits in the corner of the screen, over the slide.
  const num = document.querySelector('.reveal .slide-number');
  const nr = num && num.offsetParent ? num.getBoundingClientRect() : null;
  if (nr && nr.width > 0)
    for (const e of s.querySelectorAll('*')) {
      if (!visible(e) || e.closest('aside.notes')) continue;
      if (e.children.length &&
          !['PRE', 'CODE', 'IMG', 'P'].includes(e.tagName))
        continue;
      const r = e.getBoundingClientRect();
      if (r.right > nr.left && r.left < nr.right && r.bottom > nr.top &&
          r.top < nr.bottom) {
        problems.push(say(e) + ' runs under the slide number');
        break;
      }
    }
  // Code blocks clip instead of wrapping: compare content and box.
  for (const c of s.querySelectorAll('pre code')) {
    if (!visible(c)) continue;
    const cs = getComputedStyle(c);
    if (c.scrollWidth > c.clientWidth + slack)
      problems.push('code block "' + c.textContent.trim().split('\n')[0]
        .slice(0, 40) + '" clips ' + (c.scrollWidth - c.clientWidth) +
        'px of its longest line');
    if (c.scrollHeight > c.clientHeight + slack)
      problems.push('code block "' + c.textContent.trim().split('\n')[0]
        .slice(0, 40) + '" clips ' + (c.scrollHeight - c.clientHeight) +
        'px of its height');
    const px = parseFloat(cs.fontSize);
    if (px < minCode)
      problems.push('code set at ' + px + 'px, below ' + minCode + 'px');
  }
  // A column whose content is wider than the column runs into the next.
  for (const col of s.querySelectorAll('.cols > div'))
    if (col.scrollWidth > col.clientWidth + slack)
      problems.push('column "' + col.textContent.trim().slice(0, 40) +
        '" is ' + (col.scrollWidth - col.clientWidth) + 'px too wide');
  return {title: title.trim(), problems,
          lines: Array.from(s.querySelectorAll('pre code'))
            .map(c => c.textContent.split('\n').length)};
})(%d, %f, %d)
"""

SHEET = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 10px; background: #888; font: 14px sans-serif; }
div { display: grid; grid-template-columns: repeat(%d, %dpx); gap: 10px; }
figure { margin: 0; background: #fff; }
img { width: %dpx; display: block; border-bottom: 1px solid #ccc; }
figcaption { padding: 2px 6px; }
</style></head><body><div>%s</div></body></html>"""


def pdf_pages(path):
    with open(path, "rb") as f:
        data = f.read()
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def contact_sheet(browser, shots, names, titles):
    cols, w = 4, 320
    cells = "".join(
        '<figure><img src="%s"><figcaption>%d %s</figcaption></figure>'
        % (urllib.parse.quote(n), i + 1, t[:38].replace("<", "&lt;"))
        for i, (n, t) in enumerate(zip(names, titles)))
    page = os.path.join(shots, "contact-sheet.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(SHEET % (cols, w, w, cells))
    rows = math.ceil(len(names) / cols)
    browser.viewport(cols * (w + 10) + 10, rows * (w * 9 // 16 + 32) + 20)
    browser.call("Page.navigate", session=True, url=file_url(page))
    browser.wait_event("Page.loadEventFired")
    browser.wait_images()
    browser.screenshot(os.path.join(shots, "contact-sheet.png"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--pdf")
    ap.add_argument("--chromium", default="chromium")
    args = ap.parse_args()

    chromium = shutil.which(args.chromium)
    if not chromium:
        print("render check: %s not found (Debian package chromium)"
              % args.chromium)
        return 1
    if not os.path.isfile(args.html):
        print("render check: %s does not exist (make slides)" % args.html)
        return 1
    shutil.rmtree(args.shots, ignore_errors=True)
    os.makedirs(args.shots)

    problems = []
    names, titles = [], []
    browser = Browser(chromium, WIDTH, HEIGHT)
    try:
        browser.call("Log.enable", session=True)
        browser.open(file_url(args.html), ready=REVEAL_READY)
        # No animation between slides; no controls over the content.
        browser.evaluate("Reveal.configure({transition: 'none',"
                         " backgroundTransition: 'none', controls: false,"
                         " progress: false}), true")
        total = browser.evaluate("Reveal.getTotalSlides()")
        if not total:
            problems.append("the deck has no slides")
        for i in range(total or 0):
            browser.evaluate(GO_TO % i)
            browser.wait_images()
            info = browser.evaluate(MEASURE % (WIDTH, i, SLACK, MIN_CODE_PX))
            name = "%02d.png" % (i + 1)
            browser.screenshot(os.path.join(args.shots, name))
            names.append(name)
            titles.append(info["title"])
            for p in info["problems"]:
                problems.append("slide %d (%s): %s"
                                % (i + 1, info["title"] or "untitled", p))
        for ev in browser.events:
            m = ev.get("method")
            if m == "Runtime.exceptionThrown":
                d = ev["params"]["exceptionDetails"]
                problems.append("script error: %s" % (
                    d.get("exception", {}).get("description") or
                    d.get("text")))
            elif m == "Log.entryAdded" and \
                    ev["params"]["entry"]["level"] == "error":
                problems.append("browser error: %s"
                                % ev["params"]["entry"]["text"])
        if names:
            contact_sheet(browser, args.shots, names, titles)
    finally:
        browser.close()

    if args.pdf:
        if not os.path.isfile(args.pdf):
            problems.append("%s does not exist" % args.pdf)
        else:
            pages = pdf_pages(args.pdf)
            if pages != total:
                problems.append("%s has %d pages for %d slides"
                                % (args.pdf, pages, total))

    print("  RENDER  %d slides, screenshots and contact sheet in %s"
          % (len(names), args.shots))
    for p in problems:
        print("  FAIL    " + p)
    if problems:
        print("render check: %d problem(s)" % len(problems))
        return 1
    print("render check: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
