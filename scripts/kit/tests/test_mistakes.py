# SPDX-License-Identifier: GPL-2.0
"""The mistake corpus: every patch's header reads, and the judge says
caught, routed and blamed first as guided-check needs; the hints' "seen"
globs route one failing test to different steps."""

import glob
import os
import tempfile
import unittest

from kit import labcheck, mistakes, records

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")


def fail(kind, name, step, seen=()):
    c = labcheck.check("FAIL", kind, name, list(seen))
    c["hint"] = {"step": step, "expect": "..."}
    return c


def ok(kind, name):
    return labcheck.check("ok", kind, name)


MISTAKE = {"name": "m", "step": "5", "caught_by": ["harness:revoked*", "lab:revoke*"]}


class Corpus(unittest.TestCase):
    def test_every_patch_has_a_header(self):
        paths = glob.glob(os.path.join(ROOT, "labs", "*", "mistakes", "*.patch"))
        self.assertGreaterEqual(len(paths), 13)
        for p in paths:
            m = mistakes.read(p)
            self.assertTrue(m["caught_by"], p)

    def test_a_bad_header_names_the_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".patch") as f:
            f.write("Mistake: x\nStep: 5-6\nCaught-by: lab:*\n---\n")
            f.flush()
            with self.assertRaisesRegex(mistakes.MistakeError, "one step number"):
                mistakes.read(f.name)
        with tempfile.NamedTemporaryFile("w", suffix=".patch") as f:
            f.write("Mistake: x\nStep 5\n---\n")
            f.flush()
            with self.assertRaisesRegex(mistakes.MistakeError, r":2: expected"):
                mistakes.read(f.name)

    def test_needs_boot(self):
        self.assertTrue(mistakes.needs_boot(MISTAKE))
        self.assertFalse(mistakes.needs_boot({"caught_by": ["harness:x"]}))


class Judge(unittest.TestCase):
    def test_caught_and_routed(self):
        r = {"checks": [ok("build", "b"), fail("boot", "x", None),
                        fail("harness", "revoked_x", "5"), fail("lab", "revoke y", "5-6")]}
        self.assertEqual(mistakes.judge(MISTAKE, r), [])

    def test_not_caught(self):
        r = {"checks": [fail("harness", "revoked_x", "5"), ok("lab", "revoke y")]}
        self.assertEqual(mistakes.judge(MISTAKE, r),
                         ['not caught: no failed check matches "lab:revoke*"'])

    def test_another_step_blamed_first(self):
        r = {"checks": [fail("harness", "other", "3,5"), fail("harness", "revoked_x", "5"),
                        fail("lab", "revoke y", "5")]}
        self.assertEqual(mistakes.judge(MISTAKE, r),
                         ['the first step blamed is 3,5, by "harness:other", not step 5'])

    def test_a_range_is_not_the_step(self):
        r = {"checks": [fail("harness", "revoked_x", "5-6"), fail("lab", "revoke y", "5")]}
        self.assertEqual(len(mistakes.judge(MISTAKE, r)), 1)

    def test_steps_of(self):
        self.assertEqual(mistakes.steps_of("5-7"), {5, 6, 7})
        self.assertEqual(mistakes.steps_of("3,5"), {3, 5})
        self.assertEqual(mistakes.steps_of(None), set())


class Seen(unittest.TestCase):
    def test_what_a_test_saw_picks_the_step(self):
        hints = records.read(os.path.join(ROOT, "labs", "03-lock-abort", "hints"),
                             ["check", "step", "expect"], ["seen"])
        name = "a_failed_mapped_leaves_close_nothing_to_put"
        crash = labcheck.check("FAIL", "harness", name, ["x"],
                               ["#1 0x5 in kit_lock_vm_close /w/lock_abort.c:139"])
        plain = labcheck.check("FAIL", "harness", name, ["0x7eff != -EINTR"])
        labcheck.add_hints([crash, plain], hints)
        self.assertEqual(crash["hint"]["step"], "6")
        self.assertEqual(plain["hint"]["step"], "5")

    def test_the_leak_is_not_the_revoke(self):
        hints = records.read(os.path.join(ROOT, "labs", "03-lock-abort", "hints"),
                             ["check", "step", "expect"], ["seen"])
        c = labcheck.check("FAIL", "lab", "every session is freed once revoked, closed and unmapped")
        labcheck.add_hints([c], hints)
        self.assertEqual(c["hint"]["step"], "5")
        self.assertNotIn("ENODEV", c["hint"]["expect"])


class NoHints(unittest.TestCase):
    def test_hints_0_names_the_step_without_the_fix(self):
        c = fail("harness", "t", "5", ["got this"])
        c["hint"]["expect"] = "the fix"
        report = {"lab": "03-lock-abort", "page": "p.rst", "copy": "c", "seconds": 1.0,
                  "built": True, "logs": "l", "checks": [c]}
        full = "\n".join(labcheck.render(report))
        bare = "\n".join(labcheck.render(report, hints=False))
        self.assertIn("the fix", full)
        self.assertNotIn("the fix", bare)
        self.assertIn("reread:   step 5 of p.rst", bare)
        self.assertIn("got this", bare)


class Stopped(unittest.TestCase):
    def test_a_stopped_guest_says_how_many_cases_it_reported(self):
        from kit.tests.test_labresult import grade
        for fx in ("lab-oops", "lab-hung"):
            boot = next(c for c in labcheck.lab_checks(grade(fx), "after", "console.log")
                        if c["name"] == labcheck.BOOT)
            self.assertEqual(boot["status"], "FAIL", fx)
            self.assertTrue(any(d.startswith("the checker reported ") for d in boot["detail"]), fx)


if __name__ == "__main__":
    unittest.main()
