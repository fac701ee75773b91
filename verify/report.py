# SPDX-License-Identifier: GPL-2.0
"""The verify report: compare the battery's records of two variants.

    report.py OUT_DIR           compare every variant in OUT_DIR with its
                                pair's before; write OUT_DIR/NAME/VARIANT/
                                result.json and report.txt; print the text
    report.py --render FILE     print the text of a result.json

Inputs, all written by earlier stages in a structured form:

- OUT_DIR/lab/variants: "NAME<TAB>VARIANT<TAB>SOURCE_DIR" per variant
  (verify/verify.sh);
- OUT_DIR/run/boot-N/ktap.log: KTAP from labs/common/init, one subtest per
  variant, whose lines are the battery's JSON records (verify/battery.c);
- OUT_DIR/run/boot-N/reports.VARIANT: the kernel log lines that
  scripts/run-lab.sh's console scan matched while VARIANT ran;
- SOURCE_DIR/verify.accept of the compared variant: intended differences,
  "NAME GLOB" per line, GLOB matched (fnmatch) against the request.

A battery record is {"req": REQUEST, "ret": "ok" | ERRNO | ..., KEY: VALUE}:
the other keys are what the program observed (vmflags, read: a hash of
sampled bytes or the first fault, write, mremap, child_read, ...). Two
records of the same request are the same outcome when every key is equal.

Exit status: 0 if every comparison passes, 1 if one fails, 2 on bad input.
"""

import fnmatch
import json
import os
import sys

BATTERY_VERSION = 1


class VerifyError(Exception):
    """Input that cannot be compared; the message says what to do."""


# --- KTAP: the subtests that labs/common/init writes, one per variant.

def ktap_subtests(text):
    """Split init's KTAP into {variant: {"ok": bool|None, "lines": [...],
    "diag": [...]}}: the subtest's own lines (indent removed) and the
    top-level "# " lines init printed about it (insmod, rmmod). "ok" is
    None when the result line never came (the guest stopped)."""
    tests = {}
    cur = None
    for line in text.splitlines():
        if line.startswith("# Subtest: "):
            cur = line[len("# Subtest: "):].strip()
            tests[cur] = {"ok": None, "lines": [], "diag": []}
        elif cur is None:
            continue
        elif line.startswith("    "):
            tests[cur]["lines"].append(line[4:])
        elif line.startswith("ok ") or line.startswith("not ok "):
            words = line.split()
            if words[-1] == cur:
                tests[cur]["ok"] = words[0] == "ok"
            cur = None
        elif line.startswith("# "):
            tests[cur]["diag"].append(line[2:])
    return tests


# --- The battery's records.

def parse_battery(lines):
    """The battery's output: {"header", "records": [(key, record)], "end",
    "noise"}. A key is (request, n): the n-th time (from 0) the request was
    made. Lines that are not JSON objects (a crash message) are noise."""
    out = {"header": None, "records": [], "end": None, "noise": []}
    seen = {}
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            rec = None
        if not isinstance(rec, dict):
            if line.strip():
                out["noise"].append(line)
            continue
        if "battery" in rec:
            if rec["battery"] != BATTERY_VERSION:
                raise VerifyError(
                    "battery output version %r, this report reads %d: rebuild "
                    "with 'make verify'" % (rec["battery"], BATTERY_VERSION))
            out["header"] = rec
        elif "end" in rec:
            out["end"] = rec
        elif "req" in rec:
            n = seen.get(rec["req"], 0)
            seen[rec["req"]] = n + 1
            out["records"].append(((rec["req"], n), rec))
        else:
            out["noise"].append(line)
    return out


def outcome(rec):
    """What a program saw: the record without its request."""
    if rec is None:
        return None
    return {k: v for k, v in rec.items() if k != "req"}


def compared(o):
    """The part of an outcome that is compared: info_ keys are context for
    a person (the fail-nth step sequence), not an outcome."""
    if o is None:
        return None
    return {k: v for k, v in o.items() if not k.startswith("info_")}


