# SPDX-License-Identifier: GPL-2.0
"""One run of a CMocka suite of the harness (tests/) as ``kit-harness/1``.

tests/Makefile runs each suite once, with CMocka's standard output (what
people read), and hands that one log to ``python3 -m kit harness``, which
writes the JSON beside it. CMocka's standard output is the only place where
what a test printed (the harness's findings, a sanitizer report) follows
the ``[ RUN      ]`` line of the test that printed it, so it is read here and
nowhere else. A test with a RUN line and no result stopped its suite (a
crash or a sanitizer report): it is "lost", and so is every test the
suite's plan announced that never ran.

CMocka prints a returned -errno as 64-bit hex (0xffffffffffffffea); every
message gets errno names instead (-EINVAL), from Python's errno module.
"""

import errno
import re

TAG = 13                      # len("[ RUN      ] ")
RUN = "[ RUN      ] "
OK = "[       OK ] "
DONE = re.compile(r"^\[ *(FAILED|ERROR) *\] (.*)$")
PLAN = re.compile(r"^\[==========\] Running ([0-9]+) test\(s\)")
GROUP_END = re.compile(r"^\[==========\] ([0-9]+) test\(s\) run")
WHERE = re.compile(r"^(.*?): error: Failure!")
NEG_HEX = re.compile(r"0xffffffffffff([0-9a-f]{4})\b")
MAKE = re.compile(r"^make(\[[0-9]+\])?: ")


def errno_names(text):
    """Replace every 64-bit hex -errno in @text by its name: -EINVAL."""
    def name(m):
        v = 0x10000 - int(m.group(1), 16)
        return "-" + errno.errorcode.get(v, str(v))
    return NEG_HEX.sub(name, text)


def parse(text, suite=None, profile=None, exit_code=None):
    """The kit-harness/1 document for one suite's CMocka log @text."""
    tests = []
    planned = 0
    cur = None

    def stop():
        nonlocal cur
        if cur is not None:
            cur["status"] = "lost"
            cur["messages"].insert(0, "the suite stopped in this test (crash or sanitizer report)")
            tests.append(cur)
        cur = None

    in_teardown = False
    for raw in text.splitlines():
        line = raw.rstrip()
        m = PLAN.match(line)
        if m:
            stop()
            planned += int(m.group(1))
            continue
        if line.startswith("[==========]") or line.startswith("== "):
            stop()
            continue
        if line[:TAG] == RUN:
            stop()
            cur = {"name": line[TAG:], "status": None, "messages": [],
                   "findings": [], "teardown": [], "where": []}
            in_teardown = False
            continue
        if cur is None or MAKE.match(line):
            continue
        m = DONE.match(line)
        if line[:TAG] == OK and line[TAG:] == cur["name"]:
            cur["status"] = "ok"
            tests.append(cur)
            cur = None
            continue
        if m and m.group(2) == cur["name"]:
            cur["status"] = "failed"
            tests.append(cur)
            cur = None
            continue
        if line == "scenario ended with findings:":
            in_teardown = True
            continue
        failed = False
        for prefix in ("Could not run test: ", "ERROR: "):
            if line.startswith(prefix):
                line, failed = line[len(prefix):], True
        if line.startswith("[  ERROR   ] "):
            failed = True
        if failed or line.startswith("["):
            in_teardown = False
        line = re.sub(r"^(\[[A-Z ]+\] --- )+", "", line).strip()
        if not line:
            continue
        line = errno_names(line)
        w = WHERE.match(line)
        if w:
            cur["where"].append(w.group(1))
        elif failed and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", line):
            # assert_true(x) says only "x": what the test printed says more.
            cur["messages"].append(line)
        elif in_teardown:
            cur["teardown"].append(line)
        elif not failed:
            cur["findings"].append(line)
    stop()
    lost = max(0, planned - len(tests))
    return {"schema": "kit-harness/1", "profile": profile, "suite": suite,
            "exit": exit_code, "planned": planned, "lost": lost,
            "tests": tests}


def details(test):
    """What a failed test says, most telling first: its messages, what it
    printed, where; the teardown's findings only if there is nothing else
    (they follow from the failure)."""
    out = list(test["messages"]) + list(test["findings"])
    if not out:
        out = list(test["teardown"])
    return out + ["in " + w for w in test["where"]]
