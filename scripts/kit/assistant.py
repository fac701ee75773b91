# SPDX-License-Identifier: GPL-2.0
"""The conversion assistant: classify ->mmap handlers, convert the mechanical ones.

    python3 -m kit.assistant classify --spatch S --ksrc TREE [--dir D | --file F] --json OUT
    python3 -m kit.assistant render JSON              one line per handler, then totals
    python3 -m kit.assistant table JSON               the class table of the decision guide (rst)
    python3 -m kit.assistant verify JSON              every handler has a class or a stated reason
    python3 -m kit.assistant convert --spatch S FILE [--apply]
    python3 -m kit.assistant compare --spatch S --old TREE --new TREE --json OUT
    python3 -m kit.assistant compare-render JSON      one line per handler, then totals
    python3 -m kit.assistant compare-table [--markdown] JSON...   the docs' (README's) tables

classify runs scripts/coccinelle/mmap_prepare.cocci (report and patch mode
in one spatch run) on the files that set an mmap initialiser and define a
function they set, and writes one JSON document; render and table only
read that JSON. convert runs the same semantic patch on one file and prints
a unified diff of its mechanical handlers, and the blockers of the others.
compare runs patch mode on the handlers of an older tree that upstream
converted by the newer one and compares the results with upstream's hooks;
compare-render and compare-table only read its JSON. The verdict comes
from the semantic patch; this file only maps its facts to the guide's
classes and sections.
"""

import argparse
import difflib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

# scripts/, where the semantic patch lives beside this package.
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COCCI = os.path.join(HERE, "coccinelle", "mmap_prepare.cocci")
GUIDE = "Documentation/decision-guide.rst"

# Class -> (title, label of its section in the decision guide).
CLASSES = {
    "flags": ("flags, vm_ops, private data, page protection", "decision_flags"),
    "remap": ("remap_pfn_range()", "decision_remap"),
    "ioremap": ("io_remap_pfn_range(), vm_iomap_memory()", "decision_ioremap"),
    "pages": ("vm_insert_page(s)(), vm_map_pages()", "decision_pages"),
    "state": ("allocation or reference", "decision_state"),
    "lock": ("lock", "decision_locks"),
    "refuse": ("only refuses", "decision_refuse"),
    "stacked": ("forwards to another file", "decision_stacked"),
    "dma": ("dma_mmap_*()", "decision_blocked"),
    "vmalloc": ("remap_vmalloc_range()", "decision_blocked"),
    "ranges": ("several ranges", "decision_blocked"),
    "dispatch": ("dispatches to another table", "decision_blocked"),
    "escapes": ("VMA pointer escapes", "decision_blocked"),
}

REPORT_RE = re.compile(
    r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>[\d-]+): mmap_prepare: "
    r"(?P<fn>\w+): (?P<key>\w+): (?P<detail>.*)$")
# CPU seconds spatch may spend on one file (a few huge handlers take
# minutes). CPU time, not wall time: on a loaded machine a wall-clock limit
# would turn the same file into a timeout or not from one run to the next.
SPATCH_TIMEOUT = int(os.environ.get("SPATCH_TIMEOUT", "60"))
# .mmap of every table, and fb_ops.fb_mmap.
INIT_RE = re.compile(r"\.(?:fb_)?mmap\s*=\s*&?\s*(\w+)\s*[,}\n]")


class AssistantError(Exception):
    """A problem the user can fix; the message says how."""


def parse_report(text):
    """Group spatch report lines by (file, line, handler).

    Returns a list of dicts {file, line, handler, table, facts: [[key,
    detail]], verdict}, in the order the handlers first appear. Lines that
    are not the semantic patch's report lines are ignored.
    """
    handlers = {}
    for raw in text.splitlines():
        m = REPORT_RE.match(raw.strip())
        if not m:
            continue
        key = (m["file"], int(m["line"]), m["fn"])
        h = handlers.setdefault(key, {"file": m["file"], "line": int(m["line"]),
                                      "handler": m["fn"], "table": None,
                                      "facts": [], "verdict": None})
        if m["key"] == "table":
            h["table"] = m["detail"]
        elif m["key"] == "verdict":
            h["verdict"] = m["detail"]
        elif m["key"] == "map" or [m["key"], m["detail"]] not in h["facts"]:
            # Each map call is a fact of its own: two make several ranges.
            h["facts"].append([m["key"], m["detail"]])
    return list(handlers.values())


