# SPDX-License-Identifier: GPL-2.0
"""Command line of the grading layer: ``PYTHONPATH=scripts python3 -m kit CMD``.

  harness     --suite S --profile P --exit N --out JSON LOG
  lab-result  --lab L --out-dir D --timeout T [--expect-caught V...] [--known-reports RE] --boot DIR EXIT SECS VARIANTS...
  verdict     LAB_OUT_DIR...
  case-studies collect RESULTS BOOT_DIR... | table RESULTS
  lab-check   --lab L --copy C --out D ... (see labcheck.py)
  checks      REPORT_JSON          status<TAB>kind:name<TAB>step, for shell scripts
  mistake     PATCH [REPORT_JSON]  without a report: 1 if the mistake needs a boot, else 0;
                                   with one: its line of the corpus table, and what
                                   lab-check got wrong (exit 1)
  layout      check ROOT | example-of ROOT LAB... | make-vars ROOT
  lint        ROOT                 SPDX lines, shared plumbing of the variants,
                                   failure-point names (failpoints.py)
"""

import argparse
import glob
import json
import os
import sys

from . import casestudies, failpoints, harness, labcheck, labresult, layout, lint, mistakes, records, verdict


def _write(doc, path):
    labcheck.write(doc, path)


def cmd_harness(a):
    with open(a.log, encoding="utf-8", errors="replace") as f:
        doc = harness.parse(f.read(), a.suite, a.profile, a.exit)
    _write(doc, a.out)
    return 0


def cmd_lab_result(a):
    boots = []
    for d, rc, secs, variants in a.boot:
        boots.append({"dir": d, "qemu_exit": rc if rc == "stall" else int(rc),
                      "seconds": float(secs),
                      "variants": variants.split()})
    doc = labresult.grade(a.lab, boots, a.expect_caught.split(), a.timeout, a.out_dir,
                          a.stall, a.known_reports)
    _write(doc, os.path.join(a.out_dir, "result.json"))
    for line in labresult.render_failures(doc, a.out_dir):
        print(line)
    return 0 if labresult.passed(doc) else 1


def cmd_case_studies(a):
    return casestudies.main(a.args)


def cmd_verdict(a):
    lines, ok = verdict.render(a.dirs)
    print("\n".join(lines))
    return 0 if ok else 1


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def cmd_lab_check(a):
    checks = labcheck.build_checks(a.build_rc, _read(a.build_log))
    if a.build_rc == 0:
        checks += labcheck.style_checks(
            [(t, int(rc), _read(f)) for t, rc, f in a.style])
        docs = []
        for p in sorted(glob.glob(os.path.join(a.harness_results, "*.json"))):
            with open(p, encoding="utf-8") as f:
                docs.append(json.load(f))
        checks += labcheck.harness_checks(_read(a.harness_log), docs)
        if a.boot:
            checks += labcheck.lab_checks(verdict.load(a.lab_out), "after", a.console)
    else:
        checks += labcheck.style_checks(
            [(t, int(rc), _read(f)) for t, rc, f in a.style])
    try:
        hints = [h for p in a.hints
                 for h in records.read(p, ["check", "step", "expect"], ["seen"])]
    except records.RecordError as e:
        print(f"lab-check {a.lab}: {e}", file=sys.stderr)
        return 2
    labcheck.add_hints(checks, hints)
    report = {"schema": "kit-lab-check/1", "lab": a.lab, "copy": a.copy,
              "page": a.page, "logs": a.logs, "seconds": a.seconds,
              "built": a.build_rc == 0, "boot": a.boot, "checks": checks}
    labcheck.write(report, os.path.join(a.out, "report.json"))
    print("\n".join(labcheck.render(report, hints=a.hints_shown)))
    return 0 if all(c["status"] == "ok" for c in checks) else 1


def cmd_checks(a):
    with open(a.report, encoding="utf-8") as f:
        report = json.load(f)
    for c in report["checks"]:
        step = (c["hint"] or {}).get("step") or "-" if c["status"] != "ok" else ""
        print(f"{c['status']}\t{c['kind']}:{c['name']}\t{step}")
    return 0


