# SPDX-License-Identifier: GPL-2.0
"""Checks on the kit's own files that no compiler makes (``make lint``).

scripts: shellcheck (warnings and errors) on every shell script, found by
    name or shebang, and pyflakes3 on every Python file. pyflakes rather
    than flake8: it reports what is wrong (unused or undefined names,
    imports) and no layout, so the kit's Python keeps the style it shares
    with the kernel's scripts; both come from Debian (shellcheck,
    pyflakes3 in the Makefile's PACKAGES).

spdx: every build file (Makefiles, Kbuild, *.mk, scripts, lab.conf, the
    CI entry point, C sources and headers) has an SPDX-License-Identifier in
    its first three lines.
shared: the plumbing that every variant of an example shares, between its
    "Shared plumbing N of M" and "End of shared plumbing N of M" comments,
    is byte-identical across the variants: each variant stays one complete
    file (the template people copy) and cannot drift from the others.
"""

import fnmatch
import os
import re
import subprocess

BUILD_FILES = ("Makefile", "*/Makefile", "Kbuild", "*/Kbuild", "*.mk", "*.sh",
               "*.py", "*.c", "*.h", "*/lab.conf", "kernel/*.config", ".ci/run",
               "labs/common/init")
# Data read by the build, not build files: recorded logs, patches to send.
NOT_BUILD = ("*/tests/fixtures/*", "Documentation/upstream/*.patch")
SHARED = re.compile(r"/\* Shared plumbing (\d+) of (\d+): .*?\*/\n(.*?)"
                    r"/\* End of shared plumbing \1 of \2\. \*/", re.S)


def tracked(root):
    out = subprocess.run(["git", "-C", root, "ls-files"], check=True,
                         capture_output=True, text=True).stdout
    return [f for f in out.splitlines() if os.path.isfile(os.path.join(root, f))]


def scripts(files, root):
    """(shell, busybox, python): the kit's scripts among @files."""
    shell, busybox, python = [], [], []
    for f in files:
        if f.endswith(".py"):
            python.append(f)
            continue
        if f.endswith(".sh"):
            shell.append(f)
            continue
        with open(os.path.join(root, f), "rb") as fh:
            first = fh.readline(128)
        if first.startswith(b"#!") and b"busybox" in first:
            busybox.append(f)
        elif first.startswith(b"#!") and re.search(rb"\b(ba)?sh\b", first):
            shell.append(f)
    return shell, busybox, python


def run_linters(root, files):
    """Run shellcheck and pyflakes3; their output goes to ours. Returns
    (ok, counts)."""
    shell, busybox, python = scripts(files, root)
    ok = True
    # busybox ash is nearest to POSIX sh for shellcheck.
    for args, group in ((["shellcheck", "-x", "-P", "SCRIPTDIR", "-S", "warning"], shell),
                        (["shellcheck", "-s", "sh", "-S", "warning"], busybox),
                        (["pyflakes3"], python)):
        if group and subprocess.run(args + group, cwd=root).returncode != 0:
            ok = False
    return ok, (len(shell) + len(busybox), len(python))


def spdx(root, files):
    """The build files among @files that lack their SPDX line."""
    bad = []
    for f in files:
        if not any(fnmatch.fnmatch(f, p) for p in BUILD_FILES):
            continue
        if any(fnmatch.fnmatch(f, p) for p in NOT_BUILD):
            continue
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            head = [fh.readline() for _ in range(3)]
        if not any("SPDX-License-Identifier:" in line for line in head):
            bad.append(f"{f}: no SPDX-License-Identifier line in its first three lines")
    return bad


def code_cuts(root, files):
    """Code cut from a file some other way than kit-code (scripts/kit/cut.py),
    which the slides share: a literalinclude of C, or with a line selector."""
    bad = []
    for f in files:
        if not (f.startswith("Documentation/") and f.endswith(".rst")):
            continue
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        for no, line in enumerate(lines, 1):
            m = re.match(r"^(\s*)\.\. literalinclude::\s*(\S+)", line)
            if not m:
                continue
            opts = []
            for nxt in lines[no:]:
                om = re.match(r"^%s\s+:([a-z-]+):" % m.group(1), nxt)
                if not om:
                    break
                opts.append(om.group(1))
            cuts = [o for o in opts if o in ("start-at", "start-after", "end-at",
                                             "end-before", "lines", "pyobject")]
            if m.group(2).endswith((".c", ".h")) or cuts:
                bad.append(f"{f}:{no}: literalinclude of {m.group(2)}"
                           f"{' with :' + ':, :'.join(cuts) + ':' if cuts else ''}: "
                           "cut code with kit-code (:cut: fn=NAME, from=... to=..., "
                           "scripts/kit/cut.py), as the slides do")
    return bad


def shared(root):
    """Problems with the shared plumbing of each example's variants."""
    bad = []
    for ex in sorted(os.listdir(os.path.join(root, "examples"))):
        regions = {}
        exdir = os.path.join(root, "examples", ex)
        for v in sorted(os.listdir(exdir)):
            vdir = os.path.join(exdir, v)
            if not os.path.isdir(vdir):
                continue
            for c in sorted(os.listdir(vdir)):
                if c.endswith(".c"):
                    with open(os.path.join(vdir, c), encoding="utf-8") as fh:
                        found = SHARED.findall(fh.read())
                    if found:
                        regions[f"examples/{ex}/{v}/{c}"] = found
        if not regions:
            continue
        # The reference is the copy most variants have: with three or more,
        # the one that drifted is named.
        shapes = [tuple(r[:2] for r in found) for found in regions.values()]
        shape = max(set(shapes), key=shapes.count)
        for f, found in sorted(regions.items()):
            if tuple(r[:2] for r in found) != shape:
                bad.append(f"{f}: its shared plumbing regions are "
                           f"{[r[0] for r in found]}, the other variants' {[r[0] for r in shape]}")
        for i, (n, m) in enumerate(shape):
            texts = {f: found[i][2] for f, found in regions.items()
                     if tuple(r[:2] for r in found) == shape}
            values = list(texts.values())
            want = max(set(values), key=values.count)
            ref_file = next(f for f, t in sorted(texts.items()) if t == want)
            for f, text in sorted(texts.items()):
                if text != want:
                    line = _first_difference(text, want)
                    bad.append(f"{f}: shared plumbing {n} of {m} differs from "
                               f"{ref_file}'s, first at its line {line} of the region")
        expected = set()
        for v in sorted(os.listdir(exdir)):
            if os.path.isfile(os.path.join(exdir, v, "Kbuild")):
                expected.update(f"examples/{ex}/{v}/{c}"
                                for c in os.listdir(os.path.join(exdir, v)) if c.endswith(".c"))
        for f in sorted(expected - set(regions)):
            bad.append(f"{f}: has no shared plumbing regions, which the other "
                       f"variants of examples/{ex} have")
    return bad


def _first_difference(a, b):
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), 1):
        if x != y:
            return i
    return min(len(a.splitlines()), len(b.splitlines())) + 1