def classes_of(facts):
    """The decision guide's classes for a handler's facts, in guide order."""
    found = set()
    for key, detail in facts:
        if key in ("flags", "field", "flags_compare"):
            found.add("flags")
        elif key == "map":
            if detail == "remap_pfn_range":
                found.add("remap")
            elif detail in ("io_remap_pfn_range", "vm_iomap_memory"):
                found.add("ioremap")
            elif detail.startswith("vm_insert_page") or detail.startswith("vm_map_pages"):
                found.add("pages")
            elif detail.startswith("dma_mmap_"):
                found.add("dma")
            elif detail.startswith("remap_vmalloc_range"):
                found.add("vmalloc")
        elif key in ("reference", "allocation"):
            found.add("state")
        elif key == "lock":
            found.add("lock")
        elif key == "refuse":
            found.add("refuse")
        elif key == "loop":
            found.add("ranges")
        elif key == "dispatch":
            found.add("stacked" if re.match(r"^(vfs_mmap|backing_file_mmap|call_mmap)$",
                                            detail) else "dispatch")
        elif key == "vma_escapes":
            found.add("escapes")
    if sum(1 for k, d in facts if k == "map") > 1:
        found.add("ranges")
    return [c for c in CLASSES if c in found]


def verdict_kind(verdict):
    """mechanical / mapped+close / blocked / unparsed (other, unresolved and
    shared are set by classify)."""
    if verdict is None:
        return "unparsed"
    return verdict.split(":", 1)[0].replace("needs mapped+close", "mapped+close")


def guide_sections(h):
    """Labels of the guide sections a handler's reader should follow."""
    labels = [CLASSES[c][1] for c in h["classes"]]
    if h.get("table") not in (None, "file_operations"):
        labels.append("decision_blocked")
    return sorted(set(labels), key=labels.index)


def mmap_files(root, sub):
    """Files under root/sub that set an .mmap initialiser, with the names set."""
    base = os.path.join(root, sub) if sub else root
    try:
        out = subprocess.run(
            ["grep", "-rlE", "--include=*.c", "--include=*.h", r"\.(fb_)?mmap\s*=", base],
            capture_output=True, text=True, check=False).stdout
    except OSError as e:
        raise AssistantError("grep failed: %s" % e)
    files = {}
    for path in sorted(out.split()):
        with open(path, errors="replace") as f:
            names = [n for n in INIT_RE.findall(f.read()) if n != "NULL"]
        if names:
            files[os.path.relpath(path, root)] = names
    return files