def request_name(key):
    req, n = key
    return req if n == 0 else "%s (time %d)" % (req, n + 1)


# --- Accepted differences.

def read_accept(path):
    """[(name, glob)] from a verify.accept file; [] if there is none."""
    if not os.path.exists(path):
        return []
    rules = []
    with open(path, encoding="utf-8") as f:
        for num, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise VerifyError(
                    "%s:%d: expected 'NAME GLOB' (a name for the intended "
                    "difference, then a pattern of the request), got %r"
                    % (path, num, line))
            rules.append((parts[0], parts[1]))
    return rules


def accepted_by(rules, req):
    for name, glob in rules:
        if fnmatch.fnmatchcase(req, glob):
            return name
    return None


# --- The comparison.

def compare(before, after, rules):
    """Every request whose outcome differs, in the order the battery made
    them, with the accept rule that covers it (or None)."""
    b = dict(before["records"])
    a = dict(after["records"])
    keys = [k for k, _ in before["records"]]
    keys += [k for k, _ in after["records"] if k not in b]
    diffs = []
    for key in keys:
        ob, oa = outcome(b.get(key)), outcome(a.get(key))
        cb, ca = compared(ob), compared(oa)
        if cb == ca:
            continue
        fields = sorted(k for k in set(cb or {}) | set(ca or {})
                        if (cb or {}).get(k) != (ca or {}).get(k))
        name = request_name(key)
        diffs.append({"request": name, "before": ob, "after": oa,
                      "fields": fields,
                      "accepted": accepted_by(rules, key[0])})
    return diffs


def variant_problems(name, st, bat):
    """Why a variant's run cannot be trusted, as sentences; [] if none."""
    probs = []
    if st is None:
        return ["no KTAP subtest for %s: the guest never reached it (see "
                "run/boot-*/console.log)" % name]
    if bat["header"] is None:
        why = "; ".join(st["diag"]) or "no output"
        probs.append("the battery did not run: %s" % why)
    elif bat["end"] is None:
        probs.append("the battery did not finish (its last record: %s)" %
                     (request_name(bat["records"][-1][0])
                      if bat["records"] else "none"))
    if st["ok"] is None:
        probs.append("the guest stopped before %s's result line (see "
                     "run/boot-*/console.log)" % name)
    elif not st["ok"] and bat["end"] is not None:
        probs.append("load, battery or unload failed: %s" %
                     ("; ".join(st["diag"]) or "see run/boot-*/ktap.log"))
    for line in bat["noise"]:
        probs.append("unexpected output: %s" % line)
    for key, rec in bat["records"]:
        if str(rec.get("ret", "")).startswith("error:"):
            probs.append("%s: %s" % (request_name(key), rec["ret"][7:]))
    return probs


def load_run(out_dir):
    """Variants, their KTAP subtests and kernel reports from OUT_DIR."""
    vpath = os.path.join(out_dir, "lab", "variants")
    if not os.path.exists(vpath):
        raise VerifyError("%s is missing: run 'make verify' first" % vpath)
    variants = []
    with open(vpath, encoding="utf-8") as f:
        for line in f:
            name, role, src = line.rstrip("\n").split("\t")
            variants.append((name, role, src))
    subtests, reports = {}, {}
    run = os.path.join(out_dir, "run")
    for boot in sorted(os.listdir(run)) if os.path.isdir(run) else []:
        bdir = os.path.join(run, boot)
        ktap = os.path.join(bdir, "ktap.log")
        if not boot.startswith("boot-") or not os.path.exists(ktap):
            continue
        with open(ktap, encoding="utf-8", errors="replace") as f:
            subtests.update(ktap_subtests(f.read()))
        for fn in os.listdir(bdir):
            if fn.startswith("reports."):
                with open(os.path.join(bdir, fn), encoding="utf-8",
                          errors="replace") as f:
                    reports[fn[len("reports."):]] = [
                        l for l in f.read().splitlines() if l.strip()]
    return variants, subtests, reports


