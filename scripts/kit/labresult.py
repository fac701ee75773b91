# SPDX-License-Identifier: GPL-2.0
"""Grade the boots of one lab: their logs into ``kit-lab/1``.

scripts/run-lab.sh boots QEMU once per boot group and then runs
``python3 -m kit lab-result``, which reads each boot's ``ktap.log`` (the
verdict, second serial port) and ``console.log`` (the kernel log, first
port) and writes ``result.json`` once.

A variant passes only if its subtest is ``ok``, the kernel reported nothing
while it ran (nor during boot or the final kmemleak scan, which belong to
every variant of the boot), and the guest reached ``# kit-lab: done``. A
guest that hung, panicked or stopped is never a pass, whatever the checker
said before. A variant of EXPECT_CAUGHT passes (CAUGHT) only if the kernel
reported it. A variant whose cases passed, some with the directive
``# KNOWN <why>`` (a known upstream defect the checker measured), is graded
KNOWN: it counts as a pass, and the kernel reports that match the lab's
KNOWN_REPORTS regex are kept apart in its "known_reports", not failures.
"""

import os
import re

from . import ktap

# What in a kernel log means the lab failed, whatever the checker said.
REPORT = re.compile(
    r"WARNING:|BUG:|Oops|Kernel panic|kernel BUG|UBSAN:|KASAN:|unreferenced object|"
    r"suspected memory leak|INFO: task .* blocked|possible (recursive|circular) locking|"
    r"lock held when returning|VM_BUG_ON|page dumped because")
MARK = re.compile(r"kit-lab: (begin|end) (\S+)\s*$|kit-lab: (kmemleak scan)")
STAMP = re.compile(r"^\[[^]]*\] ")
DONE = "# kit-lab: done"
MAX_REPORTS = 20
# Verdicts that do not fail a lab.
GOOD = ("PASS", "CAUGHT", "KNOWN")


def _sections(console):
    """(owner, line) for each console line: a variant's name between its
    markers, "*" in the final kmemleak scan, "" at boot or between."""
    cur = ""
    for line in console.splitlines():
        m = MARK.search(line)
        if m:
            if m.group(1) == "begin":
                cur = m.group(2)
            elif m.group(1) == "end":
                cur = ""
            else:
                cur = "*"
            continue
        yield cur, line


def stage(console):
    """Where the guest was when its log ends."""
    last = ""
    for line in console.splitlines():
        m = MARK.search(line)
        if m:
            last = {"begin": m.group(2), "end": ""}.get(m.group(1), "*")
    if last == "*":
        return "the final kmemleak scan"
    return last or "boot or between variants"


def reports_for(console, variant, shared=("*", "")):
    """The kernel's reports that belong to @variant, timestamps cut: those
    printed while it ran and those of the sections in @shared (the final
    kmemleak scan "*", boot or between variants "")."""
    out = []
    for owner, line in _sections(console):
        if (owner == variant or owner in shared) and REPORT.search(line):
            out.append(STAMP.sub("", line))
    return out[:MAX_REPORTS]


def boot_stopped(ktap_text, console, qemu_exit, timeout, stall=None):
    """None if the guest finished; else how, where and a one-line message.
    @qemu_exit is "stall" when run-lab stopped a guest silent for @stall s."""
    if any(line.rstrip() == DONE for line in ktap_text.splitlines()):
        return None
    where = stage(console)
    if qemu_exit == "stall":
        return {"how": "stall", "where": where,
                "message": f"no output for {stall}s: the guest hung in {where} "
                           "(LAB_STALL= raises the limit)"}
    if qemu_exit in (124, 137):
        return {"how": "timeout", "where": where,
                "message": f"no verdict within {timeout}s: the guest hung in {where} "
                           "(LAB_TIMEOUT= raises the limit)"}
    how = "panic" if "Kernel panic" in console else "exit"
    return {"how": how, "where": where,
            "message": f"the guest stopped in {where} before its verdict (qemu exit {qemu_exit})"}


def _cases(sub, variant):
    """The checker's cases of one variant's subtest."""
    prefix = variant + ": "
    cases = []
    info = [l[len(prefix):] for l in sub.preamble if l.startswith(prefix)]
    for c in sub.children:
        name = c.name[len(prefix):] if c.name.startswith(prefix) else c.name
        after = [l for l in c.after if not l.startswith(prefix)
                 and not re.match(r"(failed [0-9]+ of|planned [0-9]+ tests)", l)]
        known = (c.directive or "")[len("KNOWN "):] if c.ok and \
            (c.directive or "").startswith("KNOWN ") else None
        cases.append({"name": name, "ok": bool(c.ok), "info": info, "known": known,
                      "diagnostics": [] if c.ok else after})
        info = [l[len(prefix):] for l in c.after if l.startswith(prefix)]
    return cases


