# SPDX-License-Identifier: GPL-2.0
"""Lab verdicts on recorded boots (fixtures/lab-*: console.log, ktap.log,
meta.json with what run-lab.sh knew: variants, QEMU's exit, EXPECT_CAUGHT)."""

import json
import os
import tempfile
import unittest

from kit import labcheck, labresult, verdict

HERE = os.path.join(os.path.dirname(__file__), "fixtures")


def grade(name):
    d = os.path.join(HERE, name)
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    boot = {"dir": d, "variants": meta["variants"], "qemu_exit": meta["qemu_exit"],
            "seconds": 2.5}
    return labresult.grade(name, [boot], meta["expect_caught"], 30, HERE, stall=7,
                           known_reports=meta.get("known_reports", ""))


def by_name(doc):
    return {v["name"]: v for v in doc["variants"]}


class Verdicts(unittest.TestCase):
    def test_good(self):
        doc = grade("lab-good")
        self.assertEqual([v["verdict"] for v in doc["variants"]], ["PASS", "PASS"])
        self.assertIsNone(doc["boots"][0]["stopped"])
        self.assertEqual(by_name(doc)["after"]["lost"], 0)
        self.assertTrue(labresult.passed(doc))

    def test_failed_case(self):
        v = by_name(grade("lab-failed-case"))
        self.assertEqual(v["before"]["verdict"], "PASS")
        self.assertEqual(v["after"]["verdict"], "FAIL")
        self.assertEqual(v["after"]["reason"],
                         "not ok 2 - after: MAP_PRIVATE fails with EINVAL")
        case = v["after"]["cases"][1]
        self.assertFalse(case["ok"])
        self.assertEqual(case["diagnostics"],
                         ["mmap(MAP_PRIVATE) succeeded, expected EINVAL"])

    def test_caught(self):
        v = by_name(grade("lab-caught"))["naive"]
        self.assertEqual(v["verdict"], "CAUGHT")
        self.assertIn("lock held when returning to user space", v["reason"])

    def test_not_caught_is_a_failure(self):
        d = os.path.join(HERE, "lab-good")
        doc = labresult.grade("x", [{"dir": d, "variants": ["after"], "qemu_exit": 0,
                                     "seconds": 1.0}], ["after"], 30)
        self.assertEqual(doc["variants"][0]["verdict"], "FAIL")
        self.assertIn("NOT caught", doc["variants"][0]["reason"])

    def test_report_before_the_variant_ran_does_not_catch_it(self):
        # A panic at boot, before the wrong-on-purpose variant began: the
        # kernel reported something, but nothing about that variant.
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "console.log"), "w") as f:
                f.write("[    0.900000] BUG: unable to handle page fault\n"
                        "[    0.900100] Kernel panic - not syncing: Fatal exception\n")
            with open(os.path.join(d, "ktap.log"), "w") as f:
                f.write("KTAP version 1\n1..1\n")
            doc = labresult.grade("x", [{"dir": d, "variants": ["naive"], "qemu_exit": 0,
                                         "seconds": 1.0}], ["naive"], 30)
        v = doc["variants"][0]
        self.assertEqual(v["verdict"], "FAIL")
        self.assertIn("never ran", v["reason"])

    def test_report_between_variants_does_not_catch_the_next(self):
        d = os.path.join(HERE, "lab-caught")
        with open(os.path.join(d, "console.log")) as f:
            console = f.read()
        with open(os.path.join(d, "ktap.log")) as f:
            ktap_text = f.read()
        # Keep the variant's run but move its report to before it began.
        lines = console.splitlines()
        rep = [l for l in lines if labresult.REPORT.search(l)]
        rest = [l for l in lines if not labresult.REPORT.search(l)]
        with tempfile.TemporaryDirectory() as t:
            with open(os.path.join(t, "console.log"), "w") as f:
                f.write("\n".join(rep + rest) + "\n")
            with open(os.path.join(t, "ktap.log"), "w") as f:
                f.write(ktap_text)
            doc = labresult.grade("x", [{"dir": t, "variants": ["naive"], "qemu_exit": 0,
                                         "seconds": 1.0}], ["naive"], 30)
        v = doc["variants"][0]
        self.assertEqual(v["verdict"], "FAIL")
        self.assertIn("NOT caught", v["reason"])

    def test_known_upstream_defect(self):
        v = by_name(grade("lab-known"))["after"]
        self.assertEqual(v["verdict"], "KNOWN")
        self.assertEqual(v["reason"], "merge leak: +100 refs after 100 merges")
        self.assertEqual(v["reports"], [])
        self.assertEqual(len(v["known_reports"]), 2)

    def test_known_does_not_forgive_other_reports(self):
        doc = grade("lab-known")
        v = by_name(doc)["badmmap"]
        self.assertEqual(v["verdict"], "FAIL")
        self.assertIn("WARNING: fs/file.c:123", v["reason"])
        self.assertFalse(labresult.passed(doc))

    def test_known_reports_without_a_known_case_fail(self):
        d = os.path.join(HERE, "lab-kmemleak-last")
        doc = labresult.grade("x", [{"dir": d, "variants": ["after"], "qemu_exit": 0,
                                     "seconds": 1.0}], [], 30,
                              known_reports="unreferenced object|kmemleak:")
        self.assertEqual(doc["variants"][0]["verdict"], "FAIL")

    def test_hung_guest(self):
        doc = grade("lab-hung")
        stopped = doc["boots"][0]["stopped"]
        self.assertEqual(stopped["how"], "timeout")
        self.assertEqual(stopped["where"], "after")
        v = by_name(doc)
        # Even the variant whose subtest said ok fails: the boot never ended.
        self.assertEqual(v["before"]["verdict"], "FAIL")
        self.assertEqual(v["after"]["verdict"], "FAIL")
        self.assertIn("no verdict within 30s: the guest hung in after", v["after"]["reason"])
        self.assertEqual(v["after"]["lost"], 1)

    def test_silent_guest_is_stopped_and_hung(self):
        doc = grade("lab-stalled")
        self.assertEqual(doc["boots"][0]["stopped"]["how"], "stall")
        v = by_name(doc)
        self.assertEqual(v["before"]["verdict"], "FAIL")
        self.assertIn("no output for 7s: the guest hung in after", v["after"]["reason"])

    def test_oops(self):
        doc = grade("lab-oops")
        self.assertEqual(doc["boots"][0]["stopped"]["how"], "panic")
        v = by_name(doc)
        self.assertEqual(v["after"]["verdict"], "FAIL")
        self.assertTrue(v["after"]["reason"].startswith(
            "kernel reported: BUG: kernel NULL pointer dereference"))
        self.assertNotIn("BUG", " ".join(v["before"]["reports"]))
        self.assertEqual(v["before"]["verdict"], "FAIL")

    def test_kmemleak_after_the_last_variant(self):
        v = by_name(grade("lab-kmemleak-last"))
        # The final scan belongs to every variant of the boot.
        for name in ("before", "after"):
            self.assertEqual(v[name]["verdict"], "FAIL")
            self.assertIn("unreferenced object 0xffff888005a1e000 (size 64):",
                          v[name]["reports"])

    def test_malformed(self):
        doc = grade("lab-malformed")
        v = by_name(doc)["after"]
        self.assertEqual(v["verdict"], "FAIL")
        self.assertTrue(any("not KTAP" in e for e in doc["boots"][0]["errors"]))

    def test_missing_logs(self):
        doc = labresult.grade("x", [{"dir": "/nonexistent", "variants": ["after"],
                                     "qemu_exit": 1, "seconds": 0.1}], [], 30)
        self.assertEqual(doc["variants"][0]["verdict"], "FAIL")
        self.assertIn("the guest stopped in boot or between variants",
                      doc["variants"][0]["reason"])