def run_spatch(spatch, mode, path, cwd, extra=()):
    """Run the semantic patch on one file; returns (rc, stdout, stderr).

    mode is "report", "patch" or "report+patch" (the report lines on stdout,
    the converted file where extra's "-o FILE" says).
    """
    modes = [a for m in mode.split("+") for a in ("-D", m)]
    # normpath: with "-o", spatch takes a/../a.c and a.c for two files.
    cmd = [spatch, "--very-quiet", *modes, "--cocci-file", COCCI,
           "--no-includes", "--include-headers", "--smpl-spacing", *extra,
           os.path.normpath(path)]
    if mode != "patch":
        cmd.insert(1, "--no-show-diff")
    # ulimit -t: the kernel stops spatch with SIGXCPU at the CPU limit; the
    # wall-clock timeout only guards against a spatch that hangs.
    cmd = ["sh", "-c", 'ulimit -t "$0" && exec "$@"', str(SPATCH_TIMEOUT), *cmd]
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False,
                           timeout=SPATCH_TIMEOUT * 30)
    except subprocess.TimeoutExpired:
        return 124, "", "spatch took more than %d s on this file (hung?)" % (SPATCH_TIMEOUT * 30)
    if p.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return 124, p.stdout, ("spatch used more than %d s of CPU on this file (timeout; "
                               "SPATCH_TIMEOUT= raises it)" % SPATCH_TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def judge(spatch, path, cwd, left_alone=()):
    """Report and patch mode in one spatch run on path.

    Returns (rc, report, stderr, converted text or None); the handlers
    named in left_alone are not converted.
    """
    extra = ["-D", "unconverted=" + ",".join(left_alone)] if left_alone else []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.c")
        rc, rep, err = run_spatch(spatch, "report+patch", path, cwd, ["-o", out, *extra])
        if rc != 0 and "no modified files" in err:
            rc = 0  # -o with nothing converted: not a failure
        new = None
        if rc == 0 and os.path.exists(out):
            with open(out) as f:
                new = f.read()
    return rc, rep, err, new


def parse_message(spatch, path, cwd):
    """spatch's own words on why a file does not parse (first bad lines)."""
    p = subprocess.run([spatch, "--parse-c", path], cwd=cwd, capture_output=True,
                       text=True, check=False)
    msgs = [l.strip() for l in (p.stdout + p.stderr).splitlines()
            if l.startswith(("parse error", "PB", "BAD:", "ERROR-RECOV"))
            or "parse error" in l]
    return "; ".join(msgs[:3]) or "spatch matched no handler definition"


def defined_here(path, name):
    """True if the file defines function name (a textual test)."""
    with open(path, errors="replace") as f:
        return function_body(f.read(), name) is not None


def takes_vma(path, name):
    """True if function name's parameter list mentions struct vm_area_struct."""
    with open(path, errors="replace") as f:
        m = re.search(r"^(?:[A-Za-z_][^;{}()]*\b)?%s\s*\(([^;{]*)\)\s*\{" % re.escape(name),
                      f.read(), re.M)
    return bool(m and "vm_area_struct" in m.group(1))


def table_of(text, name):
    """The struct type of the initialiser that sets .mmap = name in text."""
    m = re.search(r"struct\s+(\w+)\s+\w+\s*(?:\[\w*\])?\s*=\s*\{[^;]*?\.(?:fb_)?mmap\s*=\s*&?%s\b"
                  % re.escape(name), text, re.S)
    return m.group(1) if m else None


# Trees' directories that hold no kernel code a handler could be defined in.
NOT_KERNEL = ("tools/", "Documentation/", "samples/", "scripts/")


def locate(tree, wanted):
    """Find the .c files of tree that define the functions of wanted.

    wanted holds (file of the table that sets it, function name) pairs,
    relative to tree. A function is looked for in its table's file first,
    then in the files a grep of the tree finds naming it before a "(", the
    ones nearest the table's file first (the same directory, then the
    longest common path), so that a static function of the same name in
    an unrelated driver does not win. Returns {pair: relative path or None}.
    """
    texts = {}

    def defines(rel, name):
        if rel not in texts:
            with open(os.path.join(tree, rel), errors="replace") as f:
                texts[rel] = f.read()
        return function_body(texts[rel], name) is not None

    found = {(rel, n): rel if defines(rel, n) else None for rel, n in wanted}
    rest = sorted({n for (rel, n), d in found.items() if d is None})
    if not rest:
        return found
    pat = r"\b(%s)\s*\(" % "|".join(map(re.escape, rest))
    out = subprocess.run(["grep", "-rlE", "--include=*.c", pat, tree],
                         capture_output=True, text=True, check=False).stdout.split()
    cands = [r for r in (os.path.relpath(p, tree) for p in out) if not r.startswith(NOT_KERNEL)]
    for (rel, name), d in found.items():
        if d is not None:
            continue
        near = os.path.dirname(rel)
        for c in sorted(cands, key=lambda r: (-len(os.path.commonpath([near, os.path.dirname(r)])), r)):
            if defines(c, name):
                found[(rel, name)] = c
                break
    return found


def probe(spatch, tree, rel, name, table):
    """Judge function name where it is defined, in tree/rel, as a handler of table.

    A copy of the file, with an initialiser of the table type appended that
    sets the function as .mmap, goes through report and patch mode, so that
    a function set in another file is judged by the same rules as any
    handler (table None: the file sets it itself; only a copy is judged).
    Returns (its handler records, one per definition (#ifdef variants), the
    converted copy or None, spatch's stderr); the copy is converted only if
    every record is mechanical, or there is none.
    """
    with open(os.path.join(tree, rel), errors="replace") as f:
        text = f.read()
    if table:
        text += "\nstatic const struct %s __kit_probe = { .mmap = %s };\n" % (table, name)
    with tempfile.TemporaryDirectory() as tmp:
        cp = os.path.join(tmp, os.path.basename(rel))
        with open(cp, "w") as f:
            f.write(text)
        rc, rep, err, new = judge(spatch, cp, tmp)
        hs = [h for h in parse_report(rep) if h["handler"] == name]
        # Without a handler record (generic_file_mmap), the copy as patch
        # mode left it.
        new = (patch_file(spatch, cp, hs, new)
               if all(h["verdict"] == "mechanical" for h in hs) else None)
    for h in hs:
        h["file"] = rel
    return hs, new, err


def probe_definitions(spatch, ksrc, unresolved, jobs):
    """Classify helpers set as .mmap in one file and defined in another.

    unresolved maps a name to the file of one initialiser that sets it.
    Returns handlers, each judged where it is defined (probe(), jobs at a
    time).
    """
    where = locate(ksrc, [(rel, n) for n, rel in unresolved.items()])

    def one(item):
        (use, name), rel = item
        with open(os.path.join(ksrc, use), errors="replace") as f:
            table = table_of(f.read(), name) or "file_operations"
        return probe(spatch, ksrc, rel, name, table)[0]

    found = []
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        probed = list(ex.map(one, sorted(i for i in where.items() if i[1] is not None)))
    for h in (h for hs in probed for h in hs):
        h["classes"] = classes_of(h["facts"])
        h["kind"] = verdict_kind(h["verdict"])
        h["sections"] = guide_sections(h)
        h["reason"] = "defined here, set as .mmap in other files"
        found.append(h)
    return found


def classify(spatch, ksrc, sub, jobs):
    """Classify every .mmap handler under ksrc/sub; returns the JSON document."""
    t0 = time.monotonic()
    files = mmap_files(ksrc, sub)

    def one(rel):
        # A file that only sets helpers defined elsewhere (vb2_fop_mmap(),
        # ...) has nothing for spatch: its names are resolved below.
        with open(os.path.join(ksrc, rel), errors="replace") as f:
            text = f.read()
        if all(function_body(text, n) is None for n in files[rel]):
            return rel, 0, "", "", None
        return (rel, *judge(spatch, rel, ksrc))

    handlers, seen = [], set()
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        results = list(ex.map(one, files))
    for rel, rc, out, err, new in results:
        found = parse_report(out)
        # What classify calls mechanical, convert must be able to convert.
        if any(h["verdict"] == "mechanical" for h in found):
            patch_file(spatch, os.path.join(ksrc, rel), found, new)
        for h in found:
            h["classes"] = classes_of(h["facts"])
            h["kind"] = verdict_kind(h["verdict"])
            h["sections"] = guide_sections(h)
            if not h["classes"]:
                h["reason"] = ("no class: the handler neither maps, sets fields nor "
                               "refuses (%s)" % (", ".join(k for k, d in h["facts"]) or
                                                 "no fact found"))
            seen.add((rel, h["handler"]))
        handlers.extend(found)
        for name in dict.fromkeys(files[rel]):
            if (rel, name) in seen:
                continue
            path = os.path.join(ksrc, rel)
            if rc != 0:
                why = "spatch failed: " + (err.strip().splitlines() or ["?"])[-1]
                kind = "unparsed"
            elif defined_here(path, name) and not takes_vma(path, name):
                why = "not a VMA handler: %s() takes no struct vm_area_struct" % name
                kind = "other"
            elif defined_here(path, name):
                why = parse_message(spatch, rel, ksrc)
                kind = "unparsed"
            else:
                why = "defined in another file or by a macro"
                kind = "unresolved"
            handlers.append({"file": rel, "line": 0, "handler": name, "table": None,
                             "facts": [], "verdict": None, "classes": [],
                             "kind": kind, "reason": why, "sections": []})
            seen.add((rel, name))
    # A shared helper set in one file and defined in another: classify its
    # definition, and give the files that set it that classification.
    unresolved = {}
    for h in handlers:
        if h["kind"] == "unresolved":
            unresolved.setdefault(h["handler"], h["file"])
    handlers.extend(probe_definitions(spatch, ksrc, unresolved, jobs))
    by_name = {}
    for h in handlers:
        if h["kind"] not in ("unresolved", "unparsed"):
            by_name.setdefault(h["handler"], h)
    for h in handlers:
        d = by_name.get(h["handler"])
        if h["kind"] == "unresolved" and d:
            with open(os.path.join(ksrc, h["file"]), errors="replace") as f:
                h["table"] = table_of(f.read(), h["handler"])
            h.update(kind="shared", classes=d["classes"], sections=d["sections"],
                     reason="defined in %s:%d (%s)" % (d["file"], d["line"], d["verdict"]))
    return {"kernel": tree_version(ksrc), "tree": os.path.basename(os.path.normpath(ksrc)),
            "scope": sub or ".",
            "spatch": spatch_version(spatch), "files": len(files),
            "seconds": round(time.monotonic() - t0, 1), "handlers": handlers}


def tree_version(tree):
    """The kernel version of a source tree ("unknown" if make cannot say)."""
    return subprocess.run(["make", "-s", "-C", tree, "kernelversion"], capture_output=True,
                          text=True, check=False).stdout.strip() or "unknown"


def spatch_version(spatch):
    """spatch's own version line."""
    return subprocess.run([spatch, "--version"], capture_output=True, text=True,
                          check=False).stdout.split("\n")[0]


def totals(doc):
    """Counts per verdict kind and per class."""
    kinds, classes = {}, {c: 0 for c in CLASSES}
    for h in doc["handlers"]:
        kinds[h["kind"]] = kinds.get(h["kind"], 0) + 1
        if h["kind"] in ("unresolved", "shared", "other"):
            continue
        for c in h["classes"]:
            classes[c] += 1
    return kinds, classes


def render(doc):
    """The people's view of a classify JSON document."""
    lines = []
    for h in doc["handlers"]:
        where = "%s:%d" % (h["file"], h["line"]) if h["line"] else h["file"]
        cls = ",".join(h["classes"]) or "-"
        what = h["verdict"] or "%s: %s" % (h["kind"], h.get("reason", ""))
        if h["kind"] == "shared":
            what = "shared: " + h["reason"]
        sec = " ".join(h["sections"])
        lines.append("%s  %s  %s  [%s]  %s%s" % (where, h["handler"], h["table"] or "?",
                                                  cls, what, ("  see " + sec) if sec else ""))
    kinds, classes = totals(doc)
    lines.append("")
    lines.append("Linux %s, %s: %d files, %d handlers (%s) in %.1f s" % (
        doc["kernel"], doc["scope"], doc["files"], len(doc["handlers"]),
        ", ".join("%s %d" % kv for kv in sorted(kinds.items())), doc["seconds"]))
    lines.append("classes: " + ", ".join("%s %d" % (c, n) for c, n in classes.items() if n))
    return "\n".join(lines)


def rst_table(doc):
    """The decision guide's count table, as a list-table."""
    kinds, classes = totals(doc)
    fops = [h for h in doc["handlers"] if h["table"] == "file_operations"]
    out = [".. list-table:: Handlers in Linux %s (``make classify``, %s)" % (
        doc["kernel"], doc["spatch"].split(" compiled")[0]),
        "   :header-rows: 1", "",
        "   * - Class", "     - Handlers", "     - In file_operations", "     - Guide"]
    for c, (title, label) in CLASSES.items():
        n = classes[c]
        nf = sum(1 for h in fops if c in h["classes"])
        out += ["   * - %s" % title, "     - %d" % n, "     - %d" % nf,
                "     - :ref:`%s`" % label]
    out += ["", "Verdicts: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())) + ".", ""]
    return "\n".join(out)


def fix_kernel_doc(text, old, new):
    """Retitle the kernel-doc of a renamed handler and describe @desc."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        l = lines[i]
        if re.match(r"^ \* %s\(\) - " % re.escape(old), l):
            out.append(l.replace(old + "()", new + "()", 1))
            i += 1
            params = []
            while i < len(lines) and re.match(r"^ \*( @\w+:|\t| {2,})", lines[i]):
                params.append(lines[i])
                i += 1
            out.append(" * @desc: the proposed mapping")
            continue
        out.append(l)
        i += 1
    return "\n".join(out)


def patch_file(spatch, path, handlers, new):
    """Check patch mode's text new for path; returns the text to propose or None.

    A mechanical handler whose converted hook still names the VMA parameter
    (a use patch mode could not rewrite, which would not compile) gets a
    blocked verdict instead, in handlers, and patch mode runs again with it
    left alone: the file's other handlers are still converted. None when
    no handler converts.
    """
    with open(path) as f:
        old = f.read()
    left_alone = []
    while new is not None:
        failed = [h for h in handlers if h["verdict"] == "mechanical"
                  and vma_left(old, new, h["handler"])]
        if not failed:
            break
        for h in failed:
            h["verdict"] = "blocked: " + vma_left(old, new, h["handler"])
            left_alone.append(h["handler"])
        new = judge(spatch, path, os.path.dirname(path), left_alone)[3]
    if new is None:
        return None
    for h in handlers:
        if h["verdict"] == "mechanical":
            new = fix_kernel_doc(new, h["handler"], h["handler"] + "_prepare")
    return new if new != old else None


def vma_left(old, new, name):
    """Why name's conversion in new does not hold, or "" if it does."""
    m = re.search(r"\b%s\s*\(([^;{]*)\)\s*\{" % re.escape(name), old)
    vma = re.search(r"struct\s+vm_area_struct\s*\*\s*(\w+)", m.group(1) if m else "")
    body = function_body(new, name + "_prepare")
    if body is None:
        return "patch mode did not produce %s_prepare()" % name
    left = vma and re.search(r"\b%s\b" % vma.group(1), body)
    if left:
        return ("patch mode left a use of the VMA it cannot rewrite (line %d of the "
                "converted hook)" % body[:left.start()].count("\n"))
    return ""


def convert(spatch, path, apply):
    """Patch mode on one file: print a unified diff (or the blockers)."""
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise AssistantError("%s does not exist. Give FILE=path/to/driver.c." % path)
    cache = os.path.realpath(os.environ.get("KIT_CACHE", ""))
    if apply and os.environ.get("KIT_CACHE") and os.path.realpath(path).startswith(cache + os.sep):
        raise AssistantError(
            "%s is in the kit's shared kernel cache (%s), which stays pristine.\n"
            "  Copy the tree (cp -al / rsync) or the file elsewhere and convert the copy." % (path, cache))
    rc, rep, err, new = judge(spatch, path, os.path.dirname(path))
    if rc != 0:
        raise AssistantError("spatch failed on %s:\n%s" % (path, err.strip()))
    handlers = parse_report(rep)
    if not handlers:
        raise AssistantError("%s sets no .mmap handler that spatch could find (or it does not "
                             "parse: run spatch --parse-c %s)." % (path, path))
    new = patch_file(spatch, path, handlers, new)
    with open(path) as f:
        old = f.read()
    blocked = [h for h in handlers if h["verdict"] != "mechanical"]
    for h in blocked:
        h["classes"] = classes_of(h["facts"])
        h["sections"] = guide_sections(h)
        sys.stderr.write("%s:%d: %s: not converted: %s\n  see %s: %s\n" % (
            h["file"], h["line"], h["handler"], h["verdict"], GUIDE,
            ", ".join(h["sections"]) or "decision_blocked"))
    if new is None or new == old:
        return 1 if blocked else 0
    rel = os.path.relpath(path)
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                               "a/" + rel, "b/" + rel))
    if apply:
        with open(path + ".tmp", "w") as f:
            f.write(new)
        os.replace(path + ".tmp", path)
        sys.stderr.write("convert: applied to %s\n" % rel)
    return 1 if blocked else 0



