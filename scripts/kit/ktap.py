# SPDX-License-Identifier: GPL-2.0
"""KTAP (and the TAP 13 the lab checkers write) into a tree of results.

The lab's ``/init`` writes KTAP version 1 to the guest's second serial port:
one subtest per variant, and inside it, indented by four spaces, the
checker's TAP 13 (``labs/common/tap.h``)::

    KTAP version 1
    1..2
    # Subtest: before
        TAP version 13
        1..9
        # before: /dev/kit_flags, 4 pages of 4096 bytes
        ok 1 - before: MAP_SHARED maps the buffer
        not ok 2 - before: MAP_PRIVATE fails with EINVAL
        # mmap returned 0x7f..., expected EINVAL
        ...
    ok 1 before

Why not the kernel's ``tools/testing/kunit/kunit_parser.py`` (which the
tests run as an oracle on every fixture when the fetched tree is there):

* it attaches a diagnostic line to the result that *follows* it (KTAP's
  convention, which KUnit follows); the checkers are TAP 13 writers whose
  explanation of a failure *follows* its ``not ok`` line, and
  ``make lab-check`` shows exactly that explanation;
* it is kunit.py's internal module, not a library: it prints through its
  own Printer and its entry points changed signature between releases,
  while the kit accepts any fetched tree from 7.2 on;
* the grading must give the same answer for a given log whatever tree is
  configured.

Statuses and counts are the same as kunit_parser's on every fixture
(``test_ktap.KunitOracle``), so the two agree on what passed.
"""

import re

RESULT = re.compile(r"^(ok|not ok) ([0-9]+)(?: -)? ?([^#]*?)\s*(?:#\s*(.*))?$")
PLAN = re.compile(r"^1\.\.([0-9]+)")
VERSION = re.compile(r"^(K?TAP) version ([0-9]+)$")
SUBTEST = re.compile(r"^# Subtest: (.*)$")
BAIL = re.compile(r"^Bail out!\s*(.*)$")


class Node:
    """One test: a result line and, for a subtest, the results inside it.

    name, number, ok (None while no result line was seen), directive
    (e.g. "SKIP reason"), planned (the subtest's "1..N", or None),
    children, after (the "# " lines that follow the result, up to the
    next result: TAP 13's convention, the checkers'), before (the "# "
    lines since the previous result: KTAP's convention, /init's), preamble
    ("# " lines of a block before its first result), bailed (a "Bail out!" message), errors (malformed or
    misnumbered lines, with their line numbers).
    """

    def __init__(self, name=None, number=None):
        self.name = name
        self.number = number
        self.ok = None
        self.directive = None
        self.planned = None
        self.children = []
        self.after = []
        self.preamble = []
        self.before = []
        self.bailed = None
        self.errors = []

    @property
    def lost(self):
        """Planned results that never came: a checker that stopped early."""
        if self.planned is None:
            return 0
        return max(0, self.planned - len(self.children))

    def child(self, name):
        for c in self.children:
            if c.name == name:
                return c
        return None

    def to_json(self):
        return {
            "name": self.name, "number": self.number, "ok": self.ok,
            "directive": self.directive, "planned": self.planned,
            "lost": self.lost, "after": self.after,
            "preamble": self.preamble, "before": self.before, "bailed": self.bailed,
            "errors": self.errors,
            "children": [c.to_json() for c in self.children],
        }


def errors(node):
    """Every error of @node and of the blocks inside it."""
    out = list(node.errors)
    for c in node.children:
        out += errors(c)
    return out


def diagnostics(node):
    """The "# " lines of @node's block in order: its preamble, then those
    after each result (where a TAP 13 writer puts its records)."""
    if node is None:
        return []
    lines = list(node.preamble)
    for c in node.children:
        lines += c.after
    return lines


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def parse(text):
    """Parse KTAP/TAP text; returns the root Node (its children are the
    top-level results). Never raises on bad input: what it cannot read is
    in the errors of the node where it was found."""
    lines = [(n, l.rstrip("\r\n").replace("\t", "    "))
             for n, l in enumerate(text.splitlines(), 1)]
    root = Node()
    _block(lines, 0, 0, root)
    return root


def _block(lines, i, indent, node):
    """Read the results at @indent into @node from line @i; returns the
    index of the first line that belongs to an outer block."""
    last = None             # the latest result of this block
    since = []              # "# " lines since the latest result
    pending = None          # a "# Subtest:" whose result has not come yet
    while i < len(lines):
        num, raw = lines[i]
        if not raw.strip():
            i += 1
            continue
        ind = _indent(raw)
        if ind < indent:
            return i
        line = raw[indent:]
        if ind > indent:
            # A nested block: the body of the pending subtest, or of a
            # subtest that has no "# Subtest:" line (KTAP allows that).
            sub = pending or Node()
            i = _block(lines, i, ind, sub)
            pending = sub
            continue
        i += 1
        if VERSION.match(line):
            continue
        m = PLAN.match(line)
        if m:
            if node.planned is not None:
                node.errors.append(f"line {num}: a second plan '{line}'")
            node.planned = int(m.group(1))
            continue
        m = SUBTEST.match(line)
        if m and indent and node.name is None and not node.children:
            # KTAP: "# Subtest: NAME" inside the block names the block.
            node.name = m.group(1)
            continue
        if m:
            # A subtest header that follows a nested block without a result
            # closes nothing: that subtest lost its result line.
            if pending is not None and pending.name is not None:
                _close_lost(node, pending)
            pending = Node(m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            res = pending or Node()
            pending = None
            res.number = int(m.group(2))
            name = m.group(3)
            if res.name is not None and name and name != res.name:
                node.errors.append(f"line {num}: result '{name}' closes subtest '{res.name}'")
            res.name = name or res.name
            res.ok = m.group(1) == "ok"
            res.directive = m.group(4)
            res.before = since
            since = []
            want = len(node.children) + 1
            if res.number != want:
                node.errors.append(f"line {num}: result number {res.number}, expected {want}")
            node.children.append(res)
            last = res
            continue
        m = BAIL.match(line)
        if m:
            node.bailed = m.group(1)
            continue
        if line.startswith("#"):
            text = line[1:].strip()
            since.append(text)
            if last is not None:
                last.after.append(text)
            else:
                node.preamble.append(text)
            continue
        node.errors.append(f"line {num}: not KTAP: '{line.strip()}'")
    if pending is not None and (pending.name is not None or pending.children):
        _close_lost(node, pending)
    return i


def _close_lost(node, sub):
    """A subtest whose result line never came: it counts as not ok."""
    sub.ok = None
    node.children.append(sub)
