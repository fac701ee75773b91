# SPDX-License-Identifier: GPL-2.0
"""make bench's figures for make verify, from a finished verify run.

    bench.py OUT_DIR

Prints, per variant, the battery's requests and its time in the guest (the
battery's own clock, from its end record) against the 30 s budget per
module under TCG, and per boot the wall time run-lab.sh measured. A
benchmark, not a test: it fails only when there is nothing to measure.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

BUDGET = 30.0   # seconds per module's battery under TCG


def main(argv):
    if len(argv) != 2:
        print("usage: bench.py OUT_DIR", file=sys.stderr)
        return 2
    try:
        variants, subtests, _ = report.load_run(argv[1])
        with open(os.path.join(argv[1], "run", "result.json"), encoding="utf-8") as f:
            lab = json.load(f)
    except (report.VerifyError, OSError, ValueError) as e:
        print("verify-bench: %s" % e, file=sys.stderr)
        return 2
    rows = 0
    for name, role, _src in variants:
        v = "%s.%s" % (name, role)
        bat = report.parse_battery(report.battery_lines(subtests.get(v)))
        secs = (bat["end"] or {}).get("seconds")
        if secs is None:
            print("  VERIFY  %-24s battery did not finish" % v)
            continue
        rows += 1
        print("  VERIFY  %-24s battery %4d requests in %5.1f s  (%.2f of the %.0f s budget)"
              % (v, len(bat["records"]), secs, secs / BUDGET, BUDGET))
    for b in lab["boots"]:
        print("  VERIFY  boot %d: %d modules, %.1f s wall, a kmemleak scan "
              "after each (builds not counted)" % (b["boot"], len(b["variants"]),
                                                  b["seconds"]))
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
