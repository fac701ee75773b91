# SPDX-License-Identifier: GPL-2.0
"""Tests of kit/casestudies.py on made-up boot logs."""
import contextlib
import io
import json
import os
import tempfile
import unittest

from kit import casestudies as cs

TAP_OK = """TAP version 13
1..2
# A: af_packet mmap_variant=1
ok 1 - A: first case
ok 2 - A: second case
# A: race for 10 s: 5 mmap() mapped
# check exit status 0
# kit-case: done
"""

TAP_FAIL = """TAP version 13
1..2
ok 1 - A: first case
not ok 2 - A: fail-nth in mmap(): no count left
# fail-nth 3: freeing the ring gave EBUSY
# A: fail-nth sweep (N errno): 1 ENOMEM, 2 ENOMEM
# kit-case: done
"""

KASAN_LOG = """[    1.0] kit-case: begin B
[    2.5] ==================================================================
[    2.5] BUG: KASAN: slab-use-after-free in insert_pages+0x1/0x2
[    2.6] Read of size 8 at addr ffff888001234000 by task check/70
"""


class Parse(unittest.TestCase):
    def test_tap_cases_reasons_and_diagnostics(self):
        cases, diags, done = cs.parse_tap(TAP_FAIL)
        self.assertTrue(done)
        self.assertEqual([c["ok"] for c in cases], [True, False])
        self.assertEqual(cases[1]["why"], "fail-nth 3: freeing the ring gave EBUSY")
        self.assertIn("A: fail-nth sweep (N errno): 1 ENOMEM, 2 ENOMEM", diags)

    def test_bail_out_is_a_failed_case(self):
        cases, _, done = cs.parse_tap("TAP version 13\n1..6\nBail out! no param\n")
        self.assertFalse(done)
        self.assertEqual(cases, [{"what": "checker start", "ok": False, "why": "no param"}])

    def test_kernel_reports_without_timestamps(self):
        self.assertEqual(cs.kernel_reports(KASAN_LOG),
                         ["BUG: KASAN: slab-use-after-free in insert_pages+0x1/0x2"])


class Judge(unittest.TestCase):
    def test_clean_run_is_correct(self):
        cases, _, done = cs.parse_tap(TAP_OK)
        self.assertEqual(cs.judge(cases, [], done)[0], "correct")

    def test_a_report_alone_makes_it_wrong(self):
        cases, _, done = cs.parse_tap(TAP_OK)
        verdict, evidence = cs.judge(cases, ["BUG: KASAN: x"], done)
        self.assertEqual((verdict, evidence[0]), ("wrong", "BUG: KASAN: x"))

    def test_a_failed_case_alone_makes_it_wrong(self):
        cases, _, done = cs.parse_tap(TAP_FAIL)
        verdict, evidence = cs.judge(cases, [], done)
        self.assertEqual(verdict, "wrong")
        self.assertIn("EBUSY", evidence[0])

    def test_a_guest_that_stopped_silently_gives_no_verdict(self):
        cases, _, done = cs.parse_tap(TAP_OK.replace("# kit-case: done\n", ""))
        self.assertEqual(cs.judge(cases, [], done)[0], "no verdict")


class Collect(unittest.TestCase):
    @staticmethod
    def table(path):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = cs.cmd_table(path)
        return rc, buf.getvalue()

    def boot(self, root, cand, tap, console):
        bdir = os.path.join(root, "boot-" + cand)
        os.makedirs(bdir)
        for name, text in (("ktap.log", tap), ("console.log", console)):
            with open(os.path.join(bdir, name), "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(bdir, "boot.info"), "w", encoding="utf-8") as f:
            f.write(f"study=packet-mmap\ncandidate={cand}\nqemu_exit=0\nseconds=12.34\n"
                    "timeout=300\nkernel=/k\nkernel_seconds=5\n")
        return bdir

    def test_json_and_table_follow_case_conf_expectations(self):
        with tempfile.TemporaryDirectory() as tmp:
            # packet-mmap's case.conf expects legacy correct and B wrong.
            boots = [self.boot(tmp, "legacy", TAP_OK, ""),
                     self.boot(tmp, "B", TAP_OK, KASAN_LOG)]
            out = os.path.join(tmp, "results.json")
            self.assertEqual(cs.cmd_collect(out, boots), 0)
            with open(out, encoding="utf-8") as f:
                res = json.load(f)["results"]
            self.assertEqual([(r["candidate"], r["verdict"], r["matches"]) for r in res],
                             [("legacy", "correct", True), ("B", "wrong", True)])
            rc, text = self.table(out)
            self.assertEqual(rc, 0)
            self.assertIn("KASAN: slab-use-after-free", text)
            # The same clean log for B contradicts the analysis: exit 1.
            boots = [self.boot(tmp, "C", TAP_OK, KASAN_LOG)]
            self.assertEqual(cs.cmd_collect(out, boots), 1)
            rc, text = self.table(out)
            self.assertEqual(rc, 1)
            self.assertIn("NOT AS EXPECTED", text)
