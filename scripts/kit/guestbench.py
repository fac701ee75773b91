# SPDX-License-Identifier: GPL-2.0
"""Does the conversion cost anything? mmap() of each example, timed in the guest.

    python3 -m kit.guestbench run ROOT OUT KOBJ PROGRAM [--iters N --runs R --fail-reps K]
    python3 -m kit.guestbench check ROOT DATA       the committed figures cover every example
    python3 -m kit.guestbench rst DATA              the docs' table, as reStructuredText

``run`` boots every example's before and after modules in one guest through
scripts/run-lab.sh (a lab of its own in OUT/lab, with bench/mmap-cost.c as
the checker), reads the program's records from the KTAP log (kit.ktap),
writes OUT/result.json (kit-guest-bench/1) once and prints a table. Every
computation on the raw samples (medians, spreads, ratios, the names of the
failure points) is done here. A benchmark, not a test: the figures fail
nothing; a guest that could not measure an example does.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

from . import ktap, layout

SCHEMA = "kit-guest-bench/1"
PROGRAM = 1             # the record format of bench/mmap-cost.c
ROLES = ("before", "after")
# The order of the variants in the boot: before, after, after, before,
# twice (see run()).
PASSES = (("before", ""), ("after", ""), ("after", ".2"), ("before", ".2"),
          ("before", ".3"), ("after", ".3"), ("after", ".4"), ("before", ".4"))

# Frames of the allocator and of fault injection itself: the failure point
# is named by the first frame that is not one of these.
ALLOC_FRAME = re.compile(
    r"^(dump_stack\w*|show_stack|fail_dump|should_fail\w*|__should_fail\w*|"
    r"slab_pre_alloc_hook|slab_alloc_node|_*slab_alloc\w*|kmem_cache_alloc\w*|"
    r"kmem_cache_zalloc|_*kmalloc\w*|kzalloc\w*|kcalloc\w*|krealloc\w*|"
    r"kmemdup\w*|kstrdup\w*|_*kvmalloc\w*|kvzalloc\w*|alloc_hooks)$")
# Where the kernel was entered: a name stops before these.
ENTRY_FRAME = re.compile(r"^(do_syscall_64|entry_SYSCALL\w*|__x64_sys_\w+|__do_sys_\w+|"
                         r"x64_sys_call|ksys_mmap_pgoff|vm_mmap_pgoff)$")
SITE_DEPTH = 3          # frames named per failure point


class BenchError(Exception):
    """A run that cannot be read or figures that cannot be used; the
    message says what to do."""


def _fn(frame):
    """kmem_cache_alloc_noprof.cold -> kmem_cache_alloc_noprof."""
    return re.sub(r"\.(cold|isra|constprop|part|llvm)(\.\d+)*", "", frame)


def site(frames):
    """Name the allocation a fail-nth step failed from the stack the kernel
    printed: the innermost frames that are neither the allocator nor fault
    injection, "caller < its caller ..." up to the syscall."""
    names = [_fn(f) for f in frames]
    i = 0
    while i < len(names) and ALLOC_FRAME.match(names[i]):
        i += 1
    out = []
    for n in names[i:]:
        if ENTRY_FRAME.match(n) or len(out) == SITE_DEPTH:
            break
        out.append(n)
    if not out:
        return "(no stack printed: the allocation passes __GFP_NOWARN)"
    return " < ".join(out)


def spread(values):
    """{"min", "median", "max", "n"} of @values."""
    return {"min": min(values), "median": statistics.median(values),
            "max": max(values), "n": len(values)}


def parse_variant(sub):
    """The records of one variant's subtest (a kit.ktap Node): {"header",
    "runs", "failures", "end", "problems"}."""
    out = {"header": None, "runs": None, "failures": [], "end": None, "problems": []}
    if sub is None:
        out["problems"].append("no output in the KTAP log (the guest stopped before it)")
        return out
    if sub.bailed:
        out["problems"].append("bailed out: %s" % sub.bailed)
    for c in sub.children:
        if c.ok is False:
            why = [line for line in c.after if not line.startswith("{")]
            out["problems"].append("%s: %s" % (c.name, "; ".join(why) or "failed"))
    if sub.lost:
        out["problems"].append("%d of its parts never reported" % sub.lost)
    for line in ktap.diagnostics(sub):
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict):
            continue
        if "mmap_cost" in rec:
            if rec["mmap_cost"] != PROGRAM:
                raise BenchError("bench/mmap-cost.c printed format %r, this reader "
                                 "knows %d: rebuild it (make bench-guest)"
                                 % (rec["mmap_cost"], PROGRAM))
            out["header"] = rec
        elif rec.get("part") == "map-touch-unmap":
            out["runs"] = rec
        elif rec.get("part") == "fail-nth":
            out["failures"].append(rec)
        elif rec.get("part") == "fail-nth-end":
            out["end"] = rec
    if out["header"] is None and not out["problems"]:
        out["problems"].append("no header record")
    return out


def tsc_per_us(parsed):
    """The TSC's rate, ticks per microsecond: the median of every variant's
    calibration in the boot. The TSC is the host's, one rate for the whole
    boot, so one conversion keeps the ratios those of the raw ticks."""
    rates = [p["header"]["tsc_per_us"] for p in parsed.values() if p["header"]]
    if not rates:
        raise BenchError("no variant measured the TSC's rate")
    return statistics.median(rates)


def name_points(failures, kmemleak):
    """Name each fail-nth point from its stack. A point with no stack whose
    mmap() succeeded, right after a named one, on a kernel with kmemleak,
    is taken to be kmemleak's record of the object just allocated:
    kmemleak allocates it with __GFP_NOWARN (so failslab prints nothing)
    and falls back to its own pool when that fails."""
    out = []
    for f in failures:
        name = site(f["frames"])
        if (not f["frames"] and f["ret"] == "ok" and kmemleak and out
                and out[-1]["frames"] and out[-1]["nth"] == f["nth"] - 1):
            name = "kmemleak's record of point %d's object (inferred: no stack, mmap() unharmed)" \
                % (f["nth"] - 1)
        out.append({"nth": f["nth"], "ret": f["ret"], "site": name, "frames": f["frames"]})
    return out


def summarize_variant(p, per_us):
    """Figures of one parsed variant in ns, from TSC ticks at @per_us."""
    r = p["runs"]
    k = 1000.0 / per_us / r["iters"]       # ns per iteration, per tick of a run
    per = [(a + b + c) * k for a, b, c in zip(r["mmap"], r["touch"], r["munmap"])]
    points = name_points(p["failures"], p["header"].get("kmemleak"))
    for pt, f in zip(points, p["failures"]):
        pt["ns"] = spread([t * 1000.0 / per_us for t in f["ticks"]])
    return {
        "per_iter_ns": spread(per),
        "pass_medians_ns": [statistics.median(q) * k for q in r["passes"]],
        "mmap_ns": spread([x * k for x in r["mmap"]]),
        "touch_ns": spread([x * k for x in r["touch"]]),
        "munmap_ns": spread([x * k for x in r["munmap"]]),
        "runs_per_iter_ns": [round(x) for x in per],
        "failures": points,
    }


def compare(before, after):
    """after/before: the ratio of the medians of all runs; the lowest and
    highest ratio of one pass of after to the pass of before next to it
    in the boot (how much the ratio moved from one repetition to the
    next); and the ratio of the fastest runs (those the host disturbed
    least)."""
    b, a = before["per_iter_ns"], after["per_iter_ns"]
    pairs = [y / x for x, y in zip(before["pass_medians_ns"], after["pass_medians_ns"])]
    return {"median": a["median"] / b["median"], "low": min(pairs), "high": max(pairs),
            "passes": len(pairs), "fastest": a["min"] / b["min"]}


def merge(passes):
    """One variant's passes (parsed, in boot order) as one: the runs and the
    failed calls pooled. Problems if a pass failed or the passes disagree."""
    problems = [q for p in passes for q in p["problems"]]
    if problems or any(p["runs"] is None for p in passes):
        return None, problems or ["no timing record"]
    first = passes[0]
    runs = {k: [x for p in passes for x in p["runs"][k]] for k in ("mmap", "touch", "munmap")}
    runs["iters"] = first["runs"]["iters"]
    # Each pass's runs, in ticks per run, for the ratios pass by pass.
    runs["passes"] = [[sum(x) for x in zip(p["runs"]["mmap"], p["runs"]["touch"],
                                           p["runs"]["munmap"])] for p in passes]
    failures = [dict(f, ticks=list(f["ticks"])) for f in first["failures"]]
    for p in passes[1:]:
        seen = [(f["nth"], f["ret"], f["frames"]) for f in p["failures"]]
        if seen != [(f["nth"], f["ret"], f["frames"]) for f in failures]:
            problems.append("the fail-nth points differ between the passes of the boot")
            break
        for f, g in zip(failures, p["failures"]):
            f["ticks"] += g["ticks"]
    return dict(first, runs=runs, failures=failures), problems


def summarize(parsed, examples):
    """The result's "examples" from {variant: parsed} (variants named
    "<example>.<role>", a later pass "<example>.<role>.<n>"), the problems
    that kept an example from being measured, and the TSC rate used."""
    rows, problems = [], []
    per_us = tsc_per_us(parsed)
    for ex in examples:
        row = {"example": ex}
        for role in ROLES:
            key = "%s.%s" % (ex, role)
            passes = [parsed[v] for v in parsed if v == key or v.startswith(key + ".")]
            p, bad = merge(passes) if passes else (None, ["not run"])
            if bad:
                problems.append("%s: %s" % (key, "; ".join(bad)))
            row[role] = summarize_variant(p, per_us) if p and not bad else None
            if not row[role]:
                continue
            row.setdefault("pages", p["header"]["pages"])
            row.setdefault("mode", p["header"]["mode"])
            if p["header"]["pages"] != row["pages"]:
                problems.append("%s: before maps %d pages, after %d: the costs "
                                "are not comparable" % (ex, row["pages"], p["header"]["pages"]))
        if row["before"] and row["after"]:
            row["ratio"] = compare(row["before"], row["after"])
        rows.append(row)
    return rows, problems, per_us


# --- Renderings.

def _ratios(values):
    return ", ".join("-" if v is None else "%.2f" % v for v in values)


def _us(ns):
    return "%.1f" % (ns / 1000.0)


def _spread_us(s):
    return "%s / %s / %s" % (_us(s["min"]), _us(s["median"]), _us(s["max"]))


def render_text(doc):
    m = doc["machine"]
    lines = ["  GUEST   mmap + touch every page + munmap, us per iteration "
             "(min / median / max of %d runs of %d, %d boot%s); Linux %s, %s, %s"
             % (doc["runs"], doc["iters"], doc["boots"], "s"[:doc["boots"] > 1], doc["kernel"],
                m["accel"], doc["date"])]
    lines.append("  GUEST   %-14s %5s  %-24s %-24s %s" % ("example", "pages", "before",
                                                        "after", "after/before (pass range; fastest)"))
    for r in doc["examples"]:
        if not (r.get("before") and r.get("after")):
            lines.append("  GUEST   %-14s not measured" % r["example"])
            continue
        q = r["ratio"]
        lines.append("  GUEST   %-14s %5d  %-24s %-24s %.2f (%.2f-%.2f; %.2f)  by boot: %s"
                     % (r["example"], r["pages"], _spread_us(r["before"]["per_iter_ns"]),
                        _spread_us(r["after"]["per_iter_ns"]), q["median"], q["low"], q["high"],
                        q["fastest"], _ratios(r["boot_ratios"])))
    lines.append("  GUEST   a failed mmap(), median us of %d, at each fail-nth point:"
                 % doc["fail_reps"])
    for r in doc["examples"]:
        for role in ROLES:
            v = r.get(role)
            for f in (v or {}).get("failures", []):
                lines.append("  GUEST   %-14s %-6s %2d %-7s %7s  %s"
                             % (r["example"], role, f["nth"], f["ret"],
                                _us(f["ns"]["median"]), f["site"]))
    for p in doc["problems"]:
        lines.append("  GUEST   not measured: %s" % p)
    return lines


def _table(header, rows, widths):
    out = [".. list-table::", "   :header-rows: 1", "   :widths: " + " ".join(map(str, widths)), ""]
    for row in [header] + rows:
        out.append("   * - " + row[0])
        out += ["     - " + c for c in row[1:]]
    return out + [""]


def reading(q):
    """What one boot's ratios can say, and no more."""
    if q["low"] <= 1.0 <= q["high"]:
        return "no difference: the passes fall on both sides of 1"
    return "after %s than before in each of the %d passes" % (
        "slower" if q["low"] > 1.0 else "faster", q["passes"])