class LabCheck(unittest.TestCase):
    def statuses(self, fixture):
        doc = grade(fixture)
        return {(c["kind"], c["name"]): c
                for c in labcheck.lab_checks(doc, "after", "console.log")}

    def test_hung_guest_is_never_ok_boot(self):
        for fx in ("lab-hung", "lab-stalled", "lab-oops", "lab-malformed"):
            c = self.statuses(fx)[("boot", labcheck.BOOT)]
            self.assertEqual(c["status"], "FAIL", fx)

    def test_lost_cases_are_shown(self):
        c = self.statuses("lab-malformed")[("boot", labcheck.BOOT)]
        self.assertIn("the checker stopped after 2 of its 3 cases", c["detail"])

    def test_good(self):
        checks = self.statuses("lab-good")
        self.assertTrue(all(c["status"] == "ok" for c in checks.values()))
        self.assertEqual(len(checks), 4)


class Table(unittest.TestCase):
    def test_no_results(self):
        lines, ok = verdict.render(["/nonexistent/01-flags"])
        self.assertFalse(ok)
        self.assertIn("no results: the lab did not run", lines[2])

    def test_known_counts_as_passed_and_is_named(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "05-swap-file")
            os.mkdir(out)
            doc = grade("lab-known")
            doc["variants"] = [by_name(doc)["after"]]
            labcheck.write(doc, os.path.join(out, "result.json"))
            lines, ok = verdict.render([out])
        self.assertTrue(ok)
        self.assertEqual(lines[-1], "labs: 1 passed, 0 failed")
        self.assertIn("known upstream defect (KNOWN)", lines[-2])


if __name__ == "__main__":
    unittest.main()
