# SPDX-License-Identifier: GPL-2.0
"""``make lab-check``: the checks of a learner's copy as ``kit-lab-check/1``.

scripts/lab-check.sh builds the copy, runs style, the harness suites and
the lab's boot, each of which leaves its own result; ``python3 -m kit
lab-check`` turns them into one list of checks, finds each failed check's
hint (labs/LAB/hints, then labs/common/hints: the first record whose glob
matches "kind:name"), writes report.json once and prints its rendering.
"""

import fnmatch
import json
import os
import re

from . import failpoints, harness

BUILD = "W=1, sparse and -Werror, as make modules"
HARNESS_BUILD = "the userspace harness compiles the copy"
BOOT = "insmod, the checker, rmmod"
KERNEL = "no WARNING, BUG, lockdep or kmemleak report"
STYLE = {"checkpatch": "checkpatch --strict", "kernel-doc": "kernel-doc -Wall"}


def check(status, kind, name, detail=(), seen=None):
    """@detail: what the check shows; @seen: everything it saw, which a
    hint's "seen" glob is matched against (@detail if not given)."""
    return {"status": status, "kind": kind, "name": name,
            "detail": list(detail), "seen": list(detail if seen is None else seen),
            "hint": None}


def build_checks(rc, log_text):
    if rc == 0:
        return [check("ok", "build", BUILD)]
    msgs = [l for l in log_text.splitlines() if re.search(r"error:|warning:", l)]
    return [check("FAIL", "build", BUILD, msgs[:4])]


def style_checks(results):
    """@results: (tool, rc, output) for checkpatch and kernel-doc."""
    out = []
    for tool, rc, text in results:
        lines = [l for l in text.splitlines() if l.strip()]
        out.append(check("ok" if rc == 0 else "FAIL", "style", STYLE[tool],
                         [] if rc == 0 else lines[:4]))
    return out


def harness_checks(log_text, docs):
    """@docs: the kit-harness/1 documents of the suites that ran."""
    if not docs:
        msgs = [l for l in log_text.splitlines() if re.search(r"error:|tests lab:", l)]
        return [check("FAIL", "build", HARNESS_BUILD, msgs[:4])]
    out = [check("ok", "build", HARNESS_BUILD)]
    for d in docs:
        for t in d["tests"]:
            if t["status"] == "ok":
                out.append(check("ok", "harness", t["name"]))
            else:
                out.append(check("FAIL", "harness", t["name"], harness.details(t),
                                 t["messages"] + t["findings"] + t["teardown"]))
        never = d["lost"] - sum(1 for t in d["tests"] if t["status"] == "lost")
        if never > 0:
            out.append(check("FAIL", "harness", f"{d['suite']}: every test runs",
                             [f"{never} of the suite's {d['planned']} tests never ran: "
                              "it stopped early (see the harness log)"]))
    return out


def lab_checks(doc, variant, console_rel):
    """The checker's cases, the boot and the kernel log of @variant."""
    v = next((x for x in doc["variants"] if x["name"] == variant), None) if doc else None
    log = f"log: {console_rel}"
    if v is None:
        return [check("FAIL", "boot", BOOT, [f"no result for the {variant} variant"]),
                check("FAIL", "kernel", KERNEL, ["the lab did not run"])]
    out = []
    for c in v["cases"]:
        if c["ok"]:
            out.append(check("ok", "lab", c["name"]))
        else:
            out.append(check("FAIL", "lab", c["name"], c["diagnostics"] + c["info"]))
    stopped = doc["boots"][v["boot"] - 1]["stopped"]
    if stopped:
        # Cases that never ran are not passes: say how many were seen.
        ran = (f"the checker reported {len(v['cases'])} of its {v['planned']} cases"
               if v["planned"] is not None else
               f"the checker reported {len(v['cases'])} cases and no plan")
        out.append(check("FAIL", "boot", BOOT, [stopped["message"], ran, log]))
    elif v["init"]:
        out.append(check("FAIL", "boot", BOOT, v["init"][:4]))
    else:
        out.append(check("ok", "boot", BOOT))
    if v["reports"]:
        out.append(check("FAIL", "kernel", KERNEL, v["reports"][:2] + [log], v["reports"]))
    else:
        out.append(check("ok", "kernel", KERNEL))
    return out


def hint_matches(h, key, seen):
    """Hint record @h is for check @key: its "check" glob matches the key
    and, if it has a "seen" glob, one line of what the check saw does too
    (one failing test can mean different steps: what it saw tells which)."""
    if not fnmatch.fnmatchcase(key, h["check"]):
        return False
    return "seen" not in h or any(fnmatch.fnmatchcase(d, h["seen"]) for d in seen)


def add_hints(checks, hints):
    """Give each failed check the first hint that matches it."""
    stages, _ = failpoints.read()
    for c in checks:
        if c["status"] == "ok":
            continue
        key = f"{c['kind']}:{c['name']}"
        h = next((h for h in hints if hint_matches(h, key, c["seen"])), None)
        if h is None:
            c["hint"] = {"step": None, "expect": "no hint for this check: reread the whole page"}
        else:
            # An "Fn" in a hint is a failure stage: say it as the harness does.
            c["hint"] = {"step": None if h["step"] == "-" else h["step"],
                         "expect": failpoints.expand(h["expect"], stages)}
    return checks


def fold(text, width=66):
    """fold -s -w @width: break after the last blank that fits."""
    out = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width)
        if cut < 0:
            cut = width - 1
        out.append(text[:cut + 1].rstrip())
        text = text[cut + 1:]
    out.append(text.rstrip())
    return out


def render(report, hints=True):
    """The lines people read; @hints=False (lab-start HINTS=0) leaves out
    what was expected, which tells the fix, and keeps the step to reread."""
    lab, page = report["lab"], report["page"]
    lines = [f"lab-check {lab}: {report['copy']}"]
    failed = 0
    for c in report["checks"]:
        lines.append(f"  {c['status']:<4}  {c['kind']:<8} {c['name']}")
        if c["status"] == "ok":
            continue
        failed += 1
        h = c["hint"] or {}
        if hints and h:
            for i, l in enumerate(fold(h["expect"])):
                lines.append(("        expected: " if i == 0 else " " * 18) + l)
        # A line is wrapped, not cut: the end of a leak report names the
        # lines that took the reference.
        got = [d[i:i + 120] for d in c["detail"][:4] for i in range(0, min(len(d), 360), 120)]
        for i, d in enumerate(got):
            lines.append(("        got:      " if i == 0 else " " * 18) + d)
        if h.get("step"):
            s = "steps" if re.search(r"[-,]", h["step"]) else "step"
            lines.append(f"        reread:   {s} {h['step']} of {page}")
    total = len(report["checks"])
    secs = round(report["seconds"])
    if report["built"] and not report.get("boot", True):
        lines.append(f"lab-check {lab}: LAB_CHECK_BOOT=0, so the lab kernel did not run the copy.")
    if not report["built"]:
        lines.append(f"lab-check {lab}: the module does not build, so neither the "
                     "harness nor the lab kernel ran it.")
    if failed == 0:
        lines.append(f"lab-check {lab}: all {total} checks passed ({secs}s).")
    else:
        lines.append(f"lab-check {lab}: {failed} of {total} checks failed ({secs}s). "
                     f"Logs: {report['logs']}/")
        lines.append(f"  Steps: {page}, rendered by 'make htmldocs' as "
                     f"build/htmldocs/labs/{lab}.html")
    return lines


def write(report, path):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
