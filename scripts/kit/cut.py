# SPDX-License-Identifier: GPL-2.0
"""Cut a piece of a C file for the guide and the slides: the one cutter both
use (the guide's ``kit-code`` directive, Documentation/sphinx/kitcode.py, and
the deck's ``@code``/``@diff``, slides/tools/build.py).

A cut is a list of tokens, as written on a slide's ``@code`` line:

  fn=NAME        a function definition: its first line at column 0 names
                 NAME( and its body runs from "{" to "}" at column 0
  decl=NAME      an initialised definition "... NAME = {" up to "};"
  type=NAME      a type definition "struct|union|enum NAME {" at column 0
                 up to "};" at column 0
  from=TEXT | after=TEXT, then to=TEXT | before=TEXT or nothing
                 from the line containing TEXT (exactly one in the file),
                 or the line after it, through the next line containing the
                 to= TEXT, or up to the next line containing the before=
                 TEXT (not included), or to the end of the file
  whole          the whole file
and options
  strip-comments drop lines that hold only a comment
  doc            with fn=, type= or decl=: the kernel-doc comment ("/**"
                 up to " */") right above it too (there must be one)
  head           with fn=: the signature only, without the body
  elide=A|B      replace the lines from one containing A through the next
                 containing B with one line "..."
  lang=NAME      the language of the block (the caller's business)

Anything that does not match exactly once raises CutError naming the file
and what is missing, so a renamed function stops both builds.
"""

import re

TAB = 8
SELECTORS = ("fn", "decl", "type", "from", "after", "to", "before", "lang")
FLAGS = ("strip-comments", "whole", "doc", "head")


class CutError(Exception):
    pass


def find_function(lines, name, rel):
    """Indices (first, last) of the definition of function NAME (kernel
    style): its first line and its closing brace."""
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
                raise CutError("%s: function %s has no closing brace"
                               % (rel, name))
            hits.append((i, end))
    if not hits:
        raise CutError("%s: no definition of function %s" % (rel, name))
    if len(hits) > 1:
        raise CutError("%s: %d definitions of function %s"
                       % (rel, len(hits), name))
    return hits[0]


def find_braced(lines, start_re, what, rel):
    """Indices (first, last) of the one line matching START_RE through the
    next "};" at column 0; WHAT names it in errors."""
    hits = [i for i, line in enumerate(lines) if start_re.match(line)]
    if len(hits) != 1:
        raise CutError("%s: %s %s" % (rel, "no" if not hits else "more than one", what))
    end = hits[0]
    while end < len(lines) and lines[end] != "};":
        end += 1
    if end == len(lines):
        raise CutError("%s: %s has no closing \"};\"" % (rel, what))
    return hits[0], end


def find_decl(lines, name, rel):
    return find_braced(lines, re.compile(r"^[A-Za-z_].*\b%s\s*=\s*\{\s*$" % re.escape(name)),
                       "initialised definition of %s" % name, rel)


def find_type(lines, name, rel):
    return find_braced(lines, re.compile(r"^(struct|union|enum) %s \{$" % re.escape(name)),
                       "definition of type %s" % name, rel)


def with_doc(lines, first, name, rel):
    """Index of the "/**" of the kernel-doc comment that ends right above
    line FIRST."""
    if first == 0 or lines[first - 1].strip() != "*/":
        raise CutError("%s: no kernel-doc comment right above %s"
                       % (rel, name))
    i = first - 1
    while i >= 0 and lines[i] != "/**":
        i -= 1
    if i < 0:
        raise CutError("%s: the comment above %s does not open with \"/**\""
                       % (rel, name))
    return i


def find_start(lines, start, rel, what="range"):
    """Index of the one line containing START."""
    starts = [i for i, line in enumerate(lines) if start in line]
    if not starts:
        raise CutError("%s: %s start %r not found" % (rel, what, start))
    if len(starts) > 1:
        raise CutError("%s: %s start %r found %d times (lines %s)"
                       % (rel, what, start, len(starts),
                          ", ".join(str(s + 1) for s in starts)))
    return starts[0]


def find_range(lines, start, stop, rel, what="range"):
    """Indices (first, last) of the line containing START (exactly one)
    through the next containing STOP."""
    first = find_start(lines, start, rel, what)
    for j in range(first, len(lines)):
        if stop in lines[j] and (j > first or start != stop):
            return first, j
    raise CutError("%s: %s end %r not found after %r"
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


def parse(tokens):
    """Split cut TOKENS into (selectors and lang, elisions, flags)."""
    opts, elides, flags = {}, [], set()
    for a in tokens:
        if a.startswith("elide="):
            elides.append(a[len("elide="):])
        elif "=" in a:
            k, v = a.split("=", 1)
            opts[k] = v
        else:
            flags.add(a)
    unknown = (flags - set(FLAGS)) | (set(opts) - set(SELECTORS))
    if unknown:
        raise CutError("unknown option(s): %s" % ", ".join(sorted(unknown)))
    return opts, elides, flags


def cut(lines, tokens, rel):
    """The lines of LINES (the text of file REL) that TOKENS select, tabs
    expanded, trailing blanks and blank lines at either end dropped; and the
    options (for lang=)."""
    opts, elides, flags = parse(tokens)
    named = [k for k in ("fn", "decl", "type") if k in opts]
    if len(named) > 1:
        raise CutError("one of fn=, decl= and type=, not %s"
                       % " and ".join(named))
    if ("doc" in flags or "head" in flags) and not named:
        raise CutError("doc and head go with fn=, decl= or type=")
    if "head" in flags and "fn" not in opts:
        raise CutError("head goes with fn=")
    if named:
        name = opts[named[0]]
        find = {"fn": find_function, "decl": find_decl,
                "type": find_type}[named[0]]
        a, b = find(lines, name, rel)
        if "head" in flags:
            b = a
            while lines[b + 1] != "{":
                b += 1
        if "doc" in flags:
            a = with_doc(lines, a, name, rel)
        out = lines[a:b + 1]
    elif "from" in opts or "after" in opts:
        if ("from" in opts) == ("after" in opts) or \
           ("to" in opts and "before" in opts):
            raise CutError("want one of from= and after=, and at most one "
                           "of to= and before=")
        start = opts.get("from") or opts["after"]
        if "to" in opts or "before" in opts:
            a, b = find_range(lines, start, opts.get("to") or opts["before"], rel)
            b += "to" in opts
        else:
            a, b = find_start(lines, start, rel), len(lines)
        out = lines[a + ("after" in opts):b]
    elif "to" in opts or "before" in opts:
        raise CutError("to= and before= need from= or after=")
    elif "whole" in flags:
        out = lines
    else:
        raise CutError("no selector (fn=, decl=, from=/after= with "
                       "to=/before=, whole) for %s"
                       % rel)
    for e in elides:
        if "|" not in e:
            raise CutError("elide=%r: want elide=START|END" % e)
        a_txt, b_txt = e.split("|", 1)
        a, b = find_range(out, a_txt, b_txt, rel, "elision")
        indent = re.match(r"\s*", out[a]).group(0)
        out = out[:a] + [indent + "..."] + out[b + 1:]
    if "strip-comments" in flags:
        out = strip_comments(out)
    out = [line.expandtabs(TAB).rstrip() for line in out]
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    if not out:
        raise CutError("%s: the selection is empty" % rel)
    return out, opts


def cut_file(path, tokens, rel=None):
    """cut() of the file at PATH, named REL in errors."""
    rel = rel or path
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise CutError("%s: no such file" % rel) from None
    return cut(lines, tokens, rel)
