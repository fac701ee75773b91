# SPDX-License-Identifier: GPL-2.0
"""The verify report: compare the battery's records of two variants.

    report.py OUT_DIR           compare every variant in OUT_DIR with its
                                pair's before; write OUT_DIR/NAME/VARIANT/
                                result.json and report.txt; print the text
    report.py --render FILE     print the text of a result.json

Inputs, all written by earlier stages in a structured form:

- OUT_DIR/lab/variants: "NAME<TAB>VARIANT<TAB>SOURCE_DIR" per variant
  (verify/verify.sh);
- OUT_DIR/run/result.json: scripts/run-lab.sh's kit-lab/1 document, for
  each variant the kernel reports its console scan attributed to it, what
  /init said about it (insmod, rmmod) and whether its boot stopped;
- OUT_DIR/run/boot-N/ktap.log, read with scripts/kit/ktap.py: a subtest per
  variant holding the battery's TAP, whose diagnostics are its JSON
  records (verify/battery.c);
- SOURCE_DIR/verify.accept of the compared variant: intended differences,
  "NAME GLOB" per line, GLOB matched (fnmatch) against the request.

A battery record is {"req": REQUEST, "ret": "ok" | ERRNO | ..., KEY: VALUE}:
the other keys are what the program observed (vmflags, read: a hash of
sampled bytes or the first fault, write, mremap, child_read, ...). Two
records of the same request are the same outcome when every key is equal,
keys starting with "info_" aside (context for a person, such as the
fail-nth sequence step by step).

Exit status: 0 if every comparison passes, 1 if one fails, 2 on bad input.
"""

import fnmatch
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "scripts"))
from kit import ktap  # noqa: E402

BATTERY_VERSION = 1
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shown_path(path):
    """@path relative to the kit when it is inside it: results and their
    renderings do not depend on where the kit was cloned."""
    rel = os.path.relpath(path, TOP)
    return path if rel.startswith("..") else rel


class VerifyError(Exception):
    """Input that cannot be compared; the message says what to do."""


# --- The battery's records.

def battery_lines(sub):
    """The diagnostic lines of a variant's subtest (a kit.ktap Node), in
    order: the preamble, then those after each result."""
    return ktap.diagnostics(sub)


def parse_battery(lines):
    """The battery's records from its diagnostic lines: {"header",
    "records": [(key, record)], "end", "noise"}. A key is (request, n): the
    n-th time (from 0) the request was made. Lines that are not JSON
    objects (what a crash printed) are noise."""
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


def variant_problems(name, sub, graded, bat):
    """Why a variant's run cannot be trusted, as sentences; [] if none.
    @sub: its KTAP subtest (None if absent); @graded: its kit-lab/1 entry;
    @bat: parse_battery()."""
    probs = []
    init = graded.get("init", [])
    if graded.get("stopped"):
        probs.append(graded["stopped"])
    if sub is None or bat["header"] is None:
        probs.append("the battery did not run: %s" %
                     ("; ".join(init) or "no output (see run/boot-*/ktap.log)"))
    elif bat["end"] is None:
        probs.append("the battery did not finish (its last record: %s)" %
                     (request_name(bat["records"][-1][0])
                      if bat["records"] else "none"))
    elif sub.ok is False:
        probs.append("load, battery or unload failed: %s" %
                     ("; ".join(init) or "see run/boot-*/ktap.log"))
    for line in bat["noise"]:
        probs.append("unexpected output: %s" % line)
    for err in ktap.errors(sub) if sub is not None else []:
        probs.append("unexpected output: %s" % err)
    for key, rec in bat["records"]:
        if str(rec.get("ret", "")).startswith("error:"):
            out = rec.get("info_output", "").strip()
            probs.append("%s: %s%s" % (request_name(key), rec["ret"][7:],
                                       " (it printed: %s)" % out if out else ""))
    return probs


def load_run(out_dir):
    """The variants (name, role, source), their KTAP subtests and their
    kit-lab/1 entries (with the boot's "stopped" message added)."""
    vpath = os.path.join(out_dir, "lab", "variants")
    if not os.path.exists(vpath):
        raise VerifyError("%s is missing: run 'make verify' first" % vpath)
    variants = []
    with open(vpath, encoding="utf-8") as f:
        for line in f:
            name, role, src = line.rstrip("\n").split("\t")
            variants.append((name, role, src))
    rpath = os.path.join(out_dir, "run", "result.json")
    if not os.path.exists(rpath):
        raise VerifyError("%s is missing: the lab runner did not finish "
                          "(see %s/run-lab.log)" % (rpath, out_dir))
    with open(rpath, encoding="utf-8") as f:
        lab = json.load(f)
    if lab.get("schema") != "kit-lab/1":
        raise VerifyError("%s is not a kit-lab/1 document" % rpath)
    subtests, graded = {}, {}
    for boot in lab["boots"]:
        path = os.path.join(out_dir, "run", boot["ktap"])
        with open(path, encoding="utf-8", errors="replace") as f:
            root = ktap.parse(f.read())
        for v in boot["variants"]:
            subtests[v] = root.child(v)
    for v in lab["variants"]:
        stopped = lab["boots"][v["boot"] - 1].get("stopped")
        graded[v["name"]] = dict(v, stopped=stopped and stopped["message"])
    return variants, subtests, graded


def verify(out_dir):
    """Compare every variant with its pair's before: [result dict]."""
    variants, subtests, graded = load_run(out_dir)
    runs = {}
    for name, role, src in variants:
        v = "%s.%s" % (name, role)
        sub = subtests.get(v)
        bat = parse_battery(battery_lines(sub))
        g = graded.get(v, {})
        runs[(name, role)] = {
            "variant": v, "source": shown_path(src), "battery": bat,
            "problems": variant_problems(v, sub, g, bat),
            "kernel_reports": list(g.get("reports", [])),
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
            "schema": "kit-verify/1",
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
             "  before: %s, %d requests; after: %s, %d requests" % (
                 b["source"], b["records"], a["source"], a["records"]),
             "  %d differ, %d of them accepted; kernel reports: %d" % (
                 len(diffs), len(acc),
                 len(b["kernel_reports"]) + len(a["kernel_reports"]))]
    counts = {}
    for d in diffs:
        for f in d["fields"] if d["before"] and d["after"] else ["request made"]:
            counts[f] = counts.get(f, 0) + 1
    if counts:
        lines.append("  differing: " + ", ".join(
            "%s in %d" % (f, n) for f, n in sorted(counts.items(),
                                                    key=lambda x: (-x[1], x[0]))))
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