def function_body(text, name):
    """The text of function name's body in C source text, or None."""
    if name not in text:
        return None  # the regex below is slow on large files
    m = re.search(r"^(?:[A-Za-z_][^;{}()]*\b)?%s\s*\([^;{]*\)\s*\{" % re.escape(name), text, re.M)
    if not m:
        return None
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end():i - 1]


def effects(body):
    """What a ->mmap_prepare body asks of the core, normalised for comparison."""
    b = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    b = re.sub(r"\s+", " ", b)
    set_bits, clear_bits = set(), set()
    for call, args in re.findall(r"vma_desc_(set|clear)_flags\s*\(\s*desc\s*,([^;]*)\)\s*;", b):
        bits = {a.strip() for a in args.split(",")}
        (set_bits if call == "set" else clear_bits).update(bits)
    for op, flags in re.findall(r"desc->vm_flags\s*([|&])=\s*~?\(?([^;]*?)\)?\s*;", b):
        bits = {"VMA_%s_BIT" % f.strip()[3:] for f in flags.split("|")}
        (set_bits if op == "|" else clear_bits).update(bits)
    fields = sorted(set(re.findall(r"desc->(\w+)\s*=[^=]", b)) - {"vm_flags"})
    actions = [(n, ",".join(a.strip() for a in args.split(",")))
               for n, args in re.findall(r"(mmap_action_\w+)\s*\(\s*desc\s*,?([^;]*)\)\s*;", b)]
    override = re.findall(r"desc->action\.error_override\s*=\s*([^;]+);", b)
    errors = sorted(set(re.findall(r"return\s+\(?(-E[A-Z0-9]+)", b)))
    return {"set_flags": sorted(set_bits), "clear_flags": sorted(clear_bits),
            "fields": [f for f in fields if f != "action"], "actions": actions,
            "error_override": [o.strip() for o in override], "errors": errors}