def grade_variant(name, boot_no, root, console, stopped, expect_caught, known_reports=""):
    sub = root.child(name)
    reports = reports_for(console, name)
    why = stopped["message"] if stopped else ""
    v = {"name": name, "boot": boot_no, "expect_caught": expect_caught,
         "verdict": "FAIL", "reason": "", "planned": None, "lost": 0,
         "cases": [], "init": [], "reports": reports, "known_reports": []}
    if sub is not None:
        v["planned"] = sub.planned
        v["lost"] = sub.lost
        v["cases"] = _cases(sub, name)
        v["init"] = list(sub.before)
        if sub.bailed is not None:
            v["init"].append("Bail out! " + sub.bailed)
        if sub.lost:
            v["init"].append(f"the checker stopped after {len(sub.children)} "
                             f"of its {sub.planned} cases")
    known = [c["known"] for c in v["cases"] if c["known"]]
    if known and known_reports:
        forgiven = re.compile(known_reports)
        v["known_reports"] = [r for r in reports if forgiven.search(r)]
        reports = v["reports"] = [r for r in reports if not forgiven.search(r)]
    if expect_caught:
        # Only what the variant's own run or the final kmemleak scan printed
        # catches it: a report from before it began (a panic at boot, the
        # previous variant's) says nothing about its code.
        own = [r for r in reports_for(console, name, shared=("*",))
               if r in reports] if sub is not None else []
        if own:
            v["verdict"] = "CAUGHT"
            v["reason"] = "caught, as expected: " + own[0]
        elif sub is None:
            v["reason"] = ("NOT caught: this variant is wrong on purpose and never "
                           "ran" + (f" ({why})" if why else ""))
        else:
            v["reason"] = ("NOT caught: this variant is wrong on purpose and the "
                           "kernel reported nothing" + (f" ({why})" if why else ""))
    elif reports:
        v["reason"] = "kernel reported: " + reports[0] + (f"; {why}" if why else "")
    elif why:
        v["reason"] = why
    elif sub is not None and sub.ok and known:
        v["verdict"] = "KNOWN"
        v["reason"] = "; ".join(known)
    elif sub is not None and sub.ok:
        v["verdict"] = "PASS"
    else:
        first = next((c for c in v["cases"] if not c["ok"]), None)
        if first is not None:
            n = v["cases"].index(first) + 1
            v["reason"] = f"not ok {n} - {name}: {first['name']}"
        elif v["init"]:
            v["reason"] = v["init"][0]
        else:
            v["reason"] = f"no result line for {name} in ktap.log"
    return v


def grade(lab, boots, expect_caught=(), timeout=None, out_dir=None, stall=None,
          known_reports=""):
    """The kit-lab/1 document.

    @boots: dicts with "dir" (holding console.log and ktap.log),
    "variants", "qemu_exit" and "seconds"."""
    doc = {"schema": "kit-lab/1", "lab": lab, "boots": [], "variants": []}
    for n, b in enumerate(boots, 1):
        console = _read(os.path.join(b["dir"], "console.log"))
        ktap_text = _read(os.path.join(b["dir"], "ktap.log"))
        stopped = boot_stopped(ktap_text, console, b["qemu_exit"], timeout, stall)
        root = ktap.parse(ktap_text)
        rel = os.path.relpath(b["dir"], out_dir) if out_dir else b["dir"]
        doc["boots"].append({"boot": n, "variants": list(b["variants"]),
                             "seconds": b["seconds"], "qemu_exit": b["qemu_exit"],
                             "timeout": timeout, "stall": stall, "stopped": stopped,
                             "errors": ktap.errors(root),
                             "console": os.path.join(rel, "console.log"),
                             "ktap": os.path.join(rel, "ktap.log")})
        for v in b["variants"]:
            g = grade_variant(v, n, root, console, stopped, v in expect_caught,
                              known_reports)
            g["seconds"] = b["seconds"]
            doc["variants"].append(g)
    return doc


def passed(doc):
    return bool(doc["variants"]) and all(v["verdict"] in GOOD for v in doc["variants"])


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().replace("\r\n", "\n")
    except FileNotFoundError:
        return ""


def render_failures(doc, lab_dir=""):
    """What run-lab prints for each variant that did not pass."""
    out = []
    for v in doc["variants"]:
        if v["verdict"] in GOOD:
            continue
        out.append(f"---- {doc['lab']}/{v['name']}: {v['reason']}")
        shown = False
        for i, c in enumerate(v["cases"], 1):
            if not c["ok"]:
                out.append(f"  not ok {i} - {v['name']}: {c['name']}")
                out += ["  # " + d for d in c["diagnostics"]]
                shown = True
        out += ["  # " + n for n in v["init"]]
        shown = shown or bool(v["init"])
        boot = doc["boots"][v["boot"] - 1]
        console = os.path.join(lab_dir, boot["console"])
        if v["reports"]:
            out.append(f"  kernel log ({console}):")
            out += ["    " + r for r in v["reports"]]
        elif not shown:
            out += ["    " + l for l in _read(console).splitlines()[-15:]]
    return out
