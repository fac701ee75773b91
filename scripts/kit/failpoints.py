# SPDX-License-Identifier: GPL-2.0
"""The failure points of an mmap(), from the one table that names them:
tests/harness/include/harness/failure-points.h (the harness includes it as
C; this module reads its rows).

``read()`` gives the stages (F0 to F6 in the guide) and the points the
harness can fail; ``problems()`` lists every place that drifted from the
table, each naming the point or stage: a point the harness injects that
has no row, a row the harness never injects, a figure node whose Fn does
not match its node or the table, a stage no figure or lifecycle table
shows, an "Fn" in the guide, the slides or the lab hints that is no stage.
``expand()`` gives a hint's "Fn" the stage's label, as the harness prints
it. The guide renders the table with the ``failure-points`` directive
(:mod:`kit.sphinxext`).
"""

import glob
import os
import re

TABLE = os.path.join("tests", "harness", "include", "harness", "failure-points.h")
KIT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

STAGE_RE = re.compile(r'^FAILURE_STAGE\((\d), ([a-z_]+), "([^"\\]+)"\)$')
POINT_RE = re.compile(r'^FAILURE_POINT\(([a-z_]+), "((?:[0-9-] ?)+|\*)", "([^"\\]+)"\)$')
# What the harness injects: should_fail("x"), race_point("x"), and the
# point names the lock shims pass on (mutex.h).
INJECT_RE = re.compile(r'(?:\bshould_fail|\brace_point|_killable_at)\((?:[^()"]*, )?"([a-z_]+)"')
# What the tests arm.
ARM_RE = re.compile(r'\bfault_inject_(?:arm|race)\("([a-z_]+)"')
FREF_RE = re.compile(r"\bF(\d+)\b")


class TableError(Exception):
    pass


def read(root=KIT):
    """(stages, points) of the table: stages as [{"n", "id", "label"}],
    points as [{"name", "stages": ["1", "-"] or ["*"], "label"}]."""
    path = os.path.join(root, TABLE)
    stages, points = [], []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            where = f"{TABLE}:{no}"
            if line.startswith("FAILURE_STAGE("):
                m = STAGE_RE.match(line)
                if not m:
                    raise TableError(f"{where}: want FAILURE_STAGE(n, id, \"label\"), got: {line}")
                n = int(m.group(1))
                if n != len(stages):
                    raise TableError(f"{where}: stage F{n} out of order: want F{len(stages)}")
                stages.append({"n": n, "id": m.group(2), "label": m.group(3)})
            elif line.startswith("FAILURE_POINT("):
                m = POINT_RE.match(line)
                if not m:
                    raise TableError(f"{where}: want FAILURE_POINT(name, \"stages\", \"label\"), got: {line}")
                points.append({"name": m.group(1), "stages": m.group(2).split(),
                               "label": m.group(3)})
    known = {str(s["n"]) for s in stages} | {"-", "*"}
    for p in points:
        bad = [s for s in p["stages"] if s not in known]
        if bad:
            raise TableError(f"{TABLE}: point {p['name']} lists stage(s) {' '.join(bad)}, "
                             f"which the table does not have")
    for kind, names in (("stage", [s["id"] for s in stages]),
                        ("point", [p["name"] for p in points])):
        dup = sorted({x for x in names if names.count(x) > 1})
        if dup:
            raise TableError(f"{TABLE}: {kind} {', '.join(dup)} listed twice")
    if not stages or not points:
        raise TableError(f"{TABLE}: no FAILURE_STAGE or no FAILURE_POINT rows")
    return stages, points


def stage_text(stage):
    """"Fn (label)", as the harness prints a stage."""
    return f"F{stage['n']} ({stage['label']})"


def expand(text, stages):
    """TEXT with each "Fn" followed by its label, for the lab hints."""
    by_n = {s["n"]: s for s in stages}
    return FREF_RE.sub(lambda m: stage_text(by_n[int(m.group(1))])
                       if int(m.group(1)) in by_n else m.group(0), text)