def effect_text(items):
    """One effect of a hook (fields, flags, errors, actions) as prose:
    names joined by commas, an action as name(arguments), none as "none"."""
    out = ["%s(%s)" % tuple(i) if isinstance(i, (tuple, list)) else str(i) for i in items]
    return ", ".join(out) if out else "none"


def prepare_handlers(text):
    """{struct variable: .mmap_prepare handler} of a source file."""
    return dict(re.findall(r"\b(\w+)\s*=\s*\{[^;]*?\.mmap_prepare\s*=\s*(\w+)", text, re.S))


def mmap_handlers(text):
    """{struct variable: .mmap handler} of a source file."""
    return dict(re.findall(r"\b(\w+)\s*=\s*\{[^;]*?\.mmap\s*=\s*(\w+)", text, re.S))


GENERIC = ("generic_file_mmap", "generic_file_readonly_mmap")


def compare(spatch, old, new):
    """Patch mode on old's handlers that new converted, against new's hook.

    A handler is (the file of its table, its old name, upstream's new
    name); the tables of one file that set it count once. Both the old
    handler and the new hook are looked for across the tree (locate()), so
    one defined in another file than its table is compared too. Returns
    one row per handler.
    """
    files = subprocess.run(["grep", "-rlE", "--include=*.c", r"\.mmap_prepare\s*=", new],
                           capture_output=True, text=True, check=False).stdout.split()
    pairs = {}
    for path in sorted(files):
        rel = os.path.relpath(path, new)
        if not os.path.isfile(os.path.join(old, rel)):
            continue
        with open(path, errors="replace") as f:
            news = prepare_handlers(f.read())
        with open(os.path.join(old, rel), errors="replace") as f:
            olds = mmap_handlers(f.read())
        for var, nfn in news.items():
            if olds.get(var):
                pairs.setdefault((rel, olds[var], nfn), []).append(var)
    odef = locate(old, [(rel, o) for rel, o, n in pairs if o not in GENERIC])
    ndef = locate(new, [(rel, n) for rel, o, n in pairs])
    judged = {}
    rows = []
    for (rel, ofn, nfn), tables in pairs.items():
        row = {"file": rel, "old": ofn, "new": nfn, "tables": tables}
        rows.append(row)
        if ofn in GENERIC:
            # The table's file converts the initialiser itself.
            if (rel, ofn) not in judged:
                judged[(rel, ofn)] = probe(spatch, old, rel, ofn, None)
            conv = judged[(rel, ofn)][1]
            ok = conv is not None and ofn + "_prepare" in prepare_handlers(conv).values()
            row.update(result="matched" if ok and nfn == ofn + "_prepare" else "different",
                       reason="" if ok else "the generic helper was not renamed")
            continue
        d = odef[(rel, ofn)]
        if d is None:
            row.update(result="refused", reason="%s() is defined in no .c file of the old tree "
                       "(a macro?)" % ofn)
            continue
        row["defined"] = d
        if (d, ofn) not in judged:
            judged[(d, ofn)] = probe(spatch, old, d, ofn, None if d == rel else "file_operations")
        hs, conv, err = judged[(d, ofn)]
        h = hs[0] if hs else None
        nd = ndef[(rel, nfn)]
        theirs = None
        if nd:
            with open(os.path.join(new, nd), errors="replace") as f:
                theirs = function_body(f.read(), nfn)
        if h is None:
            row.update(result="refused", reason="spatch found no handler %s() in %s: %s" % (
                ofn, d, parse_message(spatch, os.path.join(old, d), old)))
        elif h["verdict"] != "mechanical":
            row.update(result="refused", reason=h["verdict"])
        elif conv is None or function_body(conv, ofn + "_prepare") is None:
            row.update(result="refused", reason="patch mode produced no conversion")
        elif theirs is None:
            row.update(result="different", reason="upstream's %s() is defined in no .c file "
                       "of the new tree: nothing to compare with" % nfn)
        else:
            mine = effects(function_body(conv, ofn + "_prepare"))
            theirs = effects(theirs)
            diff = ["%s: ours %s, upstream %s" % (k, effect_text(mine[k]), effect_text(theirs[k]))
                    for k in mine if mine[k] != theirs[k]]
            row.update(result="matched" if not diff else "different",
                       reason="; ".join(diff), ours=mine, upstream=theirs)
    return rows


