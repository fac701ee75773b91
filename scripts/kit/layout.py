# SPDX-License-Identifier: GPL-2.0
"""Where an example and a lab live, and what each must come with.

An example is one directory, ``examples/<name>/``: a ``<name>-uapi.h`` and
one subdirectory per variant holding one ``.c`` file (and a Kbuild file if
the variant is a kernel module; ``before/`` and ``after/`` always are).
A lab is one directory, ``labs/NN-<name>/``, that grades example <name>:
:func:`example_of` is the only definition of that rule (the Makefile and
scripts/lab-lib.sh ask ``python3 -m kit layout example-of``).

Derived from these directories, not listed anywhere: the harness suite of
each example and the drivers it links (tests/Makefile), the before/after
diff of each example's walk-through (Documentation/Makefile), the modules
and lab checkers (Makefile). What cannot be derived, because people write
it, is checked by :func:`problems`: the harness suite's source, the API
reference entries, the walk-through and lab pages and their toctrees, the
README table. Each problem names the file and what to add.
"""

import os
import re

LAB = re.compile(r"^([0-9]+)-(.+)$")


def example_of(lab):
    """Lab "NN-name" grades examples/name."""
    m = LAB.match(lab)
    if not m:
        raise ValueError(f"a lab is named NN-<example>, not '{lab}'")
    return m.group(2)


def suite_of(example):
    """The harness suite of an example: tests/test_<name, - as _>.c."""
    return "test_" + example.replace("-", "_")


def examples(root):
    d = os.path.join(root, "examples")
    return sorted(e for e in os.listdir(d) if os.path.isdir(os.path.join(d, e)))


def variants(root, example):
    """{variant: (source relative to root, is a module)}."""
    out = {}
    d = os.path.join(root, "examples", example)
    for v in sorted(os.listdir(d)):
        vd = os.path.join(d, v)
        if not os.path.isdir(vd):
            continue
        cs = sorted(c for c in os.listdir(vd) if c.endswith(".c"))
        out[v] = ([f"examples/{example}/{v}/{c}" for c in cs],
                  os.path.isfile(os.path.join(vd, "Kbuild")))
    return out


def labs(root):
    d = os.path.join(root, "labs")
    return sorted(x for x in os.listdir(d) if LAB.match(x)
                  and os.path.isdir(os.path.join(d, x)))


def _read(root, path):
    try:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _toctree_entries(text):
    """The entries of every toctree in an rst text."""
    out, inside = [], False
    for line in (text or "").splitlines():
        if line.startswith(".. toctree::"):
            inside = True
            continue
        if inside:
            if line and not line.startswith(" "):
                inside = False
            elif line.strip() and not line.strip().startswith(":"):
                out.append(line.strip())
    return out


def problems(root):
    """What a new example or lab is missing, one line each."""
    bad = []
    readme = _read(root, "README.md") or ""
    api = _read(root, "Documentation/api.rst") or ""
    ex_index = _read(root, "Documentation/examples/index.rst")
    lab_index = _read(root, "Documentation/labs/index.rst")
    lab_examples = {}
    for lab in labs(root):
        ex = example_of(lab)
        lab_examples[ex] = lab
        if not os.path.isdir(os.path.join(root, "examples", ex)):
            bad.append(f"labs/{lab}: grades examples/{ex}, which does not exist")
            continue
        for f in ("lab.conf", "check.c"):
            if not os.path.isfile(os.path.join(root, "labs", lab, f)):
                bad.append(f"labs/{lab}/{f} is missing: every lab has its boots "
                           "(lab.conf) and its checker (check.c)")
        page = f"Documentation/labs/{lab}.rst"
        if _read(root, page) is None:
            bad.append(f"{page} is missing: every lab has a page")
        if lab not in _toctree_entries(lab_index) and f":doc:`{lab}`" not in (lab_index or ""):
            bad.append(f"Documentation/labs/index.rst does not list {lab} (toctree)")
        if f"`{lab}`" not in readme:
            bad.append(f"README.md: the table of examples does not name lab `{lab}`")
    for ex in examples(root):
        vs = variants(root, ex)
        where = f"examples/{ex}"
        walk = f"Documentation/examples/{ex}.rst"
        # An example without a walk-through is a lab's exercise: the guide
        # does not show its solution, in the API reference either.
        shown = _read(root, walk) is not None
        for need in ("before", "after"):
            if need not in vs or not vs[need][1]:
                bad.append(f"{where}/{need}/ with a Kbuild file is missing: every "
                           "example has a before and an after module")
        for v, (srcs, _) in vs.items():
            if len(srcs) != 1:
                bad.append(f"{where}/{v}/ must hold exactly one .c file, has {len(srcs)}")
                continue
            if shown and f".. kernel-doc:: _kit/{srcs[0]}" not in api:
                bad.append(f"Documentation/api.rst: no '.. kernel-doc:: _kit/{srcs[0]}' "
                           f"for the {ex} {v} variant")
        uapi = f"{where}/{ex}-uapi.h"
        if not os.path.isfile(os.path.join(root, uapi)):
            bad.append(f"{uapi} is missing: the contract the variants and the lab share")
        elif shown and f".. kernel-doc:: _kit/{uapi}" not in api:
            bad.append(f"Documentation/api.rst: no '.. kernel-doc:: _kit/{uapi}'")
        suite = f"tests/{suite_of(ex)}.c"
        if not os.path.isfile(os.path.join(root, suite)):
            bad.append(f"{suite} is missing: the harness suite of {where} "
                       "(tests/Makefile links it with every module variant)")
        if f"`{where}`" not in readme:
            bad.append(f"README.md: the table of examples has no row for `{where}`")
        if shown and ex not in _toctree_entries(ex_index):
            bad.append(f"Documentation/examples/index.rst: the toctree does not list {ex}")
        if not shown and ex not in lab_examples:
            bad.append(f"{walk} is missing: an example without a lab needs a walk-through")
    return bad


def make_vars(root):
    """Make variable definitions of what is derived from the layout
    (included by the Makefiles as build/.../layout.mk)."""
    lines = ["# Generated by 'python3 -m kit layout make-vars' from examples/ and labs/."]
    suites = []
    for ex in examples(root):
        vs = variants(root, ex)
        if "before" not in vs or "after" not in vs:
            continue
        s = suite_of(ex)
        suites.append(s)
        mods = [src for srcs, mod in vs.values() if mod for src in srcs]
        lines.append(f"DRIVERS_{s} := {' '.join(mods)}")
        lines.append(f"DIFF_{ex} := {ex}:{vs['before'][0][0]}:{vs['after'][0][0]}")
    lines.append(f"EXAMPLE_SUITES := {' '.join(suites)}")
    lines.append(f"EXAMPLE_DIFFS := {' '.join(f'$(DIFF_{ex})' for ex in examples(root))}")
    for lab in labs(root):
        lines.append(f"LAB_EXAMPLE_{lab} := {example_of(lab)}")
    return lines