def _files(root, patterns):
    out = []
    for p in patterns:
        out += sorted(glob.glob(os.path.join(root, p), recursive=True))
    return out


def _scan(root, files, regex):
    """{name: "file:line" of its first occurrence}."""
    found = {}
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            for no, line in enumerate(f, 1):
                for m in regex.finditer(line):
                    found.setdefault(m.group(1), f"{os.path.relpath(path, root)}:{no}")
    return found


def harness_problems(root, points):
    names = {p["name"] for p in points}
    sources = [f for f in _files(root, ["tests/harness/**/*.c", "tests/harness/**/*.h"])
               if os.path.relpath(f, root) != TABLE]
    injected = _scan(root, sources, INJECT_RE)
    armed = _scan(root, _files(root, ["tests/*.c"]), ARM_RE)
    bad = []
    for name, where in sorted(injected.items()):
        if name not in names:
            bad.append(f"{where}: the harness injects failure point {name}, "
                       f"which {TABLE} does not list: add its row")
    for name, where in sorted(armed.items()):
        if name not in names:
            bad.append(f"{where}: a test arms failure point {name}, "
                       f"which {TABLE} does not list")
    for p in points:
        if p["name"] not in injected:
            bad.append(f"{TABLE}: failure point {p['name']} is never injected by the "
                       f"harness (no should_fail(\"{p['name']}\")): remove its row or inject it")
    return bad


FIG_NODE_RE = re.compile(r'^\s*(\w+)\s*\[label="([^"]*)"')


def figure_problems(root, stages):
    known = {s["n"] for s in stages}
    shown = set()
    bad = []
    for path in _files(root, ["Documentation/figures/*.dot"]):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                m = FIG_NODE_RE.match(line)
                if not m:
                    continue
                node, label = m.groups()
                nm = re.fullmatch(r"f(\d+)", node)
                lm = re.match(r"F(\d+)\b", label)
                if nm or lm:
                    n = int((nm or lm).group(1))
                    if not (nm and lm and nm.group(1) == lm.group(1)):
                        bad.append(f"{rel}:{no}: node {node} is labelled "
                                   f"\"{label.split(chr(92))[0]}\": a failure node fN "
                                   f"must be labelled \"FN ...\"")
                    if n not in known:
                        bad.append(f"{rel}:{no}: node {node}: F{n} is not a stage of {TABLE}")
                    shown.add(n)
    for s in stages:
        if s["n"] not in shown:
            bad.append(f"Documentation/figures: no figure shows F{s['n']} ({s['id']}): "
                       f"add a node f{s['n']} labelled \"F{s['n']} ...\"")
    return bad


REF_FILES = ["Documentation/*.rst", "Documentation/*/*.rst", "Documentation/figures/*.dot",
             "slides/deck.md", "labs/*/hints", "labs/common/hints"]


def reference_problems(root, stages):
    known = {s["n"] for s in stages}
    bad = []
    rows = set()
    for path in _files(root, REF_FILES):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                for m in FREF_RE.finditer(line):
                    if int(m.group(1)) not in known:
                        bad.append(f"{rel}:{no}: F{m.group(1)} is not a stage of {TABLE}")
                if rel == "Documentation/lifecycle.rst":
                    m = re.match(r"^   \* - (F\d+(?:, F\d+)*)$", line)
                    if m:
                        rows |= {int(x[1:]) for x in m.group(1).split(", ")}
    for s in stages:
        if s["n"] not in rows:
            bad.append(f"Documentation/lifecycle.rst: no table row describes "
                       f"F{s['n']} ({s['id']}): add one")
    return bad


def problems(root=KIT):
    try:
        stages, points = read(root)
    except (TableError, OSError) as e:
        return [str(e)]
    return (harness_problems(root, points) + figure_problems(root, stages)
            + reference_problems(root, stages))
