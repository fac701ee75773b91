#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the reveal.js deck from slides/deck.md.

Usage: build.py --deck FILE --top DIR --out DIR --reveal DIR [--figures DIR]

The deck is Markdown, one slide per block between lines that are exactly
"---". Speaker notes follow a line "Note:". Besides Markdown, a line may be
one of these directives, replaced at build time:

  @class NAME                   CSS class of the slide's <section>
  @code FILE SELECTOR [OPTION...]
                                a fenced C block cut from FILE (relative to
                                the kit's top directory)
  @diff FILE SELECTOR [OPTION...] -- FILE SELECTOR [OPTION...]
                                a unified diff of two such cuts (each
                                side takes its own options), with the
                                whole cut as context
  @figure NAME [nodes=A,B,...] [height=PX]
                                Documentation/figures/NAME.dot as SVG,
                                at most PX high (never stretched);
                                with nodes=, cropped to those graphviz
                                nodes (each must exist)

SELECTOR and OPTION are those of scripts/kit/cut.py (fn=NAME, decl=NAME,
from=TEXT to=TEXT|before=TEXT, whole; strip-comments, elide=A|B, lang=NAME),
the cutter the guide's kit-code directive uses too. lang= is the fence's
language (default c; diff for @diff).

Any selector or elision that does not match exactly once stops the build
with the deck's line number, so a slide cannot silently drift from the
source it quotes. Figures are rendered with dot -Tsvg.
"""

import argparse
import difflib
import html
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
from kit import cut  # noqa: E402  (the cutter the guide uses too)


class BuildError(Exception):
    pass


def select(top, rel, args):
    """Cut FILE by the selector among ARGS (scripts/kit/cut.py)."""
    try:
        return cut.cut_file(os.path.join(top, rel), args, rel)
    except cut.CutError as e:
        raise BuildError(str(e)) from None


def fence(lang, lines, label):
    body = "\n".join(lines)
    if "```" in body:
        raise BuildError("%s contains a Markdown fence" % label)
    # data-caption is shown under the block by kit.css.
    return "```%s\n%s\n```\n<p class=\"src\">%s</p>" % (
        lang, body, html.escape(label))


def directive_code(top, tokens):
    if len(tokens) < 2:
        raise BuildError("@code FILE SELECTOR [OPTION...]")
    rel = tokens[0]
    cut, opts = select(top, rel, tokens[1:])
    return fence(opts.get("lang", "c"), cut, rel)


DIFF_USAGE = "@diff FILE SELECTOR [OPTION...] -- FILE SELECTOR [OPTION...]"


def directive_diff(top, tokens):
    if "--" not in tokens:
        raise BuildError(DIFF_USAGE)
    k = tokens.index("--")
    left, right = tokens[:k], tokens[k + 1:]
    if len(left) < 2 or len(right) < 2:
        raise BuildError(DIFF_USAGE)
    a, _ = select(top, left[0], left[1:])
    b, _ = select(top, right[0], right[1:])
    diff = list(difflib.unified_diff(a, b, lineterm="", n=max(len(a), len(b))))
    if not diff:
        raise BuildError("%s and %s: the selections are identical"
                         % (left[0], right[0]))
    body = [d for d in diff[2:] if not d.startswith("@@")]
    return fence("diff", body, "diff -u %s %s" % (left[0], right[0]))


SVG_NS = "http://www.w3.org/2000/svg"
NUM = re.compile(r"-?\d+(?:\.\d+)?")


def crop_svg(svg, nodes, out_path):
    """Write SVG cut down to the bounding box of the named graphviz nodes.

    dot draws every node as <g class="node"><title>NAME</title>...; the
    shapes' coordinates are in the space of the graph0 group, which dot
    translates. The crop is a new viewBox on the same drawing.
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    tree = ET.parse(svg)
    root = tree.getroot()
    graph = root.find("{%s}g" % SVG_NS)
    m = re.search(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)",
                  graph.get("transform", "")) if graph is not None else None
    if not m:
        raise BuildError("%s: no translated graph group" % svg)
    tx, ty = float(m.group(1)), float(m.group(2))
    found = {}
    for g in graph.iter("{%s}g" % SVG_NS):
        title = g.find("{%s}title" % SVG_NS)
        if g.get("class") == "node" and title is not None and \
                title.text in nodes:
            xs, ys = [], []
            for shape in g.iter():
                tag = shape.tag.split("}")[-1]
                if tag in ("polygon", "polyline"):
                    v = [float(n) for n in NUM.findall(shape.get("points"))]
                    xs += v[0::2]
                    ys += v[1::2]
                elif tag == "path":
                    v = [float(n) for n in NUM.findall(shape.get("d"))]
                    xs += v[0::2]
                    ys += v[1::2]
                elif tag == "ellipse":
                    cx, cy = float(shape.get("cx")), float(shape.get("cy"))
                    rx, ry = float(shape.get("rx")), float(shape.get("ry"))
                    xs += [cx - rx, cx + rx]
                    ys += [cy - ry, cy + ry]
            if xs:
                found[title.text] = (min(xs), min(ys), max(xs), max(ys))
    missing = [n for n in nodes if n not in found]
    if missing:
        raise BuildError("%s: no node %s" % (svg, ", ".join(missing)))
    pad = 8
    x0 = min(b[0] for b in found.values()) + tx - pad
    y0 = min(b[1] for b in found.values()) + ty - pad
    x1 = max(b[2] for b in found.values()) + tx + pad
    y1 = max(b[3] for b in found.values()) + ty + pad
    root.set("viewBox", "%.2f %.2f %.2f %.2f" % (x0, y0, x1 - x0, y1 - y0))
    root.set("width", "%.0fpt" % (x1 - x0))
    root.set("height", "%.0fpt" % (y1 - y0))
    tree.write(out_path, encoding="utf-8", xml_declaration=True)


