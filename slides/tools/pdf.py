#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the built deck to PDF with headless Chromium.

Usage: pdf.py --html DIR/index.html --out FILE.pdf [--chromium PATH]

Opens the deck in reveal.js's print layout (?print-pdf: one page per
slide, page size from the deck's 1280x720), waits until reveal.js reports
the layout done, then prints with the page size it sets.
"""

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
from cdp import REVEAL_READY, Browser, file_url  # noqa: E402

PDF_READY = ("new Promise(r => document.documentElement.classList"
             ".contains('reveal-print') && document.querySelector("
             "'.pdf-page') ? r(true) : Reveal.on('pdf-ready', () => r(true)))")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default="chromium")
    args = ap.parse_args()
    chromium = shutil.which(args.chromium)
    if not chromium:
        print("slides: %s not found (Debian package chromium)" % args.chromium)
        return 1
    start = time.monotonic()
    browser = Browser(chromium)
    try:
        browser.open(file_url(args.html, "?print-pdf"), ready=REVEAL_READY)
        browser.evaluate(PDF_READY)
        browser.wait_images()
        pages = browser.evaluate("document.querySelectorAll('.pdf-page')"
                                 ".length")
        tmp = args.out + ".tmp"
        browser.print_pdf(tmp)
        os.replace(tmp, args.out)
    finally:
        browser.close()
    print("  PDF     %d pages -> %s (%.1fs)"
          % (pages, args.out, time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
