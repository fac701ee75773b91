# SPDX-License-Identifier: GPL-2.0
"""Case-study results: boot logs to one JSON file, and the table from it.

    python3 -m kit case-studies collect RESULTS.json BOOT_DIR...
    python3 -m kit case-studies table RESULTS.json

A boot directory (written by scripts/case-studies.sh) holds boot.info, the
checker's TAP (ktap.log) and the kernel log (console.log) of one candidate.
A candidate is "correct" when every case passed, the guest finished and the
kernel reported nothing; "wrong" when a case failed or the kernel reported
something (KASAN, BUG, WARNING, lockdep, kmemleak...); "no verdict" when the
guest stopped before finishing without either. The expectation comes from
the study's case.conf; collect and table exit 1 if any verdict differs.
"""
import json
import os
import sys

from . import ktap
from .labresult import REPORT, STAMP

DONE = "kit-case: done"


def read_kv(path):
    """KEY=VALUE lines (shell syntax without expansion) into a dict."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, val = line.split("=", 1)
            out[key] = val.strip('"')
    return out


def parse_tap(text):
    """The checker's TAP (kit.ktap): cases with the first diagnostic after a
    failed one as its reason, the other diagnostics, and whether the checker
    reached its "# kit-case: done" line."""
    root = ktap.parse(text)
    cases, diags = [], list(root.preamble)
    for c in root.children:
        after = [l for l in c.after if l != DONE]
        why = after.pop(0) if not c.ok and after else ""
        cases.append({"what": c.name, "ok": bool(c.ok), "why": why})
        diags += after
    if root.bailed is not None:
        cases.append({"what": "checker start", "ok": False, "why": root.bailed})
    done = any(DONE in c.after for c in root.children) or DONE in root.preamble
    return cases, diags, done


def kernel_reports(text):
    """Report lines of the kernel log, without their timestamps."""
    return [STAMP.sub("", l) for l in text.splitlines() if REPORT.search(l)]


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def judge(cases, reports, done):
    """Verdict and the evidence that decided it."""
    failed = [f"{c['what']}: {c['why']}" for c in cases if not c["ok"]]
    if reports or failed:
        return "wrong", reports[:8] + failed
    if not done or not cases:
        return "no verdict", ["the guest stopped before the checker finished"]
    return "correct", [f"{len(cases)} cases passed, no kernel report"]


def collect_boot(bdir, root):
    info = read_kv(os.path.join(bdir, "boot.info"))
    conf = read_kv(os.path.join(root, "case-studies", info["study"], "case.conf"))
    cases, diags, done = parse_tap(read(os.path.join(bdir, "ktap.log")))
    reports = kernel_reports(read(os.path.join(bdir, "console.log")))
    verdict, evidence = judge(cases, reports, done)
    if not done and info.get("qemu_exit") == "124":
        evidence.append(f"no verdict within {info['timeout']} s (CASE_TIMEOUT= raises it)")
    expected = conf.get("EXPECT_" + info["candidate"], "")
    return {
        "study": info["study"],
        "handler": conf.get("HANDLER", info["study"]),
        "candidate": info["candidate"],
        "expected": expected,
        "verdict": verdict,
        "matches": verdict == expected,
        "evidence": evidence,
        "cases": cases,
        "diagnostics": diags,
        "boot_seconds": round(float(info["seconds"]), 1),
        "kernel": info["kernel"],
        "kernel_step_seconds": int(info["kernel_seconds"]),
        "logs": bdir,
    }


def cmd_collect(out, bdirs):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    results = [collect_boot(b, root) for b in bdirs]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"results": results}, f, indent=1)
    return 0 if all(r["matches"] for r in results) else 1


def cmd_table(path):
    try:
        with open(path, encoding="utf-8") as f:
            results = json.load(f)["results"]
    except (OSError, ValueError, KeyError) as e:
        print(f"case-studies: cannot read {path}: {e}; run 'make case-studies'.",
              file=sys.stderr)
        return 2
    fmt = "{:<12} {:<9} {:<9} {:<10} {:>6}  {}"
    print(fmt.format("HANDLER", "CANDIDATE", "EXPECTED", "VERDICT", "BOOT", "EVIDENCE"))
    for r in results:
        mark = "" if r["matches"] else "  <-- NOT AS EXPECTED"
        print(fmt.format(r["handler"], r["candidate"], r["expected"], r["verdict"],
                         f"{r['boot_seconds']}s", r["evidence"][0][:110] + mark))
    bad = [r for r in results if not r["matches"]]
    print(f"\ncase studies: {len(results) - len(bad)} as expected, {len(bad)} not"
          f" (details and logs: {path})")
    return 1 if bad else 0


def main(argv):
    """argv: collect RESULTS BOOT_DIR... | table RESULTS."""
    if len(argv) >= 2 and argv[0] == "collect":
        return cmd_collect(argv[1], argv[2:])
    if len(argv) == 2 and argv[0] == "table":
        return cmd_table(argv[1])
    print(__doc__, file=sys.stderr)
    return 2
