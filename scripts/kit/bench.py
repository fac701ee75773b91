# SPDX-License-Identifier: GPL-2.0
"""``make bench``: the kit's speed targets, measured, as figures and ratios.

Each benchmark runs a real command of the kit on a warm tree (its first run
warms it and is not counted), REPEAT times; the median is compared with
its target. The results go to build/bench/result.json (kit-bench/1) and a
table is printed. These are benchmarks, not tests: they fail nothing.

  warm make         make (the main job) with nothing changed: the stages
                    whose inputs are unchanged are reused (scripts/kit/stage.py)
  lab-check         make lab-check LAB=01-flags on the solution
  lab boot          one boot of lab 01's after variant to its verdict,
                    less the 5 s kmemleak needs before it reports an object
                    (FRESH=1: a lab whose inputs are unchanged is not booted)
  warm make check   make check with nothing changed (only with BENCH_CHECK=1:
                    it boots every lab twice and builds the docs and slides)
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time

KMEMLEAK_AGE = 5.0      # kmemleak's minimum object age (MSECS_MIN_AGE)


def timed(cmd, cwd, env=None):
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT, shell=True, executable="/bin/bash")
    return time.monotonic() - t0, r.returncode


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def main(root, out, repeat):
    os.makedirs(out, exist_ok=True)
    make = f"make -C {root} --no-print-directory"
    work = os.path.join(out, "work")
    benches = [
        ("warm make", f"{make}", 60.0, 0.0),
        ("lab-check", f"{make} lab-check LAB=01-flags", 10.0, 0.0),
        ("lab boot", f"FRESH=1 {make} lab-run-01-flags LAB_VARIANTS=after", 5.0, KMEMLEAK_AGE),
    ]
    if os.environ.get("BENCH_CHECK") == "1":
        benches.append(("warm make check", f"{make} check", 180.0, 0.0))
    # lab-check grades the learner's work/01-flags: give it the solution,
    # keeping any copy the user has.
    copy = os.path.join(root, "work", "01-flags")
    saved = None
    if os.path.exists(copy):
        saved = os.path.join(work, "01-flags.saved")
        shutil.rmtree(saved, ignore_errors=True)
        shutil.move(copy, saved)
    rows = []
    try:
        subprocess.run(f"{make} lab-start LAB=01-flags", cwd=root, shell=True, check=True,
                       stdout=subprocess.DEVNULL)
        shutil.copy(os.path.join(root, "examples/flags/after/flags_after.c"),
                    os.path.join(copy, "flags.c"))
        for name, cmd, target, less in benches:
            timed(cmd, root)                        # warm-up, not counted
            runs, loads, failed = [], [], 0
            for _ in range(repeat):
                loads.append(loadavg())
                secs, rc = timed(cmd, root)
                runs.append(secs - less)
                failed += rc != 0
            med = statistics.median(runs)
            rows.append({"name": name, "command": cmd, "target_s": target,
                         "subtracted_s": less, "runs_s": [round(r, 2) for r in runs],
                         "median_s": round(med, 2), "ratio": round(med / target, 2),
                         "failed_runs": failed, "load_before": loads})
            print(f"  BENCH   {name:<16} {med:7.1f} s  target {target:5.0f} s  "
                  f"ratio {med / target:4.2f}  (runs {', '.join(f'{r:.1f}' for r in runs)};"
                  f" load {max(loads):.1f}){'  [a run failed]' if failed else ''}",
                  flush=True)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        if saved:
            shutil.move(saved, copy)
    doc = {"schema": "kit-bench/1", "cpus": os.cpu_count(), "repeat": repeat,
           "benchmarks": rows}
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
