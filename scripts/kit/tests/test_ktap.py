# SPDX-License-Identifier: GPL-2.0
"""The KTAP parser, and the kernel's kunit_parser as its oracle.

KunitOracle runs only when KSRC names a fetched tree (make passes it): on
every fixture, both parsers must agree on each variant's status and on the
number of its cases."""

import glob
import os
import sys
import unittest

from kit import ktap

HERE = os.path.join(os.path.dirname(__file__), "fixtures")


class Parse(unittest.TestCase):
    def test_structure(self):
        with open(os.path.join(HERE, "lab-failed-case", "ktap.log")) as f:
            root = ktap.parse(f.read())
        self.assertEqual(root.planned, 2)
        self.assertEqual([c.name for c in root.children], ["before", "after"])
        after = root.child("after")
        self.assertFalse(after.ok)
        self.assertEqual(after.planned, 2)
        self.assertEqual(after.preamble, ["after: /dev/kit_flags, 4 pages of 4096 bytes"])
        self.assertEqual(after.children[1].after[0],
                         "mmap(MAP_PRIVATE) succeeded, expected EINVAL")
        self.assertEqual(root.errors, [])

    def test_lost_result(self):
        with open(os.path.join(HERE, "lab-hung", "ktap.log")) as f:
            root = ktap.parse(f.read())
        after = root.child("after")
        self.assertIsNone(after.ok)
        self.assertEqual(after.lost, 1)

    def test_bail_and_notes(self):
        root = ktap.parse("KTAP version 1\n1..1\n    TAP version 13\n"
                          "    # Subtest: after\n    1..3\n    Bail out! cannot open /dev/x\n"
                          "# rmmod x after the checker failed\nnot ok 1 after\n")
        after = root.child("after")
        self.assertEqual(after.bailed, "cannot open /dev/x")
        self.assertEqual(after.before, ["rmmod x after the checker failed"])
        self.assertEqual(after.lost, 3)

    def test_garbage(self):
        root = ktap.parse("\x00\x01 nothing here\nok x\n")
        self.assertTrue(root.errors)
        self.assertEqual(root.children, [])


class KunitOracle(unittest.TestCase):
    def setUp(self):
        ksrc = os.environ.get("KSRC")
        path = os.path.join(ksrc or "", "tools/testing/kunit")
        if not ksrc or not os.path.isfile(os.path.join(path, "kunit_parser.py")):
            self.skipTest("KSRC names no tree with tools/testing/kunit")
        if path not in sys.path:
            sys.path.insert(0, path)

    def test_agrees(self):
        import kunit_parser
        import kunit_printer
        for log in sorted(glob.glob(os.path.join(HERE, "lab-*", "ktap.log"))):
            with open(log) as f:
                text = f.read()
            mine = ktap.parse(text)
            theirs = kunit_parser.parse_run_tests(text.splitlines(),
                                                  kunit_printer.null_printer)
            with self.subTest(log=log):
                self.assertEqual(len(mine.children), len(theirs.subtests))
                for m, t in zip(mine.children, theirs.subtests):
                    self.assertEqual(m.name, t.name)
                    ok = t.status == kunit_parser.TestStatus.SUCCESS
                    self.assertEqual(bool(m.ok), ok)
                    # kunit_parser adds a crashed test for each one lost.
                    self.assertEqual(len(m.children) + m.lost, len(t.subtests))


if __name__ == "__main__":
    unittest.main()
