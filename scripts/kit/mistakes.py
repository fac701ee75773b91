# SPDX-License-Identifier: GPL-2.0
"""The corpus of learner mistakes, labs/LAB/mistakes/*.patch, and its judge.

Each patch is a mistake a learner makes, written against the lab's solution
(examples/<example>/after/*.c): "make guided-check" copies the solution
over a fresh lab-start copy, as it does to prove that the solution passes,
applies the patch and runs lab-check. Against the solution, a patch is the
mistake and nothing else, and it keeps applying when the TODO texts or
anchors of labs/LAB/steps change. Its header, before the "---" line, says
what lab-check must do with it:

  Mistake:   what the learner did, one line
  Step:      the step of the lab's page lab-check must send the learner to
  Caught-by: a glob over "kind:name" of a check that must fail; one line
             per check (the signals that catch it)

judge() says whether a lab-check report (kit-lab-check/1) did: every
Caught-by check failed, and the first failed check that names a step names
this step and no other.
"""

import fnmatch
import os
import re

KEYS = ("Mistake", "Step", "Caught-by")
# Checks that only a boot of the lab kernel produces.
BOOT_KINDS = ("lab", "boot", "kernel")


class MistakeError(Exception):
    pass


def read(path):
    """The header of mistake @path as a dict; MistakeError names the line."""
    m = {"name": os.path.basename(path)[:-len(".patch")], "path": path,
         "mistake": None, "step": None, "caught_by": []}
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        if line == "---":
            break
        key, sep, val = line.partition(":")
        val = val.strip()
        if not sep or key not in KEYS or not val:
            raise MistakeError(f"{path}:{n}: expected \"KEY: value\" with KEY one of "
                               f"{', '.join(KEYS)}, then a \"---\" line")
        if key == "Caught-by":
            m["caught_by"].append(val)
        elif m[key.lower()] is not None:
            raise MistakeError(f"{path}:{n}: \"{key}\" twice")
        else:
            m[key.lower()] = val
    else:
        raise MistakeError(f"{path}: no \"---\" line ends the header")
    for key in KEYS:
        if not m[key.lower().replace("-", "_")]:
            raise MistakeError(f"{path}: the header has no \"{key}:\" line")
    if not re.fullmatch(r"[1-9][0-9]*", m["step"]):
        raise MistakeError(f"{path}: Step must be one step number, not \"{m['step']}\"")
    return m


def needs_boot(m):
    """Whether a signal of @m is a check that only a boot produces."""
    return any(g.split(":", 1)[0] in BOOT_KINDS for g in m["caught_by"])


def steps_of(step):
    """The steps a hint names: "5" -> {5}, "5-6" -> {5, 6}, "3,5" -> {3, 5}."""
    out = set()
    for part in (step or "").split(","):
        lo, _, hi = part.strip().partition("-")
        if lo.isdigit():
            out.update(range(int(lo), int(hi if hi.isdigit() else lo) + 1))
    return out


def key(c):
    return f"{c['kind']}:{c['name']}"


def blamed(report):
    """The first failed check that names a step, or None."""
    return next((c for c in report["checks"] if c["status"] != "ok"
                 and steps_of((c["hint"] or {}).get("step"))), None)


def judge(m, report):
    """What lab-check got wrong about mistake @m: a list of sentences."""
    failed = [c for c in report["checks"] if c["status"] != "ok"]
    problems = [f"not caught: no failed check matches \"{g}\""
                for g in m["caught_by"]
                if not any(fnmatch.fnmatchcase(key(c), g) for c in failed)]
    first = blamed(report)
    if first is None:
        problems.append(f"no failed check sends the learner to a step (step {m['step']} expected)")
    elif steps_of(first["hint"]["step"]) != {int(m["step"])}:
        problems.append(f"the first step blamed is {first['hint']['step']}, by "
                        f"\"{key(first)}\", not step {m['step']}")
    return problems


def summary(m, report):
    """One line for the table: signals that caught it, step, time."""
    failed = [key(c) for c in report["checks"] if c["status"] != "ok"]
    caught = [k for k in failed if any(fnmatch.fnmatchcase(k, g) for g in m["caught_by"])]
    first = blamed(report)
    return {"mistake": m["name"], "step": m["step"], "caught_by": caught,
            "routed": first["hint"]["step"] if first else None,
            "failed": len(failed), "seconds": report["seconds"],
            "boot": report.get("boot", True)}
