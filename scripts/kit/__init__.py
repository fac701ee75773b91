# SPDX-License-Identifier: GPL-2.0
"""The kit's grading layer: every parser and verdict in one tested place.

Stages and the one JSON document each writes (``schema`` names the format
and its version; a reader refuses a schema it does not know):

``kit-harness/1`` -- one CMocka suite run (:mod:`kit.harness`), written
    by ``python3 -m kit harness`` to ``<results>/<profile>-<suite>.json``::

        {"schema": "kit-harness/1", "profile": "default", "suite": "test_flags",
         "exit": 0, "planned": 12, "lost": 0,
         "tests": [{"name": "...", "status": "ok|failed|lost",
                    "messages": ["... -EINVAL ..."],   # errno names, not hex
                    "where": ["tests/test_flags.c:88"]}]}

``kit-lab/1`` -- one lab run (:mod:`kit.labresult`), written by
    ``python3 -m kit lab-result`` to ``build/labs/<lab>/result.json``::

        {"schema": "kit-lab/1", "lab": "03-lock-abort",
         "boots": [{"boot": 1, "variants": ["before", "after"],
                    "seconds": 9.3, "qemu_exit": 0, "timeout": 120,
                    "stopped": null | {"how": "timeout|exit|panic|no-done",
                                       "where": "variant after|the final kmemleak scan|boot",
                                       "message": "..."},
                    "console": "boot-1/console.log", "ktap": "boot-1/ktap.log"}],
         "variants": [{"name": "after", "boot": 1, "expect_caught": false,
                       "verdict": "PASS|FAIL|CAUGHT", "reason": "...",
                       "planned": 9, "lost": 0,
                       "cases": [{"name": "...", "ok": true,
                                  "info": ["what the case did"],
                                  "diagnostics": ["why it failed"]}],
                       "init": ["insmod ... failed: ..."],
                       "reports": ["kernel report lines, timestamps cut"]}]}

``kit-lab-check/1`` -- one ``make lab-check`` (:mod:`kit.labcheck`),
    written to ``build/lab-check/<lab>/report.json``::

        {"schema": "kit-lab-check/1", "lab": "...", "copy": "work/<lab>/x.c",
         "seconds": 12.0, "built": true, "boot": true,
         "checks": [{"status": "ok|FAIL", "kind": "build|style|harness|lab|boot|kernel",
                     "name": "...", "detail": ["what it shows"],
                     "seen": ["all it saw, for the hints' seen globs"],
                     "hint": {"step": "3" | null, "expect": "..."} | null}]}

``kit-guest-bench/1`` -- ``make bench-guest`` (:mod:`kit.guestbench`), written
    to ``build/bench-guest/result.json`` and, with RECORD=1, to the committed
    ``bench/mmap-cost.json`` the guide renders::

        {"schema": "kit-guest-bench/1", "kernel": "7.3.4", "date": "...",
         "machine": {"accel": "tcg", "host_cpus": 2, ...}, "boots": 3,
         "iters": 20, "runs": 240, "fail_reps": 96,
         "examples": [{"example": "flags", "pages": 4,
                       "before": {"per_iter_ns": {"min", "median", "max", "n"},
                                  "mmap_ns", "touch_ns", "munmap_ns": (same),
                                  "failures": [{"nth": 1, "ret": "ENOMEM",
                                                "site": "vm_area_alloc < ...",
                                                "frames": [...], "ns": {...}}]},
                       "after": {...},
                       "ratio": {"median", "low", "high", "passes", "fastest"},
                       "boot_ratios": [1.02, ...]}],
         "problems": ["what kept an example from being measured"]}

People get renderings (:func:`kit.verdict.render`, :func:`kit.labcheck.render`,
:func:`kit.harness.render`); nothing re-parses a rendering.

KTAP is parsed by :mod:`kit.ktap`. The kernel's own parser
(``tools/testing/kunit/kunit_parser.py`` of the fetched tree) is used as the
oracle in the tests, not as the parser: see :mod:`kit.ktap` for why.
"""

SCHEMAS = ("kit-harness/1", "kit-lab/1", "kit-lab-check/1", "kit-guest-bench/1")
