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

SELECTOR is one of
  fn=NAME        a function definition: its first line at column 0 names
                 NAME( and its body runs from "{" to "}" at column 0
  decl=NAME      an initialised definition "... NAME = {" up to "};"
  from=TEXT to=TEXT
                 the first line containing TEXT through the next line
                 containing the second TEXT
  whole          the whole file
OPTION is any of
  strip-comments drop lines that hold only a comment
  elide=A|B      replace the lines from one containing A through the next
                 containing B with one line "..."
  lang=NAME      the fence's language (default c; diff for @diff)

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

TAB = 8


class BuildError(Exception):
    pass


def read_lines(top, rel):
    path = os.path.join(top, rel)
    if not os.path.isfile(path):
        raise BuildError("%s: no such file" % rel)
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def find_function(lines, name, rel):
    """Lines of the definition of function NAME (kernel style)."""
    start_re = re.compile(r"^[A-Za-z_].*\b%s\(" % re.escape(name))
    hits = []
    for i, line in enumerate(lines):
        if not start_re.match(line):
            continue
        # A definition: the signature ends at a "{" line, not at a ";".
        j = i
        while j < len(lines) and lines[j] != "{":
            if lines[j].rstrip().endswith(";"):
                break
            j += 1
        if j < len(lines) and lines[j] == "{":
            end = j + 1
            while end < len(lines) and lines[end] != "}":
                end += 1
            if end == len(lines):
                raise BuildError("%s: function %s has no closing brace"
                                 % (rel, name))
            hits.append((i, end))
    if not hits:
        raise BuildError("%s: no definition of function %s" % (rel, name))
    if len(hits) > 1:
        raise BuildError("%s: %d definitions of function %s"
                         % (rel, len(hits), name))
    i, end = hits[0]
    return lines[i:end + 1]


def find_decl(lines, name, rel):
    start_re = re.compile(r"^[A-Za-z_].*\b%s\s*=\s*\{\s*$" % re.escape(name))
    hits = [i for i, line in enumerate(lines) if start_re.match(line)]
    if len(hits) != 1:
        raise BuildError("%s: %s initialised definition of %s"
                         % (rel, "no" if not hits else "more than one", name))
    i = hits[0]
    end = i
    while end < len(lines) and lines[end] != "};":
        end += 1
    if end == len(lines):
        raise BuildError("%s: definition of %s has no closing \"};\""
                         % (rel, name))
    return lines[i:end + 1]


def find_range(lines, start, stop, rel, what="range"):
    """Indices (first, last) of the first line containing START through the
    next containing STOP. START must occur exactly once."""
    starts = [i for i, line in enumerate(lines) if start in line]
    if not starts:
        raise BuildError("%s: %s start %r not found" % (rel, what, start))
    if len(starts) > 1:
        raise BuildError("%s: %s start %r found %d times (lines %s)"
                         % (rel, what, start, len(starts),
                            ", ".join(str(s + 1) for s in starts)))
    for j in range(starts[0], len(lines)):
        if stop in lines[j] and (j > starts[0] or start != stop):
            return starts[0], j
    raise BuildError("%s: %s end %r not found after %r"
                     % (rel, what, stop, start))


def strip_comments(lines):
    out = []
    in_block = False
    for line in lines:
        s = line.strip()
        if in_block:
            if "*/" in s:
                in_block = False
            continue
        if s.startswith("/*"):
            if "*/" not in s:
                in_block = True
            elif not s.endswith("*/"):
                out.append(line)      # code after a closed comment
            continue
        if s.startswith("//"):
            continue
        out.append(line)
    # No run of blank lines, none at either end.
    tidy = []
    for line in out:
        if not line.strip() and (not tidy or not tidy[-1].strip()):
            continue
        tidy.append(line)
    while tidy and not tidy[-1].strip():
        tidy.pop()
    return tidy


def select(top, rel, args):
    """Cut FILE by the selector among ARGS; apply the options."""
    lines = read_lines(top, rel)
    opts = {}
    elides = []
    flags = set()
    for a in args:
        if a.startswith("elide="):
            elides.append(a[len("elide="):])
        elif "=" in a:
            k, v = a.split("=", 1)
            opts[k] = v
        else:
            flags.add(a)
    if "fn" in opts:
        cut = find_function(lines, opts["fn"], rel)
    elif "decl" in opts:
        cut = find_decl(lines, opts["decl"], rel)
    elif "from" in opts or "to" in opts:
        if "from" not in opts or "to" not in opts:
            raise BuildError("from= and to= go together")
        a, b = find_range(lines, opts["from"], opts["to"], rel)
        cut = lines[a:b + 1]
    elif "whole" in flags:
        cut = lines
    else:
        raise BuildError("no selector (fn=, decl=, from= to=, whole) for %s"
                         % rel)
    for e in elides:
        if "|" not in e:
            raise BuildError("elide=%r: want elide=START|END" % e)
        a_txt, b_txt = e.split("|", 1)
        a, b = find_range(cut, a_txt, b_txt, rel, "elision")
        indent = re.match(r"\s*", cut[a]).group(0)
        cut = cut[:a] + [indent + "..."] + cut[b + 1:]
    if "strip-comments" in flags:
        cut = strip_comments(cut)
    unknown = flags - {"strip-comments", "whole"}
    unknown |= set(opts) - {"fn", "decl", "from", "to", "lang"}
    if unknown:
        raise BuildError("unknown option(s): %s" % ", ".join(sorted(unknown)))
    if not any(line.strip() for line in cut):
        raise BuildError("%s: the selection is empty" % rel)
    return [line.expandtabs(TAB).rstrip() for line in cut], opts


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