def verify(out_dir):
    """Compare every variant with its pair's before: [result dict]."""
    variants, subtests, reports = load_run(out_dir)
    runs = {}
    for name, role, src in variants:
        v = "%s.%s" % (name, role)
        st = subtests.get(v)
        bat = parse_battery(st["lines"] if st else [])
        runs[(name, role)] = {
            "variant": v, "source": src, "battery": bat,
            "problems": variant_problems(v, st, bat),
            "kernel_reports": reports.get(v, []),
            "records": len(bat["records"]),
            "seconds": (bat["end"] or {}).get("seconds"),
        }
    results = []
    for name, role, src in variants:
        if role == "before":
            continue
        b, a = runs.get((name, "before")), runs[(name, role)]
        if b is None:
            raise VerifyError("pair %s has no before variant" % name)
        rules = read_accept(os.path.join(src, "verify.accept"))
        diffs = compare(b["battery"], a["battery"], rules)
        used = {d["accepted"] for d in diffs if d["accepted"]}
        failing = [d for d in diffs if not d["accepted"]]
        side = {}
        for which, r in (("before", b), ("after", a)):
            side[which] = {k: r[k] for k in ("variant", "source", "problems",
                                             "kernel_reports", "records",
                                             "seconds")}
        ok = (not failing and not b["problems"] and not a["problems"] and
              not b["kernel_reports"] and not a["kernel_reports"])
        results.append({
            "pair": name, "variant": role,
            "verdict": "PASS" if ok else "FAIL",
            "before": side["before"], "after": side["after"],
            "differences": diffs,
            "accept_rules": [{"name": n, "glob": g, "used": n in used}
                             for n, g in rules],
        })
    return results


# --- Rendering.

def fmt_outcome(o):
    if o is None:
        return "(request not made)"
    return " ".join("%s=%s" % (k, json.dumps(v) if " " in str(v) else v)
                    for k, v in o.items())


def render(res):
    """The text people read: the verdict, then every reason for it."""
    b, a = res["before"], res["after"]
    diffs = res["differences"]
    acc = [d for d in diffs if d["accepted"]]
    lines = ["verify %s: %s against %s: %s" % (res["pair"], a["variant"],
                                               b["variant"], res["verdict"]),
             "  %d requests each (%s / %s); %d differ, %d of them accepted; "
             "kernel reports: %d" % (
                 b["records"], b["source"], a["source"], len(diffs), len(acc),
                 len(b["kernel_reports"]) + len(a["kernel_reports"]))]
    for side in (b, a):
        for p in side["problems"]:
            lines.append("  PROBLEM %s: %s" % (side["variant"], p))
        for r in side["kernel_reports"]:
            lines.append("  KERNEL  %s: %s" % (side["variant"], r))
    for d in diffs:
        tag = "ACCEPTED (%s)" % d["accepted"] if d["accepted"] else "DIFF"
        lines.append("  %s %s" % (tag, d["request"]))
        lines.append("    before: %s" % fmt_outcome(d["before"]))
        lines.append("    after:  %s" % fmt_outcome(d["after"]))
    for r in res["accept_rules"]:
        if not r["used"]:
            lines.append("  NOTE    accept rule %s (%s) matched no difference"
                         % (r["name"], r["glob"]))
    return "\n".join(lines)


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "--render":
            with open(argv[2], encoding="utf-8") as f:
                print(render(json.load(f)))
            return 0
        if len(argv) != 2:
            raise VerifyError("usage: report.py OUT_DIR | --render RESULT_JSON")
        results = verify(argv[1])
    except (VerifyError, OSError, ValueError) as e:
        print("verify report: %s" % e, file=sys.stderr)
        return 2
    for res in results:
        d = os.path.join(argv[1], res["pair"], res["variant"])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "result.json"), "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        text = render(res)
        with open(os.path.join(d, "report.txt"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(text)
    return 0 if all(r["verdict"] == "PASS" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
