# SPDX-License-Identifier: GPL-2.0
"""make verify-check's verdict: the kit's pairs pass, every mutant is caught.

    selftest.py OUT_DIR MUTANT_DIR [RECORDED_REPORT PAIR/VARIANT]

Reads the result.json that verify/report.py wrote for each compared variant
in OUT_DIR and the header of each MUTANT_DIR/<name>.patch (variant
m-<name>). A pair's after must PASS. A mutant must FAIL, and the failure
must include its Verify-Caught-By: request among the unaccepted differences
(or, for "kernel GLOB", a kernel report of the mutant matching GLOB). A
change with Verify-Accepted: RULE must PASS with RULE accepting differences.
With RECORDED_REPORT (the worked example of Documentation/verify.rst), the
report of PAIR/VARIANT must be the same text: the page shows what the
current battery and report print. Prints one line per variant; exit status
1 if any expectation is not met.
"""

import fnmatch
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def expectation(patch):
    """("caught", GLOB) or ("accepted", RULE) from the patch's header."""
    with open(patch, encoding="utf-8") as f:
        for line in f:
            for key, kind in (("Verify-Caught-By: ", "caught"),
                              ("Verify-Accepted: ", "accepted")):
                if line.startswith(key):
                    return kind, line[len(key):].strip()
    raise report.VerifyError("%s has no Verify-Caught-By: or Verify-Accepted: "
                             "line" % patch)


def accepted(res, rule):
    """The differences @rule accepted in a passing @res: a sentence, or None."""
    hits = [d["request"] for d in res["differences"] if d["accepted"] == rule]
    if res["verdict"] != "PASS" or not hits:
        return None
    return "%d differences accepted by %s, e.g. %s" % (len(hits), rule, hits[0])


def evidence(res, expect):
    """What in @res shows the mutant: a sentence, or None."""
    if expect.startswith("kernel "):
        glob = expect[len("kernel "):]
        for line in res["after"]["kernel_reports"]:
            if fnmatch.fnmatchcase(line.split("] ", 1)[-1], glob):
                return "kernel: " + line.split("] ", 1)[-1]
        return None
    for d in res["differences"]:
        if not d["accepted"] and fnmatch.fnmatchcase(d["request"], expect):
            return "%s: before %s; after %s" % (
                d["request"],
                report.fmt_outcome({k: d["before"][k] for k in d["fields"]
                                    if k in (d["before"] or {})}
                                   if d["before"] else None),
                report.fmt_outcome({k: d["after"][k] for k in d["fields"]
                                    if k in (d["after"] or {})}
                                   if d["after"] else None))
    return None


def main(argv):
    if len(argv) not in (3, 5):
        print("usage: selftest.py OUT_DIR MUTANT_DIR [RECORDED_REPORT PAIR/VARIANT]",
              file=sys.stderr)
        return 2
    out, mdir = argv[1], argv[2]
    rows, bad = [], 0
    if len(argv) == 5:
        fresh = os.path.join(out, argv[4], "report.txt")
        with open(argv[3], encoding="utf-8") as f:
            recorded = f.read()
        try:
            with open(fresh, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != recorded:
            print("verify-check: %s is not what verify prints now (%s); if the "
                  "change is intended: cp %s %s" % (argv[3], fresh, fresh, argv[3]),
                  file=sys.stderr)
            bad += 1
    try:
        variants, _, _ = report.load_run(out)
        for name, role, _src in variants:
            if role == "before":
                continue
            path = os.path.join(out, name, role, "result.json")
            if not os.path.exists(path):
                rows.append((name, role, "-", "no result", path + " missing"))
                bad += 1
                continue
            with open(path, encoding="utf-8") as f:
                res = json.load(f)
            if role == "after":
                ok = res["verdict"] == "PASS"
                why = "" if ok else "expected PASS: see " + path.replace(
                    "result.json", "report.txt")
                rows.append((name, role, res["verdict"],
                             "ok" if ok else "WRONG", why))
            else:
                kind, what = expectation(os.path.join(mdir, role[2:] + ".patch"))
                if kind == "accepted":
                    ev = accepted(res, what)
                    ok = ev is not None
                    rows.append((name, role, res["verdict"],
                                 "accepted" if ok else "WRONG",
                                 ev or "expected PASS with rule %s used" % what))
                else:
                    ev = evidence(res, what) if res["verdict"] == "FAIL" else None
                    ok = ev is not None
                    rows.append((name, role, res["verdict"],
                                 "caught" if ok else "NOT CAUGHT",
                                 ev or "expected a difference in: " + what))
            bad += not ok
    except (report.VerifyError, OSError, ValueError, KeyError) as e:
        print("verify-check: %s" % e, file=sys.stderr)
        return 2
    print("%-14s %-20s %-8s %-11s %s" % ("PAIR", "VARIANT", "VERDICT",
                                         "EXPECTED", "SHOWN BY"))
    for r in rows:
        print("%-14s %-20s %-8s %-11s %s" % r)
    print("\nverify-check: %d of %d variants as expected" %
          (len(rows) - sum(r[3] not in ("ok", "caught", "accepted") for r in rows),
           len(rows)))
    return 1 if bad or not rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