def directive_figure(tokens, figsrc, out, rendered):
    if not tokens:
        raise BuildError("@figure NAME [nodes=A,B,...] [height=PX]")
    name = tokens[0]
    dot = os.path.join(figsrc, name + ".dot")
    if not os.path.isfile(dot):
        raise BuildError("figure %s: %s is missing" % (name, dot))
    opts = {}
    for t in tokens[1:]:
        if "=" not in t:
            raise BuildError("figure %s: option %r is not KEY=VALUE"
                             % (name, t))
        k, v = t.split("=", 1)
        opts[k] = v
    unknown = set(opts) - {"nodes", "height"}
    if unknown:
        raise BuildError("figure %s: unknown option(s) %s"
                         % (name, ", ".join(sorted(unknown))))
    svg = os.path.join(out, "figures", name + ".svg")
    if name not in rendered:
        os.makedirs(os.path.dirname(svg), exist_ok=True)
        res = subprocess.run(["dot", "-Tsvg", "-o", svg, dot],
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise BuildError("dot -Tsvg %s: %s" % (dot, res.stderr.strip()))
        rendered.add(name)
    src = name + ".svg"
    alt = name
    if "nodes" in opts:
        nodes = [n for n in opts["nodes"].split(",") if n]
        src = "%s--%s.svg" % (name, "-".join(nodes))
        crop_svg(svg, nodes, os.path.join(out, "figures", src))
        alt = "%s (%s)" % (name, ", ".join(nodes))
    style = ""
    if "height" in opts:
        style = ' style="max-height:%dpx"' % int(opts["height"])
    return ('<img class="figure" src="figures/%s" alt="%s"%s>'
            % (src, html.escape(alt), style))


def split_slides(text):
    """[(first line number, [lines])]: blocks between '---' lines."""
    slides, cur, start, in_fence = [], [], 1, False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_fence = not in_fence
        if line == "---" and not in_fence:
            slides.append((start, cur))
            cur, start = [], n + 1
            continue
        cur.append(line)
    slides.append((start, cur))
    return slides


def build(deck, top, out, figsrc):
    with open(deck, encoding="utf-8") as f:
        text = f.read()
    sections = []
    rendered = set()
    errors = []
    for first, lines in split_slides(text):
        cls = []
        body = []
        for k, line in enumerate(lines):
            where = "%s:%d" % (os.path.relpath(deck, top), first + k)
            if not line.startswith("@"):
                body.append(line)
                continue
            try:
                word, *tokens = shlex.split(line)
                if word == "@class":
                    cls += tokens
                elif word == "@code":
                    body.append(directive_code(top, tokens))
                elif word == "@diff":
                    body.append(directive_diff(top, tokens))
                elif word == "@figure":
                    body.append(directive_figure(tokens, figsrc, out,
                                                 rendered))
                else:
                    raise BuildError("unknown directive %s" % word)
            except (BuildError, ValueError) as e:
                errors.append("%s: %s" % (where, e))
        sections.append((cls, "\n".join(body).strip("\n")))
    if errors:
        raise BuildError("\n".join(errors))
    return sections


def render(sections, template):
    parts = []
    for cls, md in sections:
        attr = ' class="%s"' % " ".join(cls) if cls else ""
        parts.append('<section data-markdown data-separator-notes="^Note:"%s>'
                     '<textarea data-template>\n%s\n</textarea></section>'
                     % (attr, html.escape(md, quote=False)))
    with open(template, encoding="utf-8") as f:
        page = f.read()
    if "@@SLIDES@@" not in page:
        raise BuildError("%s has no @@SLIDES@@" % template)
    return page.replace("@@SLIDES@@", "\n".join(parts))


REVEAL_FILES = ["dist/reset.css", "dist/reveal.css", "dist/reveal.js",
                "dist/plugin/markdown.js", "dist/plugin/highlight.js",
                "dist/plugin/notes.js", "LICENSE"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deck", required=True)
    ap.add_argument("--top", required=True, help="the kit's top directory")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--reveal", required=True,
                    help="node_modules/reveal.js of the npm ci install")
    ap.add_argument("--figures", help="graphviz sources "
                    "(default TOP/Documentation/figures)")
    args = ap.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    top = os.path.abspath(args.top)
    figsrc = args.figures or os.path.join(top, "Documentation", "figures")

    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    try:
        sections = build(os.path.abspath(args.deck), top, args.out, figsrc)
        page = render(sections, os.path.join(here, "template.html"))
        for rel in REVEAL_FILES:
            src = os.path.join(args.reveal, rel)
            if not os.path.isfile(src):
                raise BuildError("reveal.js: %s is missing (npm ci?)" % src)
            dst = os.path.join(args.out, "reveal", os.path.basename(rel))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
    except BuildError as e:
        for line in str(e).splitlines():
            print("slides: " + line, file=sys.stderr)
        print("slides: build stopped; nothing was written", file=sys.stderr)
        shutil.rmtree(args.out, ignore_errors=True)
        return 1
    shutil.copyfile(os.path.join(here, "kit.css"),
                    os.path.join(args.out, "kit.css"))
    with open(os.path.join(args.out, "index.html"), "w",
              encoding="utf-8") as f:
        f.write(page)
    print("  SLIDES  %d slides -> %s" % (len(sections),
                                         os.path.join(args.out, "index.html")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