def render_rst(doc):
    """The docs' tables: the cost of a mapping, then of each failure."""
    m = doc["machine"]
    out = ["Measured on Linux %s (the lab kernel %s, with its debug options), %s, "
           "QEMU %s with %s, a guest of %s on a %d-CPU host (%s), load average "
           "%.1f before the first boot and %.1f after the last. Each figure is microseconds "
           "per iteration: min / median / max of %d runs of %d iterations in %d boot%s "
           "(each pass of a variant starts with a warm-up run, not counted)."
           % (doc["kernel"], doc.get("kernel_build", "?"), doc["date"], m["qemu"], m["accel"].upper(), m["guest"],
              m["host_cpus"], m["host_cpu"], m["load_before"], m["load_after"],
              doc["runs"], doc["iters"], doc["boots"], "s"[:doc["boots"] > 1]), ""]
    rows = []
    for r in doc["examples"]:
        q = r["ratio"]
        rows.append(["``%s``" % r["example"], str(r["pages"]),
                     _spread_us(r["before"]["per_iter_ns"]),
                     _spread_us(r["after"]["per_iter_ns"]),
                     "%.2f (%.2f to %.2f)" % (q["median"], q["low"], q["high"]),
                     _ratios(r["boot_ratios"]), "%.2f" % q["fastest"], reading(q)])
    out += _table(["Example", "Pages", "Before (us)", "After (us)",
                   "After / before (lowest to highest pass)", "Each boot", "Fastest runs",
                   "What this shows"],
                  rows, [11, 5, 16, 16, 16, 10, 7, 19])
    out += ["The phases, medians in microseconds per iteration (mmap / first touch / munmap):", ""]
    rows = []
    for r in doc["examples"]:
        rows.append(["``%s``" % r["example"]] +
                    [" / ".join(_us(r[role][k]["median"]) for k in ("mmap_ns", "touch_ns", "munmap_ns"))
                     for role in ROLES])
    out += _table(["Example", "Before", "After"], rows, [20, 40, 40])
    out += ["A failed ``mmap()`` at each point fail-nth reaches: its errno and its "
            "time in microseconds over %d calls; the point is named by the "
            "stack the kernel printed for the failed allocation." % doc["fail_reps"], ""]
    rows = []
    for r in doc["examples"]:
        for role in ROLES:
            for f in r[role]["failures"]:
                rows.append(["``%s``" % r["example"], role, str(f["nth"]), f["ret"],
                             _spread_us(f["ns"]), "``%s``" % f["site"]])
    out += _table(["Example", "Variant", "N", "Result", "us (min / median / max)",
                   "Failed allocation (caller < its caller)"],
                  rows, [12, 7, 3, 8, 18, 52])
    return "\n".join(out)