RESULTS = ("matched", "different", "refused")


def compare_counts(doc):
    """{result: number of handlers} of a compare document, in RESULTS order."""
    return {r: sum(1 for h in doc["handlers"] if h["result"] == r) for r in RESULTS}


def render_compare(doc):
    """The people's view of a compare document: one line per handler, then totals."""
    lines = ["%-9s %s: %s -> %s%s" % (r["result"], r["file"], r["old"], r["new"],
                                      ("  (" + r["reason"] + ")") if r["reason"] else "")
             for r in doc["handlers"]]
    lines.append("Linux %s against %s: %d handlers: %s (%.1f s)" % (
        doc["old_kernel"], doc["new_kernel"], len(doc["handlers"]),
        ", ".join("%s %d" % kv for kv in compare_counts(doc).items()), doc["seconds"]))
    return "\n".join(lines)


def rst_text(s):
    """s as plain reStructuredText (its markup characters escaped)."""
    return re.sub(r"([\\`*_|])", r"\\\1", s)


def compare_table(docs, markdown=False):
    """The upstream comparison: a summary per old kernel, then (rst) every handler."""
    if markdown:
        out = ["| Old kernel | Against | Handlers | Matched | Different | Refused |",
               "|---|---|---|---|---|---|"]
        for d in docs:
            n = compare_counts(d)
            out.append("| %s | %s | %d | %d | %d | %d |" % (
                d["old_kernel"], d["new_kernel"], len(d["handlers"]), *n.values()))
        return "\n".join(out)
    out = [".. list-table:: Patch mode against upstream's conversions (%s)"
           % docs[0]["spatch"].split(" compiled")[0], "   :header-rows: 1", "",
           "   * - Old kernel", "     - Against", "     - Handlers",
           *["     - %s" % r.capitalize() for r in RESULTS]]
    for d in docs:
        out += ["   * - %s" % d["old_kernel"], "     - %s" % d["new_kernel"],
                "     - %d" % len(d["handlers"])]
        out += ["     - %d" % n for n in compare_counts(d).values()]
    for d in docs:
        out += ["", ".. list-table:: Linux %s, each handler upstream converted by %s"
                % (d["old_kernel"], d["new_kernel"]),
                "   :header-rows: 1", "   :widths: 30 25 10 35", "",
                "   * - File", "     - Handler", "     - Result", "     - Reason"]
        for h in d["handlers"]:
            out += ["   * - ``%s``" % h["file"],
                    "     - ``%s`` to ``%s``" % (h["old"], h["new"]),
                    "     - %s" % h["result"], "     - %s" % rst_text(h["reason"] or "-")]
    return "\n".join(out + [""])