def cmd_mistake(a):
    try:
        m = mistakes.read(a.patch)
    except (OSError, mistakes.MistakeError) as e:
        print(f"guided-check: {e}", file=sys.stderr)
        return 2
    if not a.report:
        print(1 if mistakes.needs_boot(m) else 0)
        return 0
    with open(a.report, encoding="utf-8") as f:
        report = json.load(f)
    row = mistakes.summary(m, report)
    problems = mistakes.judge(m, report)
    print(f"{row['mistake']:<24} step {row['step']:<2} "
          f"{'routed' if not problems else 'WRONG '} {row['seconds']:5.1f}s"
          f"{'' if row['boot'] else ' (no boot)'}  caught by: "
          f"{', '.join(row['caught_by']) or 'nothing'}")
    for p in problems:
        print(f"    {p}")
    return 1 if problems else 0


def cmd_lint(a):
    root = os.path.abspath(a.root)
    files = lint.tracked(root)
    ok, (nsh, npy) = lint.run_linters(root, files)
    bad = (lint.spdx(root, files) + lint.shared(root) + lint.code_cuts(root, files)
           + failpoints.problems(root))
    for b in bad:
        print(f"lint: {b}")
    if not ok or bad:
        print("lint: fix the problems above (shellcheck names the rule: "
              "https://www.shellcheck.net/wiki/SCnnnn)")
        return 1
    print(f"  LINT    shellcheck {nsh} scripts, pyflakes3 {npy} files, "
          "SPDX lines, shared plumbing, failure-point names: clean")
    return 0


def cmd_layout(a):
    root = os.path.abspath(a.root)
    if a.what == "example-of":
        try:
            print(" ".join(layout.example_of(lab) for lab in a.args))
        except ValueError as e:
            print(f"layout: {e}", file=sys.stderr)
            return 2
        return 0
    if a.what == "make-vars":
        print("\n".join(layout.make_vars(root)))
        return 0
    bad = layout.problems(root)
    for b in bad:
        print(f"layout: {b}")
    if bad:
        print("layout: an example is examples/<name>/, a lab labs/NN-<name>/; "
              "README.md's layout section says what each needs")
        return 1
    print(f"  LAYOUT  {len(layout.examples(root))} examples, {len(layout.labs(root))} labs: "
          "each has its suite, pages, API entries and README row")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="kit")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("harness")
    s.add_argument("--suite", required=True)
    s.add_argument("--profile", required=True)
    s.add_argument("--exit", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("log")
    s.set_defaults(fn=cmd_harness)

    s = sub.add_parser("lab-result")
    s.add_argument("--lab", required=True)
    s.add_argument("--out-dir", required=True)
    s.add_argument("--timeout", type=int, required=True)
    s.add_argument("--stall", type=int, required=True)
    s.add_argument("--expect-caught", default="")
    s.add_argument("--known-reports", default="")
    s.add_argument("--boot", nargs=4, action="append", default=[],
                   metavar=("DIR", "EXIT", "SECS", "VARIANTS"))
    s.set_defaults(fn=cmd_lab_result)

    s = sub.add_parser("case-studies")
    s.add_argument("args", nargs="+", metavar="collect RESULTS BOOT_DIR... | table RESULTS")
    s.set_defaults(fn=cmd_case_studies)

    s = sub.add_parser("verdict")
    s.add_argument("dirs", nargs="+")
    s.set_defaults(fn=cmd_verdict)

    s = sub.add_parser("lab-check")
    for o in ("lab", "copy", "out", "page", "logs", "build-log", "harness-log",
              "harness-results", "lab-out", "console"):
        s.add_argument("--" + o, required=True)
    s.add_argument("--build-rc", type=int, required=True)
    s.add_argument("--seconds", type=float, required=True)
    s.add_argument("--style", nargs=3, action="append", default=[],
                   metavar=("TOOL", "RC", "FILE"))
    s.add_argument("--hints", action="append", default=[])
    s.add_argument("--no-hints", dest="hints_shown", action="store_false")
    s.add_argument("--no-boot", dest="boot", action="store_false")
    s.set_defaults(fn=cmd_lab_check)

    s = sub.add_parser("checks")
    s.add_argument("report")
    s.set_defaults(fn=cmd_checks)

    s = sub.add_parser("mistake")
    s.add_argument("patch")
    s.add_argument("report", nargs="?")
    s.set_defaults(fn=cmd_mistake)

    s = sub.add_parser("layout")
    s.add_argument("what", choices=["check", "example-of", "make-vars"])
    s.add_argument("root")
    s.add_argument("args", nargs="*")
    s.set_defaults(fn=cmd_layout)

    s = sub.add_parser("lint")
    s.add_argument("root")
    s.set_defaults(fn=cmd_lint)

    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