# --- The committed figures.

def check(root, doc):
    """Problems of the committed figures: format, and an example of
    examples/ with no before/after figures (named)."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        return ["not a %s document" % SCHEMA]
    bad = []
    for k in ("kernel", "date", "machine", "boots", "runs", "iters", "fail_reps", "examples"):
        if k not in doc:
            bad.append("no %r" % k)
    if bad:
        return bad
    if doc["machine"].get("accel") not in ("tcg", "kvm"):
        bad.append("machine.accel is %r, not tcg or kvm" % doc["machine"].get("accel"))
    have = {r.get("example"): r for r in doc["examples"]}
    for ex in layout.examples(root):
        r = have.get(ex)
        if r is None:
            bad.append("examples/%s has no figures" % ex)
            continue
        for role in ROLES:
            v = r.get(role)
            if not v or not v.get("per_iter_ns", {}).get("n"):
                bad.append("examples/%s: no %s figures" % (ex, role))
            elif "failures" not in v:
                bad.append("examples/%s: no %s failure figures" % (ex, role))
        if "ratio" not in r and r.get("before") and r.get("after"):
            bad.append("examples/%s: no after/before ratio" % ex)
    return bad


# --- make bench-guest.

def _first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "?"


def machine(accel):
    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg", encoding="utf-8") as f:
        load = float(f.read().split()[0])
    qemu = _first_line(["qemu-system-x86_64", "--version"])
    m = re.search(r"version ([0-9.]+)", qemu)
    return {"accel": accel, "host_cpus": os.cpu_count(), "host_cpu": cpu,
            "host": platform.machine(), "qemu": m.group(1) if m else qemu,
            "guest": "2 vCPUs, 512 MiB (scripts/run-lab.sh)", "load_before": load}


def run(root, out, kobj, program, iters, runs, reps, boots):
    examples = [ex for ex in layout.examples(root)
                if all(r in layout.variants(root, ex) for r in ROLES)]
    labdir, mods = os.path.join(out, "lab"), os.path.join(out, "modules")
    os.makedirs(labdir, exist_ok=True)
    os.makedirs(mods, exist_ok=True)
    # Each example in the order before, after, after, before, twice, the
    # runs of the passes pooled: a load on the host that grows or fades
    # during the boot weighs on both variants alike.
    variants = []
    for ex in examples:
        for role, n in PASSES:
            v = "%s.%s%s" % (ex, role, n)
            link = os.path.join(mods, v)
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.join(root, "build", "modules", ex, role), link)
            variants.append(v)
    # One boot for every example.
    with open(os.path.join(labdir, "lab.conf"), "w", encoding="utf-8") as f:
        f.write("# SPDX-License-Identifier: GPL-2.0\n# Generated by scripts/kit/guestbench.py.\n")
        f.write('BOOTS="%s"\nCHECK_ARGS="--iters %d --runs %d --fail-reps %d"\n'
                % (" ".join(variants), iters, runs, reps))
    accel = os.environ.get("QEMU_ACCEL") or "auto"
    if accel == "auto":
        accel = subprocess.run([os.path.join(root, "scripts", "accel.sh"),
                                os.path.join(kobj, "arch/x86/boot/bzImage"),
                                os.environ.get("KIT_CACHE", out)],
                               capture_output=True, text=True).stdout.strip() or "tcg"
    mach = machine(accel)
    # FRESH=1: a benchmark boots every time, even with its inputs unchanged.
    env = dict(os.environ, QEMU_ACCEL=accel, FRESH="1",
               LAB_TIMEOUT=os.environ.get("LAB_TIMEOUT", str(120 + 60 * len(variants))))
    # Several boots: the pass range then also says how far the ratio
    # moves from one boot to the next.
    parsed, per_boot, walls = {}, [], []
    for n in range(1, boots + 1):
        t0 = time.monotonic()
        rdir = os.path.join(out, "run-%d" % n)
        with open(os.path.join(out, "run-lab-%d.log" % n), "w", encoding="utf-8") as log:
            subprocess.run([os.path.join(root, "scripts", "run-lab.sh"), labdir, kobj, mods,
                            program, rdir], env=env, stdout=log, stderr=subprocess.STDOUT)
        walls.append(round(time.monotonic() - t0, 1))
        rpath = os.path.join(rdir, "result.json")
        if not os.path.exists(rpath):
            raise BenchError("the lab runner wrote no %s: see %s/run-lab-%d.log"
                             % (rpath, out, n))
        with open(rpath, encoding="utf-8") as f:
            lab = json.load(f)
        this = {}
        for boot in lab["boots"]:
            with open(os.path.join(rdir, boot["ktap"]), encoding="utf-8",
                      errors="replace") as f:
                tree = ktap.parse(f.read())
            for v in boot["variants"]:
                this[v] = parse_variant(tree.child(v))
        rows, _, _ = summarize(this, examples)
        per_boot.append({r["example"]: r["ratio"]["median"] for r in rows if "ratio" in r})
        parsed.update(("%s.boot%d" % (v, n), p) for v, p in this.items())
    with open("/proc/loadavg", encoding="utf-8") as f:
        mach["load_after"] = float(f.read().split()[0])
    rows, problems, per_us = summarize(parsed, examples)
    for r in rows:
        r["boot_ratios"] = [b.get(r["example"]) for b in per_boot]
    kernel = next((p["header"]["kernel"] for p in parsed.values() if p["header"]), "?")
    doc = {"schema": SCHEMA, "kernel": kernel, "kernel_build": os.path.basename(kobj),
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": mach,
           "boots": boots, "iters": iters, "runs": runs * boots * len(PASSES) // len(ROLES),
           "fail_reps": reps * boots * len(PASSES) // len(ROLES), "boot_s": walls,
           "tsc_per_us": round(per_us, 3),
           "examples": rows, "problems": problems}
    with open(os.path.join(out, "result.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return doc


def main(argv):
    import argparse
    p = argparse.ArgumentParser(prog="kit.guestbench")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("run")
    for a in ("root", "out", "kobj", "program"):
        s.add_argument(a)
    s.add_argument("--iters", type=int, default=20, help="iterations per run")
    s.add_argument("--runs", type=int, default=20, help="runs per pass (four passes per variant)")
    s.add_argument("--fail-reps", type=int, default=8, help="calls per point and pass")
    s.add_argument("--boots", type=int, default=1)
    s.add_argument("--record", help="also copy the result to this file (the docs' figures)")
    s = sub.add_parser("check")
    s.add_argument("root")
    s.add_argument("data")
    s = sub.add_parser("rst")
    s.add_argument("data")
    a = p.parse_args(argv)
    try:
        if a.cmd == "run":
            doc = run(os.path.abspath(a.root), os.path.abspath(a.out), a.kobj,
                      os.path.abspath(a.program), a.iters, a.runs, a.fail_reps, a.boots)
            print("\n".join(render_text(doc)))
            if a.record and not doc["problems"]:
                with open(a.record, "w", encoding="utf-8") as f:
                    json.dump(doc, f, indent=1)
                    f.write("\n")
                print("  GUEST   recorded in %s" % a.record)
            return 1 if doc["problems"] else 0
        with open(a.data, encoding="utf-8") as f:
            doc = json.load(f)
        if a.cmd == "rst":
            print(render_rst(doc))
            return 0
        bad = check(os.path.abspath(a.root), doc)
        for b in bad:
            print("guest-bench: %s: %s" % (a.data, b))
        if bad:
            print("guest-bench: measure them with 'make bench-guest RECORD=1' "
                  "(three boots of the lab kernel: a few minutes under TCG) and commit %s" % a.data)
            return 1
        print("  GUEST   %s: figures for %d examples, before and after (%s, %s)"
              % (a.data, len(doc["examples"]), doc["kernel"], doc["date"]))
        return 0
    except (OSError, ValueError, KeyError, BenchError) as e:
        print("guest-bench: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