def verify(doc):
    """Problems of a classify document: handlers with no class and no reason."""
    bad = []
    for h in doc["handlers"]:
        if not h["classes"] and not h.get("reason"):
            bad.append("%s:%d: %s has no class and no reason" % (h["file"], h["line"], h["handler"]))
        if h["kind"] not in ("mechanical", "mapped+close", "blocked", "unparsed",
                             "unresolved", "shared", "other"):
            bad.append("%s: %s has an unknown verdict kind %r" % (h["file"], h["handler"], h["kind"]))
    if not doc["handlers"]:
        bad.append("no handler at all: wrong tree or a broken semantic patch")
    return bad

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sp = ap.add_subparsers(dest="cmd", required=True)
    c = sp.add_parser("classify")
    c.add_argument("--spatch", required=True)
    c.add_argument("--ksrc", required=True)
    c.add_argument("--dir", default="")
    c.add_argument("--file", default="")
    c.add_argument("--json", required=True)
    c.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    r = sp.add_parser("render")
    r.add_argument("json")
    y = sp.add_parser("verify")
    y.add_argument("json")
    t = sp.add_parser("table")
    t.add_argument("json")
    v = sp.add_parser("convert")
    v.add_argument("--spatch", required=True)
    v.add_argument("--apply", action="store_true")
    v.add_argument("file")
    m = sp.add_parser("compare")
    m.add_argument("--spatch", required=True)
    m.add_argument("--old", required=True)
    m.add_argument("--new", required=True)
    m.add_argument("--json", required=True)
    cr = sp.add_parser("compare-render")
    cr.add_argument("json")
    ct = sp.add_parser("compare-table")
    ct.add_argument("--markdown", action="store_true")
    ct.add_argument("json", nargs="+")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "classify":
            sub = a.file or a.dir
            if sub and not os.path.exists(os.path.join(a.ksrc, sub)):
                raise AssistantError("%s is not in %s. DIR= and FILE= are relative to the tree."
                                     % (sub, a.ksrc))
            doc = classify(a.spatch, a.ksrc, sub, a.jobs)
            os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
            with open(a.json + ".tmp", "w") as f:
                json.dump(doc, f, indent=1)
            os.replace(a.json + ".tmp", a.json)
            print(render(doc))
        elif a.cmd == "verify":
            with open(a.json) as f:
                bad = verify(json.load(f))
            for b in bad:
                print("verify: " + b)
            if bad:
                return 1
            print("verify: %s: every handler has a class or a stated reason" % a.json)
        elif a.cmd in ("render", "table"):
            with open(a.json) as f:
                doc = json.load(f)
            print(render(doc) if a.cmd == "render" else rst_table(doc))
        elif a.cmd == "compare":
            t0 = time.monotonic()
            rows = compare(a.spatch, a.old, a.new)
            doc = {"old_kernel": tree_version(a.old), "new_kernel": tree_version(a.new),
                   "spatch": spatch_version(a.spatch),
                   "seconds": round(time.monotonic() - t0, 1), "handlers": rows}
            os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
            with open(a.json + ".tmp", "w") as f:
                json.dump(doc, f, indent=1)
            os.replace(a.json + ".tmp", a.json)
            print(render_compare(doc))
        elif a.cmd == "compare-render":
            with open(a.json) as f:
                print(render_compare(json.load(f)))
        elif a.cmd == "compare-table":
            docs = []
            for path in a.json:
                with open(path) as f:
                    docs.append(json.load(f))
            print(compare_table(docs, a.markdown))
        else:
            return convert(a.spatch, a.file, a.apply)
    except AssistantError as e:
        sys.stderr.write("mmap-assistant: %s\n" % e)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
